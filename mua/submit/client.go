package submit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"facteur/internal/netreset"
	"facteur/mua/account"
	"facteur/mua/compose"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Passwords gives an account's SMTP password; *account.Credentials is one.
type Passwords interface {
	Get(key string) (string, error)
}

// Client submits messages through the accounts' SMTP servers. The zero
// value uses the system roots, no password and 5-minute deadlines.
type Client struct {
	Dialer    *account.Dialer
	Passwords Passwords
	// Tokens gives the access tokens of OAuth2 accounts; nil means an
	// oauth.Tokens on Passwords when it can also save (Set), as
	// *account.Credentials can.
	Tokens AccessTokens
	// LocalName is the EHLO name; "" means "localhost".
	LocalName string
	// Timeout bounds a whole submission; 0 means 5 min.
	Timeout time.Duration
	// DebugWriter, when set, receives the raw SMTP transcript after TLS.
	// It may hold credentials (the AUTH exchange, base64).
	DebugWriter io.Writer
}

// Envelope is the SMTP envelope of a submission.
type Envelope struct {
	From     string
	Rcpts    []string
	SMTPUTF8 bool
	EightBit bool
}

// EnvelopeOf returns the envelope of a built message.
func EnvelopeOf(m *compose.Message) Envelope {
	return Envelope{From: m.From, Rcpts: m.Rcpts, SMTPUTF8: m.SMTPUTF8, EightBit: m.EightBit}
}

// Send submits a built message through the account's SMTP server.
func (c *Client) Send(ctx context.Context, a account.Account, m *compose.Message) error {
	return c.Submit(ctx, a, EnvelopeOf(m), m.Raw)
}

