package mailstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"facteur/internal/eol"
)

func TestAddBatch(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	other := FolderRef{Account: "Local", Name: "Archive"}
	var items []AddItem
	for i := range 20 {
		folder := inbox
		if i%4 == 3 {
			folder = other
		}
		items = append(items, AddItem{Folder: folder, Data: testMsg{id: fmt.Sprintf("%d@batch", i), subject: fmt.Sprint("batch ", i)}.bytes(),
			Options: AddOptions{Envelope: &Envelope{MailFrom: "a@example.org", RcptTo: []string{fmt.Sprintf("u%d@example.com", i)}}}})
	}
	items = append(items, AddItem{Folder: FolderRef{Account: "Local", Name: ""}, Data: []byte("Subject: x\r\n\r\nx\r\n")})
	res := s.AddBatch(ctx, items)
	if len(res) != len(items) {
		t.Fatalf("%d results for %d items", len(res), len(items))
	}
	if last := res[len(res)-1]; last.Err == nil || last.ID != 0 {
		t.Errorf("bad folder: %+v, want an error", last)
	}
	seen := map[int64]bool{}
	for i, r := range res[:20] {
		if r.Err != nil || r.ID == 0 || seen[r.ID] {
			t.Fatalf("item %d: %+v", i, r)
		}
		seen[r.ID] = true
		sum, err := s.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Folder != items[i].Folder || sum.Subject != fmt.Sprint("batch ", i) || sum.Envelope == nil ||
			!sum.Envelope.Recorded || sum.Envelope.RcptTo[0] != fmt.Sprintf("u%d@example.com", i) {
			t.Errorf("item %d: %+v", i, sum)
		}
		path, err := s.Path(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if data, err := os.ReadFile(path); err != nil || string(data) != string(eol.ToLF(items[i].Data)) || filepath.Base(filepath.Dir(path)) != "new" {
			t.Errorf("item %d: file %s: %v", i, path, err)
		}
	}
	if n, _, _ := s.Count(ctx, inbox); n != 15 {
		t.Errorf("INBOX holds %d messages, want 15", n)
	}
	if len(s.pending) != 0 {
		t.Errorf("pending marks left: %v", s.pending)
	}
	// A rescan finds nothing to add: every file is indexed once.
	st, err := s.Rescan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.Count(ctx, inbox); n != 15 {
		t.Errorf("after rescan (%+v): INBOX holds %d messages", st, n)
	}
}

func TestAddBatchConcurrentWithRescan(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 5 {
				items := []AddItem{{Folder: inbox, Data: testMsg{id: fmt.Sprintf("%d.%d@c", w, i), subject: "c"}.bytes()}}
				if r := s.AddBatch(ctx, items); r[0].Err != nil {
					t.Error(r[0].Err)
				}
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			if _, err := s.Rescan(ctx, nil); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if n, _, _ := s.Count(ctx, inbox); n != 20 {
		t.Errorf("INBOX holds %d messages, want 20", n)
	}
}

func TestAddBatchClosed(t *testing.T) {
	s, _ := openTest(t)
	s.Close()
	res := s.AddBatch(context.Background(), []AddItem{{Folder: inbox, Data: []byte(strings.Repeat("x", 10))}})
	if !errors.Is(res[0].Err, ErrClosed) {
		t.Errorf("closed store: %+v", res)
	}
}

// Issue 11: an index that cannot take a batch (SQLITE_FULL, as on a full
// disk: here the page limit of the writer's connection) leaves no file of
// a failed item in the Maildir, where the caller trying again or a rescan
// would make a second copy; the items that fit are indexed.
func TestAddBatchIndexFull(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if err := s.CreateFolder(ctx, inbox, RoleInbox); err != nil {
		t.Fatal(err)
	}
	fillIndex(t, s, 4)
	var items []AddItem
	for i := range 200 {
		body := strings.Repeat(fmt.Sprintf("word%d ", i), 200)
		items = append(items, AddItem{Folder: inbox, Data: testMsg{id: fmt.Sprintf("%d@full", i), subject: "full", body: body}.bytes()})
	}
	res := s.AddBatch(ctx, items)
	ok, failed := 0, 0
	for _, r := range res {
		if r.Err != nil {
			failed++
		} else {
			ok++
		}
	}
	if failed == 0 || ok == 0 {
		t.Fatalf("%d added, %d failed: want some of each", ok, failed)
	}
	checkFolderExact(t, s, inbox, ok)
}
