package submit

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"facteur/localmta/queue"
	"facteur/mua/account"
	"facteur/mua/internal/testtls"
	"facteur/mua/submit/smtptest"

	"github.com/emersion/go-smtp"
)

// faultAccount is an account whose SMTP server is fs: in plaintext, or
// with implicit TLS (the test CA's roots given to the client).
func faultAccount(fs *smtptest.Server, sec account.Security) account.Account {
	return account.Account{
		Name: "truc", Identity: account.Identity{Address: "fred@truc.fr"}, Protocol: account.POP3,
		Outgoing: account.Server{Host: "127.0.0.1", Port: fs.Port, Security: sec},
	}
}

// Issue 11, item 3: how each misbehaving server's answer is classified.
// Only a reply lost after the whole message was sent is uncertain.
func TestSubmitFaults(t *testing.T) {
	pki, err := testtls.New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fault     smtptest.Fault
		temporary bool // worth a retry from the outbox
		uncertain bool // the server may have it
		check     func(error) bool
	}{
		{smtptest.Greeting421, true, false, func(err error) bool { var se *smtp.SMTPError; return errors.As(err, &se) && se.Code == 421 }},
		{smtptest.TLSGarbage, true, false, func(err error) bool { var e *Error; return errors.As(err, &e) && e.Op == "connect" }},
		{smtptest.Rcpt451, false, false, func(err error) bool {
			var re *RecipientsError
			return errors.As(err, &re) && len(re.Accepted) == 2 && re.temporary() != nil && re.permanent() == nil
		}},
		{smtptest.Data552, false, false, func(err error) bool { var se *smtp.SMTPError; return errors.As(err, &se) && se.Code == 552 }},
		{smtptest.CloseInData, true, false, func(err error) bool { var e *Error; return errors.As(err, &e) && e.Op == "data" }},
		{smtptest.CloseAfterDot, false, true, func(err error) bool { return strings.Contains(err.Error(), "may have been delivered") }},
		{smtptest.StallAfterDot, false, true, func(err error) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			sec, conf := account.SecurityNone, pki.Server
			if tt.fault != smtptest.TLSGarbage {
				conf = nil
			} else {
				sec = account.SecurityTLS
			}
			fs := smtptest.Start(t, conf, tt.fault)
			m := build(t, sampleDraft())
			m.Rcpts = []string{"marc@machin.com", smtptest.Busy, "paul@uvsq.fr"}
			c := &Client{Dialer: &account.Dialer{RootCAs: pki.Roots}, Timeout: 2 * time.Second}
			err := c.Send(context.Background(), faultAccount(fs, sec), m)
			if err == nil || !tt.check(err) || Temporary(err) != tt.temporary || errors.Is(err, ErrUncertain) != tt.uncertain {
				t.Fatalf("err = %v (temporary %v, uncertain %v)", err, Temporary(err), errors.Is(err, ErrUncertain))
			}
		})
	}
}

// faultOutbox is an outbox whose account's server (plaintext) misbehaves
// as faults say, with a queue and the copies filed in Sent.
func faultOutbox(t *testing.T, faults ...smtptest.Fault) (*smtptest.Server, account.Account, *queue.Queue, *sentCopies, *Outbox) {
	fs := smtptest.Start(t, nil, faults...)
	a := faultAccount(fs, account.SecurityNone)
	q := openQueue(t)
	sent := &sentCopies{}
	return fs, a, q, sent, &Outbox{Client: &Client{}, Accounts: accounts{"truc": a}, Spool: q, Sent: sent}
}

// An uncertain outcome is not queued: the copy in Sent is marked, and the
// server got the message once.
func TestOutboxSendUncertain(t *testing.T) {
	fs, a, q, sent, ob := faultOutbox(t, smtptest.CloseAfterDot)
	m := build(t, sampleDraft())
	out, err := ob.Send(context.Background(), &a, m, false)
	if !errors.Is(err, ErrUncertain) || !out.Uncertain || out.Sent || out.Queued || len(q.List()) != 0 {
		t.Fatalf("Send = %+v, %v", out, err)
	}
	copies := sent.copies()
	if len(copies) != 1 || !bytes.HasPrefix(copies[0], []byte(DeliveryField+": uncertain; server="+a.Outgoing.Address("smtp"))) ||
		!bytes.HasSuffix(copies[0], m.Raw) {
		t.Fatalf("Sent copies: %q", copies)
	}
	if n := len(fs.Messages()); n != 1 {
		t.Fatalf("the server got %d copies", n)
	}
}

// A recipient refused for now (451) while the others got the message waits
// in the outbox alone, and the retry sends it to that recipient only.
func TestOutboxQueuesTemporaryRefusals(t *testing.T) {
	fs, a, q, sent, ob := faultOutbox(t, smtptest.Rcpt451)
	m := build(t, sampleDraft())
	m.Rcpts = []string{"marc@machin.com", smtptest.Busy}
	out, err := ob.Send(context.Background(), &a, m, false)
	if err != nil || !out.Sent || !out.Queued || strings.Join(out.QueuedFor, ",") != smtptest.Busy {
		t.Fatalf("Send = %+v, %v", out, err)
	}
	if l := q.List(); len(l) != 1 || len(l[0].Rcpts) != 1 || l[0].Rcpts[0].Addr != smtptest.Busy || !l[0].Relay.Rest {
		t.Fatalf("queue %+v", l)
	}
	runQueue(t, q, ob)
	got := fs.Messages()
	if len(got) != 2 || strings.Join(got[0].Rcpts, ",") != "marc@machin.com" || strings.Join(got[1].Rcpts, ",") != smtptest.Busy {
		t.Fatalf("the server got %+v", got)
	}
	if sent.count() != 1 {
		t.Fatalf("%d copies in Sent, want 1", sent.count())
	}
}

// The same lost reply during a retry from the outbox: taken as delivered,
// not sent again, the copy in Sent marked.
func TestOutboxDeliverUncertain(t *testing.T) {
	fs, a, q, sent, ob := faultOutbox(t, smtptest.Greeting421, smtptest.CloseAfterDot)
	out, err := ob.Send(context.Background(), &a, build(t, sampleDraft()), false)
	if err != nil || !out.Queued {
		t.Fatalf("Send = %+v, %v", out, err)
	}
	runQueue(t, q, ob)
	if n := len(fs.Messages()); n != 1 || fs.Connections() != 2 {
		t.Fatalf("the server got %d copies in %d connections, want 1 in 2", n, fs.Connections())
	}
	if c := sent.copies(); len(c) != 1 || !bytes.HasPrefix(c[0], []byte(DeliveryField+": uncertain")) {
		t.Fatalf("Sent copies: %q", c)
	}
}

// runQueue runs q with d until it is empty.
func runQueue(t *testing.T, q *queue.Queue, d queue.Deliverer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- q.Run(ctx, d) }()
	waitFor(t, "an empty queue", func() bool { return len(q.List()) == 0 })
	cancel()
	<-done
}
