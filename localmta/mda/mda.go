// Package mda is Facteur's mail delivery agent, the course's "facteur": it
// takes a message that the routing agent found to be local and puts it into
// the recipient's mailbox, either the Local account of the mailstore (a
// Maildir, written tmp -> fsync -> new) or an mbox spool file such as
// /var/mail/login (the course's "Mémoire de messages": a From_ separator
// line, mboxrd ">From " quoting, dotlock plus fcntl/LockFileEx locking).
//
// The interface follows maddy's delivery model: every method takes a
// context, and a delivery goes StartDelivery -> AddRcpt -> Body -> Commit or
// Abort. At final delivery the MDA prepends Return-Path (RFC 5321 §4.4,
// RFC 5322 §3.6.7) and Delivered-To, and the Store target records the SMTP
// envelope (MAIL FROM, RCPT TO) in the mailstore index.
//
// Errors that a client should see are *smtp.SMTPError values of
// github.com/emersion/go-smtp with enhanced status codes (RFC 3463):
// ErrUnknownUser (550 5.1.1), ErrMailboxBusy (451 4.2.0); others wrap the
// cause and are temporary.
package mda

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Envelope is the SMTP envelope of a message being delivered (RFC 5321
// §2.3.1): the reverse-path of MAIL FROM ("" for the null path <> of
// bounces) and an optional queue identifier for the logs.
type Envelope struct {
	MailFrom string
	QueueID  string
	// Arrived is when the queue took the message. With QueueID it names
	// a delivery that is the same after a restart (see DeliveryKey).
	Arrived time.Time
	// Copies, when a recipient has an entry, are where its copies go, as
	// its filter decided (filter.go); the Store target honours them, the
	// Mbox target has one mailbox per login and ignores them.
	Copies map[string][]Copy
}

// DeliveryKey names the delivery of the queue entry env to rcpt, the same
// whenever it is replayed: the Maildir key of its file ("time.Qid_rcpt.
// host") and its mark in an mbox's journal. "" when env has no queue id.
func DeliveryKey(env Envelope, rcpt string) string {
	if env.QueueID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.ToLower(rcpt)))
	return fmt.Sprintf("%d.Q%s_%s.%s", env.Arrived.Unix(), env.QueueID, hex.EncodeToString(sum[:5]), keyHost)
}

// keyHost is the host part of the delivery keys: this host's name, with
// '_' for what a Maildir key should not hold ('/', ':', '!', ',').
var keyHost = func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, h)
}()

// Buffer holds a message body that can be read several times, once per
// mailbox.
type Buffer interface {
	Open() (io.ReadCloser, error)
}

// BufferFunc adapts a function to Buffer.
type BufferFunc func() (io.ReadCloser, error)

// Open calls f.
func (f BufferFunc) Open() (io.ReadCloser, error) { return f() }

// StringBuffer is a Buffer over a string, for tests and small messages.
type StringBuffer string

// Open returns a reader of the string.
func (s StringBuffer) Open() (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(string(s))), nil
}

// Target is a kind of mailbox that messages are delivered into.
type Target interface {
	// StartDelivery begins the delivery of one message.
	StartDelivery(ctx context.Context, env Envelope) (Delivery, error)
}

// Delivery is one message on its way into mailboxes. AddRcpt names each
// recipient (a local login or an address whose local part is the login),
// Body gives the message, Commit makes it visible in every mailbox, Abort
// leaves no trace. Commit either delivers to every recipient or returns a
// *RcptError for those that failed; delivered copies stay delivered.
type Delivery interface {
	AddRcpt(ctx context.Context, rcpt string) error
	Body(ctx context.Context, body Buffer) error
	Commit(ctx context.Context) error
	Abort(ctx context.Context) error
}

// Errors of the targets, for errors.Is and for the SMTP reply.
var (
	ErrUnknownUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	ErrMailboxBusy = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "Mailbox busy, try again later"}
	ErrNoBody      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Delivery committed without a body"}
)

// RcptError lists the recipients of a Commit that were not delivered.
type RcptError struct {
	Errs map[string]error // by recipient as given to AddRcpt
}

// Error lists the failed recipients.
func (e *RcptError) Error() string {
	var b strings.Builder
	b.WriteString("mda: delivery failed for")
	for r, err := range e.Errs {
		b.WriteString(" <" + r + ">: " + err.Error() + ";")
	}
	return b.String()
}

// Unwrap returns the recipients' errors.
func (e *RcptError) Unwrap() []error {
	out := make([]error, 0, len(e.Errs))
	for _, err := range e.Errs {
		out = append(out, err)
	}
	return out
}

// Login returns the mailbox name of a recipient: the local part of an
// address, lower-cased, or the recipient itself when it has no '@'.
func Login(rcpt string) string {
	if i := strings.LastIndexByte(rcpt, '@'); i >= 0 {
		rcpt = rcpt[:i]
	}
	if len(rcpt) >= 2 && rcpt[0] == '"' && rcpt[len(rcpt)-1] == '"' {
		rcpt = rcpt[1 : len(rcpt)-1]
	}
	return strings.ToLower(rcpt)
}

// traceHeader returns the Return-Path and Delivered-To fields that final
// delivery prepends (RFC 5321 §4.4: the reverse-path, <> for bounces).
func traceHeader(mailFrom, rcpt string) string {
	return "Return-Path: <" + cleanHeaderValue(mailFrom) + ">\r\nDelivered-To: " + cleanHeaderValue(rcpt) + "\r\n"
}

// cleanHeaderValue keeps an address from injecting header lines.
func cleanHeaderValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '<' || r == '>' {
			return -1
		}
		return r
	}, s)
}

// withTrace returns a reader of the message with its trace fields first.
func withTrace(body Buffer, mailFrom, rcpt string) (io.ReadCloser, error) {
	rc, err := body.Open()
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(strings.NewReader(traceHeader(mailFrom, rcpt)), rc), rc}, nil
}
