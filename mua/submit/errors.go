package submit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"facteur/mua/account"
	"facteur/mua/oauth"

	"github.com/emersion/go-smtp"
)

// Errors for errors.Is.
var (
	// ErrNoStartTLS: the server does not offer STARTTLS; nothing was sent.
	ErrNoStartTLS = account.ErrNoStartTLS
	// ErrTooBig: the message is larger than the server's SIZE.
	ErrTooBig = errors.New("submit: message larger than the server accepts")
	// ErrNoOutgoing: the account has no SMTP server.
	ErrNoOutgoing = errors.New("submit: the account has no outgoing server")
	// ErrUncertain: the server may have accepted the message (an
	// *UncertainError).
	ErrUncertain = errors.New("submit: the message may have been delivered")
)

// UncertainError is a submission whose outcome is unknown: the whole
// message and its final dot were written, then the connection closed, or
// no reply came before the deadline (RFC 5321 §4.5.3.2.6 gives the server
// 10 minutes; RFC 1047 describes the duplicates a retry makes). The server
// may have accepted it, so it is not sent again by itself: Outbox files
// its copy in Sent marked with DeliveryField, and the user decides.
type UncertainError struct {
	Server string
	Err    error // the read that failed
	// Refused, when set, lists the recipients refused at RCPT; the
	// outcome is uncertain for its Accepted ones only.
	Refused *RecipientsError
}

func (e *UncertainError) Error() string {
	return fmt.Sprintf("submit: %s: the connection was lost after the whole message was sent, before the server confirmed it (%v): it may have been delivered", e.Server, e.Err)
}

func (e *UncertainError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUncertain) true.
func (e *UncertainError) Is(target error) bool { return target == ErrUncertain }

// Error is a failure of a submission step, with the server and the step.
type Error struct {
	Server string // "smtp.example.com:587"
	Op     string // "connect", "starttls", "auth", "mail", "data"...
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("submit: %s: %s: %v", e.Server, e.Op, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// SizeError is a message over the server's SIZE limit.
type SizeError struct {
	Size, Limit int64
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("submit: the message is %d bytes, the server accepts at most %d", e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrTooBig) true.
func (e *SizeError) Is(target error) bool { return target == ErrTooBig }

// Rejection is one recipient the server refused, with its reply.
type Rejection struct {
	Addr string
	Err  *smtp.SMTPError
}

// RecipientsError lists the recipients the server refused. When Accepted
// is not empty the message was sent to them: a partial success.
type RecipientsError struct {
	Rejected []Rejection
	Accepted []string
}

func (e *RecipientsError) Error() string {
	parts := make([]string, len(e.Rejected))
	for i, r := range e.Rejected {
		parts[i] = fmt.Sprintf("<%s>: %d %s", r.Addr, r.Err.Code, r.Err.Message)
	}
	s := "submit: recipients refused: " + strings.Join(parts, "; ")
	if len(e.Accepted) > 0 {
		s += fmt.Sprintf(" (sent to the %d others)", len(e.Accepted))
	}
	return s
}

// temporary returns the refusals with a 4xx reply, nil if none; the
// method works on a nil e.
func (e *RecipientsError) temporary() *RecipientsError {
	return e.only(true)
}

// permanent returns the refusals for good as an error, nil if none.
func (e *RecipientsError) permanent() error {
	if p := e.only(false); p != nil {
		return p
	}
	return nil
}

func (e *RecipientsError) only(temporary bool) *RecipientsError {
	if e == nil {
		return nil
	}
	out := &RecipientsError{Accepted: e.Accepted}
	for _, r := range e.Rejected {
		if (r.Err.Code/100 == 4) == temporary {
			out.Rejected = append(out.Rejected, r)
		}
	}
	if len(out.Rejected) == 0 {
		return nil
	}
	return out
}

// Temporary reports whether every refusal was a 4xx reply.
func (e *RecipientsError) Temporary() bool {
	for _, r := range e.Rejected {
		if r.Err.Code/100 != 4 {
			return false
		}
	}
	return true
}

// Temporary tells whether a submission error is worth retrying later
// from the outbox: the network (dial errors, timeouts, a connection cut
// before the message was all sent, a failed TLS handshake) or a 4xx
// reply. Certificates, authentication (a refused OAuth2 token included,
// whatever its reply code, and an authorization to run again), 5xx
// replies, SIZE and a missing STARTTLS need the user; an uncertain outcome
// (UncertainError) is not retried, lest the message go twice.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	var se *smtp.SMTPError
	var re *RecipientsError
	var ce *account.CertificateError
	switch {
	case errors.As(err, &ce), errors.Is(err, ErrNoStartTLS), errors.Is(err, ErrTooBig), errors.Is(err, context.Canceled),
		errors.Is(err, ErrUncertain), needsUser(err):
		return false
	case errors.As(err, &re):
		return re.Temporary() && len(re.Accepted) == 0
	case errors.As(err, &se):
		return se.Code/100 == 4
	}
	var ne net.Error
	var oe *net.OpError
	var e *Error
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &e) && (e.Op == "connect" || e.Op == "greeting" || e.Op == "starttls"))
}

// needsUser: OAuth2 failures that no retry mends.
func needsUser(err error) bool {
	return errors.Is(err, oauth.ErrRejected) || errors.Is(err, oauth.ErrNoMechanism) ||
		errors.Is(err, oauth.ErrReauthorize) || errors.Is(err, oauth.ErrNotAuthorized)
}
