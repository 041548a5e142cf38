package mailstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestKeywordsCrossAccounts: a message with the keywords Work and $Label1
// (the letters a and b of account A) that is moved or copied into account
// B, whose letter a is another keyword, shows Work and $Label1 there by
// name; the original of a copy keeps them; within A the letters stay. In
// a B whose 26 letters are used, the move and the copy happen all the
// same, the keyword that finds no letter is reported (KeywordsError) and
// is not turned into another.
func TestKeywordsCrossAccounts(t *testing.T) {
	a := FolderRef{Account: "A", Name: "INBOX"}
	archive := FolderRef{Account: "A", Name: "Archive"}
	b := FolderRef{Account: "B", Name: "INBOX"}
	for _, tc := range []struct {
		name     string
		copy     bool
		dest     FolderRef
		destFull bool     // B has 26 keywords, Work among them
		want     []string // the keywords in dest
		letters  string   // the keyword letters of the file in dest
		refused  []string // reported as without a letter
	}{
		{name: "move", dest: b, want: []string{"$Label1", "Work"}, letters: "bc"},
		{name: "copy", copy: true, dest: b, want: []string{"$Label1", "Work"}, letters: "bc"},
		{name: "move within A", dest: archive, want: []string{"$Label1", "Work"}, letters: "ab"},
		{name: "copy within A", copy: true, dest: archive, want: []string{"$Label1", "Work"}, letters: "ab"},
		{name: "move into a full B", dest: b, destFull: true, want: []string{"Work"}, letters: "a", refused: []string{"$Label1"}},
		{name: "copy into a full B", copy: true, dest: b, destFull: true, want: []string{"Work"}, letters: "a", refused: []string{"$Label1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := openTest(t)
			u := openUIDs(t, s)
			for _, ref := range []FolderRef{a, archive, b} {
				if err := s.CreateFolder(ctx, ref, RoleNone); err != nil {
					t.Fatal(err)
				}
			}
			fillKeywords(t, u, "B", tc.destFull)
			m := add(t, s, a, testMsg{id: "kw@x", subject: "K"}, AddOptions{Flags: FlagSeen})
			if err := u.SetKeywords(ctx, "A", []int64{m.ID}, []string{"Work", "$Label1"}, nil); err != nil {
				t.Fatal(err)
			}
			id, err := moveOrCopy(ctx, s, m.ID, tc.dest, tc.copy)
			var ke *KeywordsError
			switch {
			case tc.refused == nil && err != nil:
				t.Fatal(err)
			case tc.refused != nil && (!errors.As(err, &ke) || !errors.Is(err, ErrTooManyKeywords) ||
				ke.Account != "B" || !slices.Equal(ke.Keywords, tc.refused)):
				t.Fatalf("err = %v; want a KeywordsError of B for %q", err, tc.refused)
			}
			got, err := s.Get(ctx, id)
			if err != nil || got.Folder != tc.dest || got.Flags != FlagSeen {
				t.Fatalf("in %v: %+v, %v", tc.dest, got, err)
			}
			if kws := keywordsOf(t, s, got); !slices.Equal(kws, tc.want) {
				t.Errorf("keywords in %v = %q; want %q", tc.dest, kws, tc.want)
			}
			if p, _ := s.Path(ctx, id); !strings.HasSuffix(filepath.Base(p), infoSeparator+"2,S"+tc.letters) {
				t.Errorf("file %s; want the letters S%s", filepath.Base(p), tc.letters)
			}
			if tc.copy {
				if kws := keywordsOf(t, s, m); !slices.Equal(kws, []string{"$Label1", "Work"}) {
					t.Errorf("the original's keywords = %q", kws)
				}
			}
			if kw, _ := u.Keywords(ctx, "B"); kw['a'] != map[bool]string{false: "Other", true: "Work"}[tc.destFull] {
				t.Errorf("B's table changed its letter a: %v", kw)
			}
		})
	}
}

// fillKeywords gives account B the keyword Other as its letter a, or,
// when full, Work as a and 25 others.
func fillKeywords(t *testing.T, u *UIDIndex, account string, full bool) {
	t.Helper()
	names := []string{"Other"}
	if full {
		names = []string{"Work"}
		for i := range 25 {
			names = append(names, fmt.Sprintf("k%d", i))
		}
	}
	for _, n := range names {
		if _, err := u.KeywordLetter(context.Background(), account, n); err != nil {
			t.Fatal(err)
		}
	}
}

// moveOrCopy moves a message to dest, or copies it there, and returns the
// id of the message in dest.
func moveOrCopy(ctx context.Context, s *Store, id int64, dest FolderRef, copy bool) (int64, error) {
	if !copy {
		return id, s.Move(ctx, []int64{id}, dest)
	}
	ids, err := s.Copy(ctx, []int64{id}, dest)
	if len(ids) != 1 || ids[0] == 0 {
		return 0, fmt.Errorf("Copy = %v, %w", ids, err)
	}
	return ids[0], err
}
