package queue

import (
	"context"
	"strings"
	"testing"
)

// A per-message relay (the outbox of a mail account) survives a restart.
func TestRelayPersists(t *testing.T) {
	dir := t.TempDir()
	q, err := Open(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	m := Message{From: "fred@truc.fr", Rcpts: []Rcpt{{Addr: "marc@machin.com"}}, Relay: &Relay{Account: "truc", Server: "smtp.truc.fr:587"}}
	got, err := q.Enqueue(context.Background(), m, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = q
	q, err = Open(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}

	again, err := q.Get(got.ID)
	if err != nil || again.Relay == nil || *again.Relay != *m.Relay {
		t.Fatalf("after reopening: %+v, %v", again.Relay, err)
	}
}
