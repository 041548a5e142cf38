package queue

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// syncBuffer is a bytes.Buffer for a logger shared by goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEachAttemptIsLogged: deferral and bounce reasons were in mailq only;
// every attempt now logs one line per recipient with its status and the
// reply, as Postfix's "status=deferred (...)" (issue 10).
func TestEachAttemptIsLogged(t *testing.T) {
	var logs syncBuffer
	opt := testOpts()
	opt.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	q, err := Open(context.Background(), t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	m := enqueue(t, q, "fred@truc.fr", "ok@next.test", "later@next.test", "nobody@next.test")
	d := DelivererFunc(func(ctx context.Context, m Message, _ func() (io.ReadCloser, error)) []Result {
		return []Result{
			{Rcpt: "ok@next.test", Remote: "mx.next.test", Reply: "250 2.0.0 Ok: queued as 4XYZ"},
			{Rcpt: "later@next.test", Remote: "mx.next.test", Err: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "Mailbox busy"}},
			{Rcpt: "nobody@next.test", Remote: "mx.next.test", Err: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}},
		}
	})
	stop := run(t, q, d)
	waitFor(t, "three log lines", func() bool { return strings.Count(logs.String(), "msg=delivery") >= 3 })
	stop()
	for _, want := range []string{
		"id=" + m.ID + " to=ok@next.test relay=mx.next.test delay=",
		"dsn=2.0.0 status=sent reply=\"250 2.0.0 Ok: queued as 4XYZ\"",
		"to=later@next.test relay=mx.next.test",
		"dsn=4.2.0 status=deferred reply=\"SMTP error 451: Mailbox busy\"",
		"level=WARN msg=delivery id=" + m.ID + " to=nobody@next.test",
		"dsn=5.1.1 status=bounced reply=\"SMTP error 550: No such user\"",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
