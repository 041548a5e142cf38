package mailstore

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestRenameFolderMovesFilesAndChildren(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	lists := FolderRef{Account: "Local", Name: "Lists"}
	golang := FolderRef{Account: "Local", Name: "Lists/golang"}
	m := add(t, s, golang, testMsg{id: "g@x", subject: "Go"}, AddOptions{})
	add(t, s, lists, testMsg{id: "l@x", subject: "L"}, AddOptions{})
	if err := s.RenameFolder(ctx, lists, FolderRef{Account: "Local", Name: "Listes"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, m.ID)
	if err != nil || got.Folder.Name != "Listes/golang" {
		t.Fatalf("message after rename: %+v, %v", got, err)
	}
	r, err := s.Open(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := s.Rescan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var names []string
	folders, _ := s.Folders(ctx)
	for _, f := range folders {
		names = append(names, f.Ref.Name)
	}
	slices.Sort(names)
	if strings.Join(names, ",") != "Listes,Listes/golang" {
		t.Fatalf("folders after rename and rescan: %v", names)
	}
	tests := []struct {
		to   FolderRef
		want error
	}{
		{FolderRef{Account: "Local", Name: "LISTES"}, ErrFolderExists},
		{FolderRef{Account: "Other", Name: "X"}, ErrBadFolder},
		{FolderRef{Account: "Local", Name: "a//b"}, ErrBadFolder},
	}
	for _, tt := range tests {
		if err := s.RenameFolder(ctx, FolderRef{Account: "Local", Name: "Listes/golang"}, tt.to); !errors.Is(err, tt.want) {
			t.Errorf("RenameFolder to %v = %v, want %v", tt.to, err, tt.want)
		}
	}
}

func TestCopyKeepsFlagsKeywordsAndBytes(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	src := add(t, s, inbox, testMsg{id: "c@x", subject: "Copy me", body: "payload"}, AddOptions{Flags: FlagSeen | FlagFlagged})
	if err := s.SetKeywordLetters(ctx, []int64{src.ID}, "ba", ""); err != nil {
		t.Fatal(err)
	}
	dest := FolderRef{Account: "Local", Name: "Archive"}
	ids, err := s.Copy(ctx, []int64{src.ID, 999999}, dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] == 0 || ids[0] == src.ID || ids[1] != 0 {
		t.Fatalf("Copy ids = %v", ids)
	}
	u := openUIDs(t, s)
	f := syncUIDs(t, u, dest)
	if len(f.Messages) != 1 || f.Messages[0].Flags != FlagSeen|FlagFlagged || f.Messages[0].Extra != "ab" {
		t.Fatalf("copy = %+v", f.Messages)
	}
	a, b := readAll(t, s, src.ID), readAll(t, s, ids[0])
	if a != b {
		t.Fatalf("copy differs:\n%q\n%q", a, b)
	}
	if err := s.SetKeywordLetters(ctx, []int64{ids[0]}, "", "a"); err != nil {
		t.Fatal(err)
	}
	if f := syncUIDs(t, u, dest); f.Messages[0].Extra != "b" || f.Messages[0].Flags != FlagSeen|FlagFlagged {
		t.Fatalf("after removing keyword a: %+v", f.Messages[0])
	}
}

func readAll(t *testing.T, s *Store, id int64) string {
	t.Helper()
	r, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

func TestMatchText(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	a := add(t, s, inbox, testMsg{id: "a@x", subject: "Quarterly report", body: "the numbers are in"}, AddOptions{})
	b := add(t, s, inbox, testMsg{id: "b@x", subject: "Lunch", body: "quarterly lunch", from: "Zoé <zoe@example.org>"}, AddOptions{})
	add(t, s, FolderRef{Account: "Local", Name: "Other"}, testMsg{id: "c@x", subject: "Quarterly too"}, AddOptions{})
	tests := []struct {
		column, text string
		want         []int64
		ok           bool
	}{
		{"", "quarterly", []int64{a.ID, b.ID}, true},
		{"subject", "QUARTERLY", []int64{a.ID}, true},
		{"body", "numbers are", []int64{a.ID}, true},
		{"body", "numbers in", nil, true}, // not in a row
		{"from", "zoe", []int64{b.ID}, true},
		{"", "quart", []int64{a.ID, b.ID}, true}, // prefix
		{"", "@ --", nil, false},
	}
	for _, tt := range tests {
		ids, ok, err := s.MatchText(ctx, inbox, tt.column, tt.text)
		if err != nil || ok != tt.ok || !slices.Equal(ids, tt.want) {
			t.Errorf("MatchText(%q, %q) = %v, %v, %v; want %v, %v", tt.column, tt.text, ids, ok, err, tt.want, tt.ok)
		}
	}
}