// Submit sends raw through the account's SMTP server. A nil error means
// every recipient accepted it; a *RecipientsError lists the refused ones
// (the others got it when its Accepted is not empty).
func (c *Client) Submit(ctx context.Context, a account.Account, env Envelope, raw []byte) error {
	if a.Outgoing.Host == "" {
		return ErrNoOutgoing
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := a.Outgoing.Address("smtp")
	sc, wt, err := c.open(ctx, a)
	if err != nil {
		return err
	}
	defer sc.Close()
	if err := c.auth(ctx, sc, a); err != nil {
		return &Error{Server: addr, Op: "auth", Err: err}
	}
	return transact(sc, wt, addr, env, raw)
}

// open connects, runs TLS as the account says and EHLO. The connection
// the SMTP client talks on is watched by a writeTracker.
func (c *Client) open(ctx context.Context, a account.Account) (*smtp.Client, *writeTracker, error) {
	s := a.Outgoing
	addr := s.Address("smtp")
	conn, err := c.Dialer.Dial(ctx, s, "smtp")
	if err != nil {
		return nil, nil, &Error{Server: addr, Op: "connect", Err: err}
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	raw := conn
	context.AfterFunc(ctx, func() { raw.Close() }) // ctx ends with the submission
	if s.Sec() == account.SecurityStartTLS {
		conn, err = c.startTLS(ctx, conn, s, addr)
		if err != nil {
			return nil, nil, err
		}
	}
	wt := &writeTracker{Conn: conn}
	sc := smtp.NewClient(wt)
	sc.DebugWriter = c.DebugWriter
	name := c.LocalName
	if name == "" {
		name = "localhost"
	}
	if err := sc.Hello(name); err != nil {
		sc.Close()
		return nil, nil, &Error{Server: addr, Op: "greeting", Err: err}
	}
	return sc, wt, nil
}

// writeTracker records whether a write to the server failed: when the
// reply to the final dot cannot be read although every byte was written,
// the server may have the message (UncertainError).
type writeTracker struct {
	net.Conn
	failed atomic.Bool
}

func (w *writeTracker) Write(p []byte) (int, error) {
	n, err := w.Conn.Write(p)
	if err != nil {
		w.failed.Store(true)
	}
	return n, err
}

// auth logs in: with OAuth2 for an OAuth2 account (authOAuth2); else
// with PLAIN, else LOGIN, when the server offers AUTH and a password is
// known; a server without AUTH is used as is (a relay that trusts the
// network).
func (c *Client) auth(ctx context.Context, sc *smtp.Client, a account.Account) error {
	if a.UsesOAuth2() {
		return c.authOAuth2(ctx, sc, a)
	}
	if ok, _ := sc.Extension("AUTH"); !ok || c.Passwords == nil {
		return nil
	}
	pw, err := c.Passwords.Get(account.PasswordKey(a.Name, true))
	if errors.Is(err, account.ErrNotFound) {
		pw, err = c.Passwords.Get(account.PasswordKey(a.Name, false))
	}
	if err != nil {
		if errors.Is(err, account.ErrNotFound) {
			return nil
		}
		return err
	}
	user := a.Login(a.Outgoing)
	switch {
	case sc.SupportsAuth(sasl.Plain):
		return sc.Auth(sasl.NewPlainClient("", user, pw))
	case sc.SupportsAuth(sasl.Login):
		return sc.Auth(sasl.NewLoginClient(user, pw))
	}
	return fmt.Errorf("the server offers neither AUTH PLAIN nor AUTH LOGIN")
}

// transact runs MAIL, RCPT for each recipient and DATA.
func transact(sc *smtp.Client, wt *writeTracker, addr string, env Envelope, raw []byte) error {
	if limit, ok := sc.MaxMessageSize(); ok && limit > 0 && int64(len(raw)) > int64(limit) {
		return &SizeError{Size: int64(len(raw)), Limit: int64(limit)}
	}
	opts := &smtp.MailOptions{Size: int64(len(raw))}
	if env.EightBit {
		if ok, _ := sc.Extension("8BITMIME"); ok {
			opts.Body = smtp.Body8BitMIME
		}
	}
	if env.SMTPUTF8 {
		if ok, _ := sc.Extension("SMTPUTF8"); !ok {
			return &Error{Server: addr, Op: "mail", Err: fmt.Errorf("the server does not offer SMTPUTF8, needed by a non-ASCII address")}
		}
		opts.UTF8 = true
	}
	if err := sc.Mail(env.From, opts); err != nil {
		return &Error{Server: addr, Op: "mail", Err: err}
	}
	rerr := &RecipientsError{}
	for _, r := range env.Rcpts {
		if err := sc.Rcpt(r, nil); err != nil {
			var se *smtp.SMTPError
			if !errors.As(err, &se) {
				return &Error{Server: addr, Op: "rcpt", Err: err}
			}
			rerr.Rejected = append(rerr.Rejected, Rejection{Addr: r, Err: se})
			continue
		}
		rerr.Accepted = append(rerr.Accepted, r)
	}
	if len(rerr.Accepted) == 0 {
		sc.Reset()
		sc.Quit()
		return rerr
	}
	if err := data(sc, wt, addr, raw); err != nil {
		var ue *UncertainError
		if errors.As(err, &ue) && len(rerr.Rejected) > 0 {
			ue.Refused = rerr
		}
		return err
	}
	sc.Quit()
	if len(rerr.Rejected) > 0 {
		return rerr
	}
	return nil
}

// data sends the message. When the reply to the final dot is lost (the
// connection closed, or no reply within the deadline) although the whole
// message was written, the server may have accepted it: that is an
// *UncertainError. A connection reset (RST, not FIN) tells that the server
// did not read all the message: it did not take it.
func data(sc *smtp.Client, wt *writeTracker, addr string, raw []byte) error {
	w, err := sc.Data()
	if err != nil {
		return &Error{Server: addr, Op: "data", Err: err}
	}
	if _, err := io.Copy(w, bytes.NewReader(raw)); err != nil {
		w.Close()
		return &Error{Server: addr, Op: "data", Err: err}
	}
	err = w.Close()
	var se *smtp.SMTPError
	if err != nil && !errors.As(err, &se) && !wt.failed.Load() && !netreset.Is(err) {
		return &UncertainError{Server: addr, Err: err}
	}
	if err != nil {
		return &Error{Server: addr, Op: "data", Err: err}
	}
	return nil
}

// Limit connects to the account's server and returns its SIZE (0 when it
// announces none), for the composer's warning and Options.SizeLimit.
func (c *Client) Limit(ctx context.Context, a account.Account) (int64, error) {
	sc, _, err := c.open(ctx, a)
	if err != nil {
		return 0, err
	}
	defer sc.Close()
	n, _ := sc.MaxMessageSize()
	sc.Quit()
	return int64(n), nil
}

// SizeWarning is the composer's check: a non-nil *SizeError when size is
// above the account's known SIZE limit.
func SizeWarning(a account.Account, size int64) error {
	if l := a.Options.SizeLimit; l > 0 && size > l {
		return &SizeError{Size: size, Limit: l}
	}
	return nil
}

var _ net.Conn = (*greetedConn)(nil)
