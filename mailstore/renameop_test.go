package mailstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSetFlagsManyChunks gives a flag to more messages than one chunk of
// renameOp holds, some of whose files another program renamed (new
// flags) or removed meanwhile, with an id twice and an unknown id: every
// file left gets the flag, its row agrees with the disk, and the ones
// removed are skipped.
func TestSetFlagsManyChunks(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	const n = 2*locateChunk + 10
	items := make([]AddItem, n)
	for i := range items {
		items[i] = AddItem{Folder: inbox, Data: testMsg{id: strconv.Itoa(i) + "@chunks", subject: "m", body: "b"}.bytes()}
	}
	ids := make([]int64, n)
	for i, r := range s.AddBatch(ctx, items) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		ids[i] = r.ID
	}
	renamed := map[int64]bool{}
	removed := map[int64]bool{}
	for _, i := range []int{0, 999, 1000, 1500, 2009} { // first and last of the chunks
		p, err := s.Path(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p, filepath.Join(filepath.Dir(filepath.Dir(p)), "cur", filepath.Base(p)+infoSeparator+"2,S")); err != nil {
			t.Fatal(err)
		}
		renamed[ids[i]] = true
	}
	for _, i := range []int{1, 1001, 2008} {
		p, err := s.Path(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		removed[ids[i]] = true
	}
	list := append(append([]int64{}, ids...), ids[5], ids[n-1]+1000)
	if err := s.SetFlags(ctx, list, FlagFlagged, 0); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if removed[id] {
			continue
		}
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := FlagFlagged
		if renamed[id] {
			want |= FlagSeen
		}
		p, err := s.Path(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Flags != want || !strings.HasSuffix(p, infoSeparator+"2,"+want.Maildir()) || filepath.Base(filepath.Dir(p)) != "cur" {
			t.Errorf("message %d: flags %v, path %s; want %v", id, got.Flags, p, want)
		}
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(filepath.Dir(mustPath(t, s, ids[2])), "*"))
	if err != nil || len(files) != n-len(removed) {
		t.Errorf("%d files in cur, want %d (%v)", len(files), n-len(removed), err)
	}
}

// TestSetFlagsCancelled: a SetFlags whose context ends keeps what it did
// (every file renamed has its row) and says why it stopped.
func TestSetFlagsCancelled(t *testing.T) {
	s, _ := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	const n = locateChunk + 10
	items := make([]AddItem, n)
	for i := range items {
		items[i] = AddItem{Folder: inbox, Data: testMsg{id: strconv.Itoa(i) + "@cancel", subject: "m", body: "b"}.bytes()}
	}
	ids := make([]int64, n)
	for i, r := range s.AddBatch(ctx, items) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		ids[i] = r.ID
	}
	cancel()
	if err := s.SetFlags(ctx, ids, FlagSeen, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("SetFlags after cancel: %v, want context.Canceled", err)
	}
	for _, id := range ids {
		got, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		p := mustPath(t, s, id)
		if _, err := os.Stat(p); err != nil || got.Flags&FlagSeen != 0 != strings.HasSuffix(p, "S") {
			t.Errorf("message %d: flags %v, path %s (%v): row and file disagree", id, got.Flags, p, err)
		}
	}
}

func mustPath(t *testing.T, s *Store, id int64) string {
	t.Helper()
	p, err := s.Path(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
