package handoff

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"facteur/internal/ascii"
	"facteur/localmta"
	"facteur/localmta/control"
	"facteur/localmta/queue"
)

// Submission is a message of a local sender for the MTA to route.
type Submission struct {
	From  string   // the reverse-path; "" is the null sender <>
	Rcpts []string // the recipients
	Body  []byte   // the message, CRLF lines
	// Program and User name who submits, in the Received field of a
	// pick-up (queue.PickupReceived: "by host (Facteur sendmail, from
	// userid marc)"); an SMTP submission gets the server's own field.
	Program, User string
}

// Receipt is what Submit did.
type Receipt struct {
	Where
	QueueID string // the queue id, when the MTA gave one
	// Refused are the recipients refused at RCPT TO, with the reply; the
	// message went to the others.
	Refused []*localmta.RcptError
}

// ErrNoSMTP: the running MTA listens on no SMTP address.
var ErrNoSMTP = errors.New("handoff: the running MTA has no SMTP listener")

// Submit hands a local submission to the running MTA over SMTP, or, when
// none runs, picks it up into the queue (localmta.Pickup) holding the MTA
// directory's lock, so that an MTA starting meanwhile waits and then
// finds it. Either way the SMTP server's checks apply. A recipient refused
// is in Receipt.Refused and the others get the message; when every one is
// refused, nothing is queued and the error is the first refusal.
func (c *Client) Submit(ctx context.Context, s Submission) (Receipt, error) {
	r := Receipt{Where: Where{QueueDir: localmta.QueueDir(c.Dir)}}
	cl, lock, err := control.Connect(ctx, c.Dir)
	if err != nil {
		return r, err
	}
	if cl != nil {
		r.PID = cl.Info().PID
		if r.SMTP, err = smtpAddr(cl.Info()); err != nil {
			return r, err
		}
		r.QueueID, r.Refused, err = SendSMTP(ctx, r.SMTP, s.From, s.Rcpts, s.Body, c.timeout())
		return r, err
	}
	defer lock.Unlock()
	r.QueueID, r.Refused, err = c.pickup(ctx, s)
	return r, err
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 5 * time.Minute
}

// pickup queues the message into the spool of an MTA that does not run
// (the caller holds the lock), with the Received field of a local pick-up.
func (c *Client) pickup(ctx context.Context, s Submission) (string, []*localmta.RcptError, error) {
	cfg := localmta.Config{Dir: c.Dir}
	if c.Config != nil {
		var err error
		if cfg, err = c.Config(); err != nil {
			return "", nil, err
		}
	}
	cfg.Logger = c.logger()
	now := c.now()
	return localmta.Pickup(ctx, cfg, localmta.PickupMessage{
		From: s.From, Rcpts: s.Rcpts, UTF8: !ascii.Is(s.From + strings.Join(s.Rcpts, "")),
		Trace: func(id string, rcpts []string) string {
			return queue.PickupReceived("", s.Program, s.User, id, rcpts, now)
		},
		Body: s.Body,
	})
}

// smtpAddr picks the running MTA's SMTP listener, on loopback.
func smtpAddr(info control.Info) (string, error) {
	if len(info.SMTP) == 0 {
		return "", ErrNoSMTP
	}
	host, port, err := net.SplitHostPort(info.SMTP[0])
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// SendSMTP submits a message to the SMTP server at addr (the local MTA's
// loopback listener) in one transaction (RFC 5321 §3.3), with SMTPUTF8 and
// 8BITMIME when the message needs them, and returns the queue id of the
// server's reply. A recipient refused at RCPT TO is returned and the
// message goes to the others; when every one is refused nothing is sent
// and the error is the first refusal.
func SendSMTP(ctx context.Context, addr, from string, rcpts []string, msg []byte, timeout time.Duration) (string, []*localmta.RcptError, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return "", nil, err
	}
	opts := &smtp.MailOptions{UTF8: !ascii.Is(from + strings.Join(rcpts, ""))}
	if !ascii.Is(msg) {
		opts.Body = smtp.Body8BitMIME
	}
	if err := c.Mail(from, opts); err != nil {
		return "", nil, err
	}
	var refused []*localmta.RcptError
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			refused = append(refused, &localmta.RcptError{Rcpt: r, Err: err})
		}
	}
	if len(refused) == len(rcpts) {
		if len(refused) == 0 {
			return "", nil, queue.ErrNoRcpt
		}
		return "", refused, refused[0]
	}
	id, err := sendData(c, msg)
	if err != nil {
		return "", refused, err
	}
	return id, refused, c.Quit()
}

// sendData sends the message after DATA and reads the queue id of the
// reply ("" when the server gave none that Facteur's MTA would).
func sendData(c *smtp.Client, msg []byte) (string, error) {
	w, err := c.Data()
	if err != nil {
		return "", err
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return "", err
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", err
	}
	id, _ := localmta.QueuedID(resp.StatusText)
	return id, nil
}

// String is the sentence of the command line: where the message went.
func (r Receipt) String() string {
	switch {
	case r.Running() && r.SMTP != "":
		return fmt.Sprintf("sent over SMTP to the running MTA at %s%s", r.SMTP, idNote(r.QueueID))
	case r.Running():
		return fmt.Sprintf("handed to the running MTA (PID %d)%s", r.PID, idNote(r.QueueID))
	}
	return fmt.Sprintf("no MTA running; queued as %s in %s for delivery when `facteur mta` or the app starts", r.QueueID, r.QueueDir)
}

func idNote(id string) string {
	if id == "" {
		return ""
	}
	return " (queue id " + id + ")"
}
