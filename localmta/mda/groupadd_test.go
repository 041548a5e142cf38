package mda

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/mailstore"
)

// TestStoreGroupCommit delivers concurrently: every copy is stored once,
// with its own Delivered-To, in the folder of its login.
func TestStoreGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := mailstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	anne := mailstore.FolderRef{Account: "Local", Name: "anne"}
	tg := &Store{Store: s, Folder: func(login string) (mailstore.FolderRef, error) {
		if login == "anne" {
			return anne, nil
		}
		return LocalInbox, nil
	}}
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := StringBuffer(fmt.Sprintf("From: fred@truc.fr\r\nSubject: %d\r\n\r\nhi\r\n", i))
			if err := deliver(t, tg, "fred@truc.fr", body, "marc@machin.com", "anne@machin.com"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, f := range []mailstore.FolderRef{LocalInbox, anne} {
		list, err := s.List(ctx, f, mailstore.ListOptions{})
		if err != nil || len(list) != n {
			t.Fatalf("%s: %d messages, %v", f, len(list), err)
		}
		rc, err := s.Open(ctx, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if want := "Delivered-To: " + map[string]string{"INBOX": "marc", "anne": "anne"}[f.Name] + "@machin.com\n"; !strings.Contains(string(b), want) {
			t.Errorf("%s: %q lacks %q", f, b, want)
		}
	}
	t.Logf("%d deliveries in %d AddBatch calls", n, tg.group.batches)
}

// TestGroupAddBatches checks that the deliveries that wait while a batch
// runs go together into the next one.
func TestGroupAddBatches(t *testing.T) {
	ctx := context.Background()
	s, err := mailstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var g groupAdd
	g.mu.Lock()
	g.running = true // as if a batch ran
	g.mu.Unlock()
	const n = 5
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			item := mailstore.AddItem{Folder: LocalInbox, Data: fmt.Appendf(nil, "Subject: %d\r\n\r\nx\r\n", i)}
			res := g.add(ctx, s, []mailstore.AddItem{item})
			if len(res) != 1 || res[0].Err != nil || res[0].ID == 0 {
				t.Errorf("results %+v", res)
			}
		})
	}
	for {
		g.mu.Lock()
		waiting := len(g.waiting)
		g.mu.Unlock()
		if waiting == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	g.mu.Lock()
	g.running = false // the batch ends
	g.cond.Broadcast()
	g.mu.Unlock()
	wg.Wait()
	if g.batches != 1 {
		t.Errorf("%d batches for %d deliveries that waited together, want 1", g.batches, n)
	}
}
