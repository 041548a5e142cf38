package imapsync

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

// FolderError tells which folder the server refused to sync, with its
// reply (a *ServerError).
type FolderError struct {
	Folder string // local name
	Remote string // the server's name
	Err    error
}

func (e *FolderError) Error() string {
	var se *ServerError
	if errors.As(e.Err, &se) {
		return fmt.Sprintf("folder %q: the server refused %s: %s %s", e.Remote, se.Command, se.Err.Type, se.Err.Text)
	}
	return fmt.Sprintf("folder %q: %v", e.Remote, e.Err)
}

func (e *FolderError) Unwrap() error { return e.Err }

// FoldersError is the error of a sync that synced every folder it could
// but not the folders it lists: a partial failure (see Syncer.Sync).
type FoldersError struct {
	Folders []FolderError
}

func (e *FoldersError) Error() string {
	parts := make([]string, len(e.Folders))
	for i := range e.Folders {
		parts[i] = e.Folders[i].Error()
	}
	return "imapsync: " + strings.Join(parts, "; ")
}

// Unwrap gives the error of each folder, for errors.Is and errors.As.
func (e *FoldersError) Unwrap() []error {
	out := make([]error, len(e.Folders))
	for i := range e.Folders {
		out[i] = &e.Folders[i]
	}
	return out
}

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

// dial connects and logs in; the dialogue goes to trace (nil: nowhere).
// Cancelling ctx closes the connection.
func dial(ctx context.Context, acct account.Account, password string, d *account.Dialer, opts *imapclient.Options, trace *traceOut) (*imapclient.Client, error) {
	conn, err := d.Dial(ctx, acct.Incoming, "imap")
	if err != nil {
		return nil, err
	}
	if acct.Incoming.Sec() == account.SecurityStartTLS {
		tc, err := startTLS(ctx, d, acct.Incoming, conn, traced(conn, trace))
		if err != nil {
			conn.Close()
			return nil, startTLSErr(err)
		}
		if trace != nil {
			trace.line("--- TLS started with STARTTLS ---")
		}
		conn = &greetedConn{Conn: traced(tc, trace), greeting: "* OK TLS negotiated\r\n"}
	} else {
		conn = traced(conn, trace)
	}
	c := imapclient.New(conn, opts)
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
