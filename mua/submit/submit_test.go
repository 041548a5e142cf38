package submit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"facteur/internal/message"
	"facteur/mua/account"
	"facteur/mua/compose"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

var testNow = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)

func build(t *testing.T, d compose.Draft) *compose.Message {
	t.Helper()
	m, err := compose.Build(d, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sampleDraft() compose.Draft {
	d := compose.New(account.Identity{Name: "Fréd Truc", Address: "fred@truc.fr"})
	d.To = "Marc Machin <marc@machin.com>"
	d.Cc = "paul@uvsq.fr"
	d.Bcc = "secret@truc.fr"
	d.Subject = "Réunion de lundi"
	d.Body = "Bonjour Marc,\n\nà lundi.\n"
	d.Attachments = []compose.Attachment{{Name: "ordre du jour é.txt", ContentType: "text/plain", Data: []byte("1. SMTP\n")}}
	return d
}

func TestSendStartTLS(t *testing.T) {
	ts := startServer(t, serverOpts{startTLS: true})
	m := build(t, sampleDraft())
	if err := testClient(ts).Send(context.Background(), testAccount(ts, account.SecurityStartTLS), m); err != nil {
		t.Fatal(err)
	}
	got := ts.messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages", len(got))
	}
	r := got[0]
	if !r.TLS || r.User != "fred@truc.fr" {
		t.Fatalf("TLS %v, AUTH user %q", r.TLS, r.User)
	}
	if r.From != "fred@truc.fr" || strings.Join(r.Rcpts, " ") != "marc@machin.com paul@uvsq.fr secret@truc.fr" {
		t.Fatalf("envelope %q -> %q", r.From, r.Rcpts)
	}
	if !bytes.Equal(r.Data, m.Raw) {
		t.Fatal("the bytes that arrived differ from the built message")
	}
	if has(r.Data, "secret@truc.fr") || bytes.Contains(bytes.ToLower(r.Data), []byte("\nbcc:")) {
		t.Fatal("the Bcc recipient shows in the message")
	}
	pm, err := message.Parse(bytes.NewReader(r.Data), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pm.Subject != "Réunion de lundi" || len(pm.Attachments) != 1 || pm.Attachments[0].Filename != "ordre du jour é.txt" {
		t.Fatalf("parsed: subject %q, attachments %+v", pm.Subject, pm.Attachments)
	}
	if !strings.Contains(pm.Text, "à lundi.") || len(pm.From) != 1 || pm.From[0].Name != "Fréd Truc" {
		t.Fatalf("parsed: text %q, from %+v", pm.Text, pm.From)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	ts := startServer(t, serverOpts{implicit: true})
	if err := testClient(ts).Send(context.Background(), testAccount(ts, account.SecurityTLS), build(t, sampleDraft())); err != nil {
		t.Fatal(err)
	}
	if got := ts.messages(); len(got) != 1 || got[0].User != "fred@truc.fr" {
		t.Fatalf("got %+v", got)
	}
}

func TestStartTLSStrippedNeverSendsInClear(t *testing.T) {
	ts := startServer(t, serverOpts{}) // no STARTTLS offered
	err := testClient(ts).Send(context.Background(), testAccount(ts, account.SecurityStartTLS), build(t, sampleDraft()))
	if !errors.Is(err, ErrNoStartTLS) {
		t.Fatalf("err = %v, want ErrNoStartTLS", err)
	}
	if Temporary(err) {
		t.Fatal("a missing STARTTLS must not be retried silently")
	}
	if ts.mailCount() != 0 || len(ts.messages()) != 0 {
		t.Fatal("something was sent in clear")
	}
}

func TestUntrustedCertificate(t *testing.T) {
	ts := startServer(t, serverOpts{implicit: true})
	c := testClient(ts)
	c.Dialer.RootCAs = nil // the test CA is not in the system roots
	err := c.Send(context.Background(), testAccount(ts, account.SecurityTLS), build(t, sampleDraft()))
	var ce *account.CertificateError
	if !errors.As(err, &ce) || ce.Fingerprint == "" || Temporary(err) {
		t.Fatalf("err = %v, want a *CertificateError", err)
	}
}

func TestRecipientRejected(t *testing.T) {
	ts := startServer(t, serverOpts{startTLS: true})
	ts.reject["paul@uvsq.fr"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	err := testClient(ts).Send(context.Background(), testAccount(ts, account.SecurityStartTLS), build(t, sampleDraft()))
	var re *RecipientsError
	if !errors.As(err, &re) || len(re.Rejected) != 1 || re.Rejected[0].Addr != "paul@uvsq.fr" || re.Rejected[0].Err.Code != 550 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "No such user here") || len(re.Accepted) != 2 {
		t.Fatalf("err = %v, accepted %v", err, re.Accepted)
	}
	got := ts.messages()
	if len(got) != 1 || strings.Join(got[0].Rcpts, " ") != "marc@machin.com secret@truc.fr" {
		t.Fatalf("the accepted recipients did not get it: %+v", got)
	}
}

func TestSizeLimit(t *testing.T) {
	ts := startServer(t, serverOpts{startTLS: true, maxBytes: 2000})
	d := sampleDraft()
	d.Attachments[0].Data = bytes.Repeat([]byte("x"), 4000)
	err := testClient(ts).Send(context.Background(), testAccount(ts, account.SecurityStartTLS), build(t, d))
	var se *SizeError
	if !errors.Is(err, ErrTooBig) || !errors.As(err, &se) || se.Limit != 2000 {
		t.Fatalf("err = %v, want a *SizeError", err)
	}
	if ts.mailCount() != 0 {
		t.Fatal("MAIL was sent for a message over SIZE")
	}
	n, err := testClient(ts).Limit(context.Background(), testAccount(ts, account.SecurityStartTLS))
	if err != nil || n != 2000 {
		t.Fatalf("Limit = %d, %v", n, err)
	}
	a := testAccount(ts, account.SecurityStartTLS)
	a.Options.SizeLimit = n
	if SizeWarning(a, d.Size()) == nil || SizeWarning(a, 100) != nil {
		t.Fatal("SizeWarning")
	}
}

func TestSendUTF8Address(t *testing.T) {
	ts := startServer(t, serverOpts{startTLS: true})
	d := sampleDraft()
	d.To = "δοκιμή@παράδειγμα.δοκιμή"
	d.Cc, d.Bcc = "", ""
	m := build(t, d)
	if !m.SMTPUTF8 || !m.EightBit {
		t.Fatalf("SMTPUTF8 %v, 8bit %v", m.SMTPUTF8, m.EightBit)
	}
	if err := testClient(ts).Send(context.Background(), testAccount(ts, account.SecurityStartTLS), m); err != nil {
		t.Fatal(err)
	}
	got := ts.messages()
	if len(got) != 1 || got[0].Rcpts[0] != "δοκιμή@παράδειγμα.δοκιμή" {
		t.Fatalf("got %+v", got)
	}
	if _, err := mail.CreateReader(bytes.NewReader(got[0].Data)); err != nil {
		t.Fatal(err)
	}
}

func TestTemporary(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&smtp.SMTPError{Code: 451}, true},
		{&smtp.SMTPError{Code: 550}, false},
		{&Error{Op: "connect", Err: io.EOF}, true},
		{&Error{Op: "starttls", Err: ErrNoStartTLS}, false},
		{&RecipientsError{Rejected: []Rejection{{Addr: "a@b", Err: &smtp.SMTPError{Code: 452}}}}, true},
		{context.DeadlineExceeded, true},
		{&Error{Op: "starttls", Err: io.EOF}, true}, // a handshake cut short
		{&UncertainError{Server: "x:587", Err: io.EOF}, false},
	}
	for _, tt := range tests {
		if got := Temporary(tt.err); got != tt.want {
			t.Errorf("Temporary(%v) = %v", tt.err, got)
		}
	}
}
