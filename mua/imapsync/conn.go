package imapsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mua/account"
	"facteur/mua/oauth"
)

// Errors for errors.Is.
var (
	// ErrAuth: the server refused the login.
	ErrAuth = errors.New("imapsync: authentication failed")
	// ErrClosed: the connection was lost.
	ErrClosed = errors.New("imapsync: connection lost")
)

// ServerError is a NO or BAD reply of the server to a command.
type ServerError struct {
	Command string
	Err     *imap.Error
}

func (e *ServerError) Error() string { return "imapsync: " + e.Command + ": " + e.Err.Error() }
func (e *ServerError) Unwrap() error { return e.Err }

// Is makes a LOGIN refused for its credentials match ErrAuth: a NO with
// AUTHENTICATIONFAILED, AUTHORIZATIONFAILED or EXPIRED (RFC 5530), or with no
// code at all. A refusal for another reason (PRIVACYREQUIRED: log in over TLS
// first; UNAVAILABLE: try later) is not a wrong password.
func (e *ServerError) Is(target error) bool {
	if target != ErrAuth || e.Command != "LOGIN" || e.Err.Type != imap.StatusResponseTypeNo {
		return false
	}
	switch e.Err.Code {
	case "", imap.ResponseCodeAuthenticationFailed, imap.ResponseCodeAuthorizationFailed, imap.ResponseCodeExpired:
		return true
	}
	return false
}

// wrap classifies an imapclient error for command cmd.
func wrap(ctx context.Context, cmd string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return &ServerError{Command: cmd, Err: ie}
	}
	return fmt.Errorf("%w: %s: %v", ErrClosed, cmd, err)
}

// dial connects and logs in. Cancelling ctx closes the connection.
func dial(ctx context.Context, acct account.Account, password string, d *account.Dialer, opts *imapclient.Options) (*imapclient.Client, error) {
	conn, err := d.Dial(ctx, acct.Incoming, "imap")
	if err != nil {
		return nil, err
	}
	var c *imapclient.Client
	if acct.Incoming.Sec() == account.SecurityStartTLS {
		o := *opts
		o.TLSConfig = d.TLSConfig(acct.Incoming)
		c, err = imapclient.NewStartTLS(conn, &o)
		if err != nil {
			return nil, startTLSErr(err)
		}
	} else {
		c = imapclient.New(conn, opts)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, wrap(ctx, "greeting", err)
	}
	if err := login(ctx, c, acct, password); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// login authenticates with the account's method: LOGIN with the password
// (RFC 9051 §6.2.3), or, for an OAuth2 account, AUTHENTICATE with the
// access token that password then holds (loginOAuth2).
func login(ctx context.Context, c *imapclient.Client, acct account.Account, password string) error {
	if acct.UsesOAuth2() {
		return loginOAuth2(ctx, c, acct, password)
	}
	return wrap(ctx, "LOGIN", c.Login(acct.Login(acct.Incoming), password).Wait())
}

// loginOAuth2 runs AUTHENTICATE OAUTHBEARER when the server announces
// AUTH=OAUTHBEARER, else XOAUTH2 (RFC 9051 §6.2.2, SASL-IR of RFC 4959
// when offered). A server that announces neither is an
// *oauth.MechanismError; a refused token matches ErrAuth and is an
// *oauth.RejectedError.
func loginOAuth2(ctx context.Context, c *imapclient.Client, acct account.Account, token string) error {
	mech, err := oauth.ChooseMechanism(c.Caps().AuthMechanisms())
	if err != nil {
		return err
	}
	s := acct.Incoming
	sc := oauth.NewSASLClient(mech, oauth.SASLOptions{User: acct.Login(s), Token: token, Host: s.Host, Port: s.PortFor("imap")})
	err = wrap(ctx, "AUTHENTICATE", c.Authenticate(sc))
	var se *ServerError
	if err != nil && (sc.Challenged() || errors.As(err, &se) && se.Err.Type == imap.StatusResponseTypeNo) {
		return fmt.Errorf("%w: %w", ErrAuth, sc.Rejected(err))
	}
	return err
}

// startTLSErr keeps certificate errors and reports a refused STARTTLS as
// account.ErrNoStartTLS.
func startTLSErr(err error) error {
	var ce *account.CertificateError
	if errors.As(err, &ce) {
		return err
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return fmt.Errorf("%w: %v", account.ErrNoStartTLS, err)
	}
	return err
}

// maskWriter hides secrets in the transcript: the password of LOGIN (when
// it arrives in one write, as imapclient writes a command), and the SASL
// responses of AUTHENTICATE, whose base64 carries the password or the OAuth2
// token (RFC 9051 §6.2.2: the initial response on the command line, then
// the client's lines until the tagged reply). imapclient writes to it from
// its reading and its writing goroutines: writes are serialised.
type maskWriter struct {
	mu       sync.Mutex
	w        io.Writer
	password string
	authTag  string // tag of an AUTHENTICATE under way, "" otherwise
}

func (m *maskWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]byte, 0, len(p))
	for rest := p; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		out = append(out, m.mask(line)...)
	}
	if m.password != "" {
		out = bytes.ReplaceAll(out, []byte(m.password), []byte("****"))
	}
	if _, err := m.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// mask returns line, or line with its SASL response hidden.
func (m *maskWriter) mask(line []byte) []byte {
	body := bytes.TrimRight(line, "\r\n")
	eol := line[len(body):]
	fields := bytes.Fields(body)
	switch {
	case m.authTag == "" && len(fields) >= 3 && bytes.EqualFold(fields[1], []byte("AUTHENTICATE")):
		m.authTag = string(fields[0])
		if len(fields) > 3 { // SASL-IR initial response
			return append([]byte(fmt.Sprintf("%s %s %s ****", fields[0], fields[1], fields[2])), eol...)
		}
	case m.authTag == "" || len(fields) == 0:
	case string(fields[0]) == m.authTag:
		m.authTag = "" // the tagged reply ends the exchange
	case fields[0][0] == '+' || fields[0][0] == '*':
		// a server challenge or untagged data
	default:
		return append([]byte("****"), eol...) // a client response
	}
	return line
}
