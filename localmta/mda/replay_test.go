package mda

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"facteur/mailstore"
	"facteur/mailstore/mbox"
)

// TestStoreReplayIsIdempotent: the queue replays a delivery whose result
// a kill -9 kept it from recording; the same queue entry and recipient
// must not give a second Maildir file (issue 10: 10 to 26 duplicates in
// 2,000 messages).
func TestStoreReplayIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, err := mailstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tg := &Store{Store: s}
	env := Envelope{MailFrom: "fred@truc.fr", QueueID: "D7S7YYGKQ3XLX", Arrived: time.Unix(1700000000, 0)}
	for range 2 {
		if err := deliverEnv(t, tg, env, StringBuffer(testMsg), "marc@machin.com"); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.List(ctx, LocalInbox, mailstore.ListOptions{})
	if err != nil || len(list) != 1 {
		t.Fatalf("after a replay: %d messages (%v), want 1", len(list), err)
	}
	// read meanwhile: the file moved to cur/ with a flag; still one copy
	if err := s.SetFlags(ctx, []int64{list[0].ID}, mailstore.FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if err := deliverEnv(t, tg, env, StringBuffer(testMsg), "marc@machin.com", "anne@machin.com"); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.List(ctx, LocalInbox, mailstore.ListOptions{}); len(list) != 2 {
		t.Fatalf("after a replay with a new recipient: %d messages, want 2", len(list))
	}
	other := env
	other.QueueID = "D7S7YYJ_C18_2"
	if err := deliverEnv(t, tg, other, StringBuffer(testMsg), "marc@machin.com"); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.List(ctx, LocalInbox, mailstore.ListOptions{}); len(list) != 3 {
		t.Fatalf("another queue entry: %d messages, want 3", len(list))
	}
}

// TestMboxReplayIsIdempotent: the same for an mbox spool file, and a
// copy that a kill cut off in the middle of its append is removed before
// the replay writes it whole.
func TestMboxReplayIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	tg := &Mbox{Dir: dir}
	env := Envelope{MailFrom: "fred@truc.fr", QueueID: "D7S7YYGKQ3XLX", Arrived: time.Unix(1700000000, 0)}
	for range 2 {
		if err := deliverEnv(t, tg, env, StringBuffer(testMsg), "marc@machin.com"); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "marc")
	once, _ := os.ReadFile(path)
	if n := strings.Count(string(once), "Delivered-To: marc@machin.com\n"); n != 1 {
		t.Fatalf("after a replay: %d copies, want 1:\n%s", n, once)
	}
	// a second queue entry, cut by a kill after 60 octets of its copy
	cut := env
	cut.QueueID = "D7S7YYJ_C18_2"
	if err := deliverEnv(t, tg, cut, StringBuffer(testMsg), "marc@machin.com"); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(once))+60); err != nil {
		t.Fatal(err)
	}
	if err := deliverEnv(t, tg, cut, StringBuffer(testMsg), "marc@machin.com"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	msgs := 0
	for r := mbox.NewReader(strings.NewReader(string(got))); ; msgs++ {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if msgs != 2 || !strings.HasPrefix(string(got), string(once)) || strings.Count(string(got), "Subject: hi\n") != 2 {
		t.Fatalf("after a cut copy and its replay: %d messages:\n%s", msgs, got)
	}
	// an unrelated delivery (no queue id) is never taken for a replay
	for range 2 {
		if err := deliver(t, tg, "a@b", StringBuffer(testMsg), "marc"); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ = os.ReadFile(path); strings.Count(string(got), "Subject: hi\n") != 4 {
		t.Fatalf("deliveries without queue id: %d copies, want 4", strings.Count(string(got), "Subject: hi\n"))
	}
}
