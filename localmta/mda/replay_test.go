package mda

import (
	"context"
	"testing"
	"time"

	"facteur/mailstore"
)

// deliverEnv delivers body to rcpts under env.
func deliverEnv(t *testing.T, tg Target, env Envelope, body string, rcpts ...string) error {
	t.Helper()
	ctx := context.Background()
	d, err := tg.StartDelivery(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rcpts {
		if err := d.AddRcpt(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Body(ctx, StringBuffer(body)); err != nil {
		t.Fatal(err)
	}
	return d.Commit(ctx)
}

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
		if err := deliverEnv(t, tg, env, testMsg, "marc@machin.com"); err != nil {
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
	if err := deliverEnv(t, tg, env, testMsg, "marc@machin.com", "anne@machin.com"); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.List(ctx, LocalInbox, mailstore.ListOptions{}); len(list) != 2 {
		t.Fatalf("after a replay with a new recipient: %d messages, want 2", len(list))
	}
	other := env
	other.QueueID = "D7S7YYJ_C18_2"
	if err := deliverEnv(t, tg, other, testMsg, "marc@machin.com"); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.List(ctx, LocalInbox, mailstore.ListOptions{}); len(list) != 3 {
		t.Fatalf("another queue entry: %d messages, want 3", len(list))
	}
}
