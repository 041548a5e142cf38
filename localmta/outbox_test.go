package localmta

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"facteur/localmta/queue"
)

// A queued message with its own relay (a mail account's outbox) goes to
// Config.Outbox, not to the routing agent; without Outbox it stays queued.
func TestOutboxRelay(t *testing.T) {
	var mu sync.Mutex
	var got []string
	outbox := queue.DelivererFunc(func(ctx context.Context, m queue.Message, body func() (io.ReadCloser, error)) []queue.Result {
		rc, _ := body()
		data, _ := io.ReadAll(rc)
		rc.Close()
		mu.Lock()
		got = append(got, m.Relay.Account+" "+strings.Join(m.Pending(), ",")+" "+string(data))
		mu.Unlock()
		return []queue.Result{{Rcpt: m.Pending()[0]}}
	})
	m := startMTA(t, Config{Hostname: "mx.test", Listeners: []Listener{{Addr: "127.0.0.1:0"}}, Outbox: outbox})
	msg := queue.Message{From: "fred@truc.fr", Rcpts: []queue.Rcpt{{Addr: "marc@nowhere.invalid"}}, Relay: &queue.Relay{Account: "truc"}}
	if _, err := m.Queue().Enqueue(context.Background(), msg, strings.NewReader("Subject: x\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the outbox delivery", func() bool { return len(m.Queue().List()) == 0 })
	if len(got) != 1 || got[0] != "truc marc@nowhere.invalid Subject: x\r\n\r\nhi\r\n" {
		t.Fatalf("outbox got %q", got)
	}

	bare := startMTA(t, Config{Hostname: "mx.test", Listeners: []Listener{{Addr: "127.0.0.1:0"}}})
	q, err := bare.Queue().Enqueue(context.Background(), msg, strings.NewReader("Subject: x\r\n\r\nhi\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "an attempt", func() bool { s, _ := bare.Queue().Get(q.ID); return s.Attempts > 0 })
	if s, _ := bare.Queue().Get(q.ID); s.Done() || !strings.Contains(s.Rcpts[0].LastError, "no outbox submitter") {
		t.Fatalf("without Outbox: %+v", s.Rcpts[0])
	}
}
