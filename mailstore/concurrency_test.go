package mailstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"facteur/mailstore/internal/corpus"
)

// TestConcurrentUse runs an import while other goroutines change flags,
// create folders, move, rescan, list and search: nothing may deadlock, and
// the index must agree with the files at the end.
func TestConcurrentUse(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	var ids []int64
	for i := range 20 {
		ids = append(ids, add(t, s, inbox, testMsg{id: fmt.Sprintf("c%d@x", i), subject: "c"}, AddOptions{}).ID)
	}
	path := filepath.Join(t.TempDir(), "m.mbox")
	f, _ := os.Create(path)
	corpus.WriteMbox(f, 9, 1200)
	f.Close()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		if _, err := s.Import(ctx, FolderRef{"Local", "Imported"}, path, nil); err != nil {
			t.Error(err)
		}
	})
	loop := func(fn func(i int) error) {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				if err := fn(i); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	loop(func(i int) error { return s.SetFlags(ctx, ids[i%10:i%10+1], Flags(i%3), FlagSeen) })
	loop(func(i int) error { return s.CreateFolder(ctx, FolderRef{"Local", fmt.Sprintf("F%d", i%50)}, RoleNone) })
	loop(func(i int) error {
		dest := FolderRef{"Local", "Moved"}
		if i%2 == 1 {
			dest = inbox
		}
		if err := s.CreateFolder(ctx, dest, RoleNone); err != nil {
			return err
		}
		return s.Move(ctx, ids[10:], dest)
	})
	loop(func(int) error { _, err := s.Rescan(ctx, nil); return err })
	loop(func(int) error { _, err := s.Search(ctx, "the", SearchOptions{Limit: 20}); return err })
	loop(func(int) error { _, err := s.List(ctx, inbox, ListOptions{Threaded: true}); return err })
	wg.Wait()
	if st, err := s.Rescan(ctx, nil); err != nil || st.Added+st.Removed+st.Renamed != 0 {
		t.Errorf("final rescan: %+v %v", st, err)
	}
	if n, _, _ := s.Count(ctx, FolderRef{"Local", "Imported"}); n != 1200 {
		t.Errorf("imported %d of 1200", n)
	}
}

// Issue 11, item 5: stores of one new profile opened at once (as by
// several processes) all open, and each creates the same folders and adds
// to them without a UNIQUE error: the schema and each folder are made once.
func TestConcurrentFirstOpen(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		dir := t.TempDir()
		errs := make(chan error, 3)
		var wg sync.WaitGroup
		for i := range cap(errs) {
			wg.Go(func() {
				s, err := Open(ctx, dir)
				if err != nil {
					errs <- err
					return
				}
				defer s.Close()
				_, err = s.Add(ctx, inbox, strings.NewReader(string(testMsg{id: fmt.Sprint(i), subject: "x"}.bytes())), AddOptions{})
				if err == nil {
					err = s.CreateFolder(ctx, FolderRef{"Local", "Sent"}, RoleSent)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		folders, err := s.Folders(ctx)
		s.Close()
		if err != nil || len(folders) != 2 || folders[0].Total+folders[1].Total != cap(errs) {
			t.Fatalf("round %d: folders %+v, %v", round, folders, err)
		}
	}
}
