package submit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/localmta/queue"
	"facteur/mua/account"
)

// accounts is a fixed account list.
type accounts map[string]account.Account

func (a accounts) Get(name string) (account.Account, error) {
	if acc, ok := a[name]; ok {
		return acc, nil
	}
	return account.Account{}, account.ErrNotFound
}

// sentCopies keeps the copies filed in Sent.
type sentCopies struct {
	mu   sync.Mutex
	raws [][]byte
}

func (s *sentCopies) SaveSent(_ context.Context, _ account.Account, raw []byte) error {
	s.mu.Lock()
	s.raws = append(s.raws, raw)
	s.mu.Unlock()
	return nil
}

func (s *sentCopies) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.raws)
}

func (s *sentCopies) copies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raws...)
}

func openQueue(t *testing.T) *queue.Queue {
	t.Helper()
	q, err := queue.Open(context.Background(), t.TempDir(), queue.Options{
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// freePort returns a loopback address that nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOutboxServerDownThenUp(t *testing.T) {
	addr := freePort(t)
	_, port, _ := net.SplitHostPort(addr)
	a := account.Account{
		Name: "truc", Identity: account.Identity{Address: "fred@truc.fr"}, Protocol: account.IMAP,
		Outgoing: account.Server{Host: "127.0.0.1", Security: account.SecurityStartTLS},
	}
	a.Outgoing.Port = atoi(port)
	q := openQueue(t)
	sent := &sentCopies{}
	pki := startServer(t, serverOpts{startTLS: true}).PKI // a CA for the later server
	ob := &Outbox{
		Client:   &Client{Dialer: &account.Dialer{RootCAs: pki.Roots}, Passwords: passwords{account.PasswordKey("truc", true): "s3cret"}, Timeout: 5 * time.Second},
		Accounts: accounts{"truc": a},
		Spool:    q,
		Sent:     sent,
	}
	m := build(t, sampleDraft())
	out, err := ob.Send(context.Background(), &a, m, false)
	if err != nil || !out.Queued || out.Reason == nil || !Temporary(out.Reason) {
		t.Fatalf("Send with the server down = %+v, %v; want queued", out, err)
	}
	list := ob.List("truc")
	if len(list) != 1 || list[0].ID != out.QueueID || list[0].Relay.Server != a.Outgoing.Address("smtp") {
		t.Fatalf("outbox listing = %+v", list)
	}
	if len(ob.List("other")) != 0 || len(ob.List(LocalAccount)) != 0 {
		t.Fatal("the message shows in another outbox")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- q.Run(ctx, ob) }()
	time.Sleep(150 * time.Millisecond) // a few failed attempts against the closed port

	ts := startServerWith(t, serverOpts{startTLS: true, addr: addr}, pki)
	waitFor(t, "delivery", func() bool { return len(q.List()) == 0 })
	time.Sleep(200 * time.Millisecond) // more retries would show now
	cancel()
	<-done
	got := ts.messages()
	if len(got) != 1 {
		t.Fatalf("server got %d copies, want exactly one", len(got))
	}
	if len(got[0].Rcpts) != 3 || got[0].User != "fred@truc.fr" || !got[0].TLS {
		t.Fatalf("delivered %+v", got[0])
	}
	if sent.count() != 1 {
		t.Fatalf("%d copies in Sent, want 1", sent.count())
	}
}

func TestOutboxLaterAndCancel(t *testing.T) {
	ts := startServer(t, serverOpts{startTLS: true})
	a := testAccount(ts, account.SecurityStartTLS)
	q := openQueue(t)
	ob := &Outbox{Client: testClient(ts), Accounts: accounts{"truc": a}, Spool: q}
	out, err := ob.Send(context.Background(), &a, build(t, sampleDraft()), true)
	if err != nil || !out.Queued || !errors.Is(out.Reason, ErrSendLater) {
		t.Fatalf("send later = %+v, %v", out, err)
	}
	if err := ob.Cancel("other", out.QueueID); !errors.Is(err, ErrNotInOutbox) {
		t.Fatalf("cancel from another account: %v", err)
	}
	if err := ob.Cancel("truc", out.QueueID); err != nil || len(q.List()) != 0 {
		t.Fatalf("cancel: %v, %d left", err, len(q.List()))
	}
	if len(ts.messages()) != 0 {
		t.Fatal("a cancelled message was sent")
	}
}

func TestOutboxPermanentFailureNotQueued(t *testing.T) {
	ts := startServer(t, serverOpts{}) // no STARTTLS: needs the user
	a := testAccount(ts, account.SecurityStartTLS)
	q := openQueue(t)
	ob := &Outbox{Client: testClient(ts), Accounts: accounts{"truc": a}, Spool: q}
	out, err := ob.Send(context.Background(), &a, build(t, sampleDraft()), false)
	if !errors.Is(err, ErrNoStartTLS) || out.Queued || len(q.List()) != 0 {
		t.Fatalf("= %+v, %v", out, err)
	}
}

func TestOutboxLocalAccount(t *testing.T) {
	q := openQueue(t)
	ob := &Outbox{Spool: q, Hostname: "mail.machin.test", User: "marc",
		Now: func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) }}
	out, err := ob.Send(context.Background(), nil, build(t, sampleDraft()), false)
	if err != nil || !out.Queued || out.Reason != nil {
		t.Fatalf("= %+v, %v", out, err)
	}
	l := ob.List(LocalAccount)
	if len(l) != 1 || l[0].Relay != nil || len(l[0].Rcpts) != 3 {
		t.Fatalf("local outbox = %+v", l)
	}
	rc, err := q.OpenBody(l[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	raw, _ := io.ReadAll(rc)
	// the local MTA's pick-up is the first hop of the route
	if want := "Received: by mail.machin.test (Facteur, from userid marc)\r\n\tid " + l[0].ID + "; Thu, 26 Nov 2026 10:00:00 +0000\r\n"; !strings.HasPrefix(string(raw), want) {
		t.Errorf("queued message begins %q, want %q", raw[:min(len(raw), 120)], want)
	}
}

func TestOutboxDeliverRejections(t *testing.T) {
	ts := startServer(t, serverOpts{startTLS: true})
	ts.reject["paul@uvsq.fr"] = errNoUser
	a := testAccount(ts, account.SecurityStartTLS)
	ob := &Outbox{Client: testClient(ts), Accounts: accounts{"truc": a}}
	m := build(t, sampleDraft())
	qm := queue.Message{ID: queue.NewID(), From: m.From, Relay: &queue.Relay{Account: "truc"}}
	for _, r := range m.Rcpts {
		qm.Rcpts = append(qm.Rcpts, queue.Rcpt{Addr: r, Status: queue.StatusPending})
	}
	res := ob.Deliver(context.Background(), qm, bodyOf(m.Raw))
	byRcpt := map[string]error{}
	for _, r := range res {
		byRcpt[r.Rcpt] = r.Err
	}
	if len(res) != 3 || byRcpt["marc@machin.com"] != nil || byRcpt["paul@uvsq.fr"] == nil {
		t.Fatalf("results %+v", res)
	}
	if perm, code, _ := queue.Classify(byRcpt["paul@uvsq.fr"]); !perm || code != 550 {
		t.Fatalf("rejection classified %v %d", perm, code)
	}
}
