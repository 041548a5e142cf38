package queue

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"facteur/internal/atomicfile"

	"github.com/emersion/go-smtp"
)

const body = "From: a@b\r\nSubject: t\r\n\r\nhello\r\n"

func testOpts() Options {
	return Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond, Hostname: "mx.test", Logger: slog.New(slog.DiscardHandler)}
}

func enqueue(t *testing.T, q *Queue, from string, rcpts ...string) Message {
	t.Helper()
	m := Message{From: from}
	for _, r := range rcpts {
		m.Rcpts = append(m.Rcpts, Rcpt{Addr: r})
	}
	got, err := q.Enqueue(context.Background(), m, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// recorder is a Deliverer that answers from a function and records calls.
type recorder struct {
	mu     sync.Mutex
	calls  []Message
	bodies []string
	fn     func(m Message, rcpt string, n int) error
	done   chan string
}

func (r *recorder) Deliver(ctx context.Context, m Message, open func() (io.ReadCloser, error)) []Result {
	rc, err := open()
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	r.mu.Lock()
	r.calls = append(r.calls, m)
	r.bodies = append(r.bodies, string(b))
	n := len(r.calls)
	r.mu.Unlock()
	var out []Result
	for _, rc := range m.Pending() {
		err := r.fn(m, rc, n)
		out = append(out, Result{Rcpt: rc, Err: err, Remote: "next.test"})
		if err == nil && r.done != nil {
			r.done <- rc
		}
	}
	return out
}

func run(t *testing.T, q *Queue, d Deliverer) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx, d); close(done) }()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDeliverAndRetry(t *testing.T) {
	q, err := Open(context.Background(), t.TempDir(), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	temp := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "later"}
	d := &recorder{done: make(chan string, 10), fn: func(m Message, rcpt string, n int) error {
		if rcpt == "slow@x" && n < 3 {
			return temp
		}
		return nil
	}}
	stop := run(t, q, d)
	defer stop()
	enqueue(t, q, "a@b", "fast@x", "slow@x")
	// The message leaves the queue's list before its files are removed:
	// wait for both, what the test asserts.
	waitFor(t, "queue empty and its files removed", func() bool {
		return len(q.List()) == 0 && len(messageFiles(t, q.Dir())) == 0
	})
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.calls) != 3 || d.calls[2].Rcpts[1].Attempts != 2 || len(d.calls[1].Pending()) != 1 {
		t.Fatalf("calls: %+v", d.calls)
	}
	if d.bodies[0] != body {
		t.Fatalf("body %q", d.bodies[0])
	}
}

// TestBounce runs in a synctest bubble: its clock is fake, so that
// "no bounce of a bounce, ever" is checked after every retry the queue
// could make, without a sleep.
func TestBounce(t *testing.T) {
	synctest.Test(t, testBounce)
}

func testBounce(t *testing.T) {
	q, _ := Open(context.Background(), t.TempDir(), testOpts())
	perm := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	var bounces atomic.Int32
	d := &recorder{fn: func(m Message, rcpt string, n int) error {
		if m.From == "" {
			bounces.Add(1)
			return perm // a bounce that fails is dropped, never bounced
		}
		if rcpt == "bad@x" {
			return perm
		}
		return nil
	}}
	stop := run(t, q, d)
	defer stop()
	m := Message{From: "fred@truc.fr", EnvID: "env-1", Rcpts: []Rcpt{{Addr: "good@x"}, {Addr: "bad@x", ORcpt: "alias@x"}}}
	if _, err := q.Enqueue(context.Background(), m, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bounce attempted", func() bool { return bounces.Load() == 1 })
	waitFor(t, "queue empty", func() bool { return len(q.List()) == 0 })
	d.mu.Lock()
	defer d.mu.Unlock()
	var dsn string
	for i, c := range d.calls {
		if c.From == "" {
			dsn = d.bodies[i]
			if c.Rcpts[0].Addr != "fred@truc.fr" {
				t.Fatalf("bounce to %v", c.Rcpts)
			}
		}
	}
	for _, want := range []string{
		"Content-Type: multipart/report; report-type=delivery-status",
		"Content-Type: message/delivery-status",
		"Reporting-MTA: dns; mx.test", "Original-Envelope-Id: env-1",
		"Final-Recipient: rfc822; bad@x", "Original-Recipient: rfc822; alias@x",
		"Action: failed", "Status: 5.1.1", "Remote-MTA: dns; next.test",
		"Content-Type: message/rfc822", "\r\nhello\r\n", "From: Mail Delivery System <MAILER-DAEMON@mx.test>",
	} {
		if !strings.Contains(dsn, want) {
			t.Errorf("DSN lacks %q:\n%s", want, dsn)
		}
	}
	if strings.Contains(dsn, "good@x") {
		t.Error("DSN names a delivered recipient")
	}
	time.Sleep(10 * testOpts().MaxBackoff) // fake time: every retry due by then
	synctest.Wait()                        // and the queue idle
	if bounces.Load() != 1 {
		t.Fatalf("bounce of a bounce: %d", bounces.Load())
	}
}

func TestExpiry(t *testing.T) {
	opt := testOpts()
	now := time.Now()
	var mu sync.Mutex
	opt.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	opt.MaxLifetime = time.Hour
	q, _ := Open(context.Background(), t.TempDir(), opt)
	d := &recorder{fn: func(m Message, rcpt string, n int) error {
		if m.From == "" {
			return nil
		}
		mu.Lock()
		now = now.Add(2 * time.Hour) // the attempt ends after the lifetime
		mu.Unlock()
		return errors.New("connection refused")
	}}
	stop := run(t, q, d)
	defer stop()
	enqueue(t, q, "a@b", "c@d")
	waitFor(t, "expiry bounce delivered", func() bool { return len(q.List()) == 0 && len(d.calls) == 2 })
	if !strings.Contains(d.bodies[1], "Status: 4.4.7") || !strings.Contains(d.bodies[1], "connection refused") {
		t.Fatalf("expiry DSN:\n%s", d.bodies[1])
	}
}

func TestHoldReleaseDeleteFlush(t *testing.T) {
	opt := testOpts()
	opt.MinBackoff, opt.MaxBackoff = time.Hour, time.Hour
	q, _ := Open(context.Background(), t.TempDir(), opt)
	var ok atomic.Bool
	d := &recorder{fn: func(m Message, rcpt string, n int) error {
		if ok.Load() {
			return nil
		}
		return errors.New("down")
	}}
	m1 := enqueue(t, q, "a@b", "x@y")
	m2 := enqueue(t, q, "a@b", "z@y")
	if err := q.Hold(m1.ID); err != nil {
		t.Fatal(err)
	}
	stop := run(t, q, d)
	defer stop()
	waitFor(t, "first attempt", func() bool { g, _ := q.Get(m2.ID); return g.Attempts == 1 })
	if g, _ := q.Get(m1.ID); g.Attempts != 0 || !g.Held {
		t.Fatalf("held message tried: %+v", g)
	}
	ok.Store(true)
	q.Flush()
	waitFor(t, "flush", func() bool { _, err := q.Get(m2.ID); return errors.Is(err, ErrNotFound) })
	if err := q.Delete(m1.ID); err != nil {
		t.Fatal(err)
	}
	if err := q.Release(m1.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("release deleted: %v", err)
	}
	if _, err := os.Stat(q.msgPath(m1.ID)); !os.IsNotExist(err) {
		t.Fatal("deleted message file left")
	}
}

func TestGroupCommit(t *testing.T) {
	q, _ := Open(context.Background(), t.TempDir(), testOpts())
	var syncs atomic.Int32
	q.sync.sync = func(dir string) error {
		syncs.Add(1)
		time.Sleep(5 * time.Millisecond)
		return atomicfile.SyncDir(dir)
	}
	const n = 40
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { enqueue(t, q, "a@b", "c@d") })
	}
	wg.Wait()
	if len(q.List()) != n {
		t.Fatalf("%d queued", len(q.List()))
	}
	if s := syncs.Load(); s >= n {
		t.Fatalf("%d directory fsyncs for %d messages: no group commit", s, n)
	}
	t.Logf("%d directory fsyncs for %d messages", syncs.Load(), n)
}

