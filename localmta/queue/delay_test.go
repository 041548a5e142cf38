package queue

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// fakeClock is the queue's clock in tests: it moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// notices returns the bodies of the reports delivered so far.
func (r *recorder) notices() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for i, m := range r.calls {
		if m.From == "" && m.Rcpts[0].Addr == "fred@truc.fr" {
			out = append(out, r.bodies[i])
		}
	}
	return out
}

// TestDelayWarning: with Options.DelayWarning, the sender of a message
// still queued after that time gets one notice with Action: delayed for
// the recipients that want it, once; a null-sender message gets none.
func TestDelayWarning(t *testing.T) {
	opt := testOpts()
	clock := &fakeClock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	opt.Now, opt.DelayWarning = clock.Now, 4*time.Hour
	opt.MinBackoff, opt.MaxBackoff = time.Minute, time.Minute
	dir := t.TempDir()
	q, _ := Open(context.Background(), dir, opt)
	temp := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 1}, Message: "no answer from host"}
	d := &recorder{fn: func(m Message, rcpt string, n int) error {
		if m.From == "" && rcpt == "fred@truc.fr" || rcpt == "done@x" {
			return nil
		}
		return temp
	}}
	stop := run(t, q, d)
	defer stop()
	m := Message{From: "fred@truc.fr", Rcpts: []Rcpt{{Addr: "done@x"}, {Addr: "slow@x", ORcpt: "alias@x"}, {Addr: "quiet@x", Notify: []string{"FAILURE"}}}}
	m, err := q.Enqueue(context.Background(), m, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	null := enqueue(t, q, "", "slow@x")
	attempts := func(n int) {
		t.Helper()
		waitFor(t, "attempts", func() bool {
			a, _ := q.Get(m.ID)
			b, _ := q.Get(null.ID)
			return a.Attempts == n && b.Attempts == n
		})
	}
	attempts(1)
	for n, age := range []time.Duration{3 * time.Hour, 5 * time.Hour, 9 * time.Hour} {
		clock.Add(age - clock.Now().Sub(m.Arrived))
		q.Flush()
		attempts(n + 2)
		if n == 0 && len(d.notices()) != 0 {
			t.Fatalf("warning before the delay: %q", d.notices())
		}
	}
	waitFor(t, "the warning delivered", func() bool { return len(d.notices()) > 0 })
	notices := d.notices()
	if len(notices) != 1 || len(q.List()) != 2 {
		t.Fatalf("%d warnings, queue %+v", len(notices), q.List())
	}
	for _, want := range []string{
		"Subject: Delayed Mail (still being retried)", "THIS IS A WARNING ONLY",
		"Content-Type: message/delivery-status", "X-Facteur-Queue-ID: " + m.ID,
		"Final-Recipient: rfc822; slow@x", "Original-Recipient: rfc822; alias@x",
		"Action: delayed", "Status: 4.4.1", "Diagnostic-Code: smtp; SMTP error 451: no answer from host",
		"Will-Retry-Until: Sun, 29 Nov 2026 09:00:00 +0000",
		"Content-Type: text/rfc822-headers", "\r\nSubject: t\r\n",
	} {
		if !strings.Contains(notices[0], want) {
			t.Errorf("warning lacks %q:\n%s", want, notices[0])
		}
	}
	for _, not := range []string{"done@x", "quiet@x", "\r\nhello\r\n", "Action: failed"} {
		if strings.Contains(notices[0], not) {
			t.Errorf("warning has %q:\n%s", not, notices[0])
		}
	}
	stop()
	again, err := Open(context.Background(), dir, opt)
	if g, _ := again.Get(m.ID); err != nil || !g.DelayWarned {
		t.Fatalf("after restart: %+v, %v", g, err)
	}
}

// TestNoDelayWarningByDefault: without Options.DelayWarning, as in
// Postfix, a deferred message sends no notice.
func TestNoDelayWarningByDefault(t *testing.T) {
	opt := testOpts()
	clock := &fakeClock{now: time.Now()}
	opt.Now, opt.MinBackoff, opt.MaxBackoff = clock.Now, time.Minute, time.Minute
	q, _ := Open(context.Background(), t.TempDir(), opt)
	d := &recorder{fn: func(m Message, rcpt string, n int) error {
		if m.From == "" {
			return nil
		}
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "later"}
	}}
	stop := run(t, q, d)
	defer stop()
	m := enqueue(t, q, "fred@truc.fr", "slow@x")
	for n := 1; n <= 3; n++ {
		waitFor(t, "attempt", func() bool { g, _ := q.Get(m.ID); return g.Attempts == n })
		clock.Add(24 * time.Hour)
		q.Flush()
	}
	if len(q.List()) != 1 || len(d.notices()) != 0 {
		t.Fatalf("queue %+v, notices %q", q.List(), d.notices())
	}
}
