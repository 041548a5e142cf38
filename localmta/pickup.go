package localmta

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"facteur/localmta/queue"

	"github.com/emersion/go-smtp"
)

// PickupMessage is a message that a local program hands over without
// SMTP, as sendmail(8) does when no MTA runs.
type PickupMessage struct {
	From  string   // reverse-path; "" for the null sender <>
	Rcpts []string // recipients, as given
	UTF8  bool     // SMTPUTF8 (RFC 6531): an address is not ASCII
	// Trace is the Received field of the pick-up, given the queue id and
	// the recipients (queue.PickupReceived).
	Trace func(id string, rcpts []string) string
	Body  []byte // the message, CRLF lines
}

// RcptError is a recipient that was refused, with the reply that the
// SMTP server gives it at RCPT TO.
type RcptError struct {
	Rcpt string
	Err  error
}

// Error reads "<rcpt>: 550 5.1.1 text".
func (e *RcptError) Error() string { return "<" + e.Rcpt + ">: " + replyText(e.Err) }

// Unwrap returns the reply.
func (e *RcptError) Unwrap() error { return e.Err }

// replyText writes an SMTP reply as the server sends it.
func replyText(err error) string {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		c := se.EnhancedCode
		return fmt.Sprintf("%d %d.%d.%d %s", se.Code, c[0], c[1], c[2], se.Message)
	}
	return err.Error()
}

// Pickup queues msg into the queue of the MTA configured by cfg, which
// does not run (the caller holds its directory's lock; see package
// control), with the checks of the SMTP server: the sender and each
// recipient go through the very MAIL and RCPT of a session of a trusted
// local client (bad syntax refused, unknown local users 550 5.1.1,
// aliases expanded, remote domains allowed as from loopback), the body
// through the rules of DATA (datarules.go). Refused recipients are
// returned; the message is queued for the others. When every recipient
// or the message itself is refused, nothing is queued and the error is
// the reply (an *smtp.SMTPError, or a *RcptError for the first refused
// recipient).
func Pickup(ctx context.Context, cfg Config, msg PickupMessage) (id string, refused []*RcptError, err error) {
	if cfg.Dir == "" {
		return "", nil, errors.New("localmta: Config.Dir is empty")
	}
	cfg = cfg.withDefaults()
	m := &MTA{cfg: cfg, log: cfg.Logger, ctx: ctx, router: NewRouter(cfg)}
	s := &session{m: m, l: &listener{}, user: "(local pick-up)"}
	if err := s.Mail(msg.From, &smtp.MailOptions{UTF8: msg.UTF8}); err != nil {
		return "", nil, err
	}
	for _, r := range msg.Rcpts {
		if err := s.Rcpt(r, nil); err != nil {
			refused = append(refused, &RcptError{Rcpt: r, Err: err})
		}
	}
	if len(s.rcpts) == 0 {
		if len(refused) == 0 {
			return "", nil, queue.ErrNoRcpt
		}
		return "", refused, refused[0]
	}
	if m.queue, err = queue.Open(ctx, QueueDir(cfg.Dir), cfg.Queue); err != nil {
		return "", refused, err
	}
	id = queue.NewID()
	var accepted []string
	for _, r := range msg.Rcpts {
		if !isRefused(refused, r) {
			accepted = append(accepted, r)
		}
	}
	if err := s.enqueue(id, msg.Trace(id, accepted), bytes.NewReader(msg.Body)); err != nil {
		return "", refused, err
	}
	return id, refused, nil
}

func isRefused(refused []*RcptError, rcpt string) bool {
	for _, r := range refused {
		if r.Rcpt == rcpt {
			return true
		}
	}
	return false
}