func TestBadBodyLeavesNothing(t *testing.T) {
	q, _ := Open(context.Background(), t.TempDir(), testOpts())
	_, err := q.Enqueue(context.Background(), Message{From: "a@b", Rcpts: []Rcpt{{Addr: "c@d"}}}, io.MultiReader(strings.NewReader("x"), errReader{}))
	if err == nil {
		t.Fatal("no error")
	}
	if ents, _ := os.ReadDir(q.Dir()); len(ents) != 0 || len(q.List()) != 0 {
		t.Fatalf("left %v", ents)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("bare LF") }

func TestBackoff(t *testing.T) {
	q := &Queue{opt: Options{}}
	q.opt.defaults()
	want := []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute, 160 * time.Minute, 4 * time.Hour, 4 * time.Hour}
	for i, w := range want {
		if got := q.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

func TestIDs(t *testing.T) {
	id := NewID()
	if !ValidID(id) || len(id) != 13 {
		t.Fatalf("NewID %q", id)
	}
	for _, bad := range []string{"../../etc", "", "abc", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAA/AAAAA"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q)", bad)
		}
	}
}

func FuzzParseState(f *testing.F) {
	m := Message{ID: NewID(), From: "a@b", Rcpts: []Rcpt{{Addr: "c@d", Status: StatusPending}}, Size: 3}
	good, _ := m.marshal()
	f.Add(good)
	f.Add([]byte(`{"version":1,"id":"../x","rcpts":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseState(data)
		if err != nil {
			if !errors.Is(err, ErrBadState) {
				t.Fatalf("error not ErrBadState: %v", err)
			}
			return
		}
		if !ValidID(m.ID) || len(m.Rcpts) == 0 {
			t.Fatalf("accepted invalid state %+v", m)
		}
		again, err := m.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseState(again); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// TestFewerWorkersWhileReceiving: while a message is being received, at
// most a quarter of the workers start deliveries; all of them once the
// flow stops.
func TestFewerWorkersWhileReceiving(t *testing.T) {
	opt := testOpts()
	opt.Workers = 8
	q, _ := Open(context.Background(), t.TempDir(), opt)
	for range 10 {
		enqueue(t, q, "a@b", "c@d")
	}
	release := make(chan struct{})
	d := DelivererFunc(func(ctx context.Context, m Message, open func() (io.ReadCloser, error)) []Result {
		<-release
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	sem, ended := make(chan struct{}, opt.Workers), make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer func() { cancel(); close(release); wg.Wait() }()
	q.receiving.Add(1) // an Enqueue in progress
	q.startDue(ctx, d, sem, ended, &wg)
	if len(sem) != 2 {
		t.Fatalf("%d deliveries started while receiving, want 2", len(sem))
	}
	q.receiving.Add(-1)
	q.startDue(ctx, d, sem, ended, &wg)
	if len(sem) != opt.Workers {
		t.Fatalf("%d deliveries started once the flow stopped, want %d", len(sem), opt.Workers)
	}
}
