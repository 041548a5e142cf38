package autoconfig

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"facteur/mua/account"
	"facteur/mua/pop3"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// errIMAPAuth marks a LOGIN that the IMAP server refused.
var errIMAPAuth = errors.New("imap: LOGIN refused")

// CheckTimeout bounds a whole Check when ctx has no earlier deadline.
const CheckTimeout = 30 * time.Second

// Check connects to s with the security it names, logs in as user with
// password and logs out: IMAP LOGIN, POP3 USER/PASS, SMTP AUTH PLAIN or
// LOGIN (a submission server that offers no AUTH passes: it relays
// without a login). A nil d means the system roots. Failures are *Error.
func Check(ctx context.Context, d *account.Dialer, proto string, s account.Server, user, password string) error {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	var err error
	switch proto {
	case IMAP:
		err = checkIMAP(ctx, d, s, user, password)
	case POP3:
		err = checkPOP3(ctx, d, s, user, password)
	case SMTP:
		err = checkSMTP(ctx, d, s, user, password)
	default:
		return fmt.Errorf("autoconfig: unknown protocol %q", proto)
	}
	if err == nil {
		return nil
	}
	port := s.Port
	if port == 0 {
		port = account.DefaultPort(proto, s.Sec())
	}
	return &Error{Kind: classify(err), Protocol: proto, Host: s.Host, Port: port, Err: err}
}

// CheckAccount checks the incoming server of a, then its outgoing one if
// any, with the same password.
func CheckAccount(ctx context.Context, d *account.Dialer, a account.Account, password string) error {
	if err := Check(ctx, d, string(a.Protocol), a.Incoming, a.Login(a.Incoming), password); err != nil {
		return err
	}
	if a.Outgoing.Host == "" {
		return nil
	}
	return Check(ctx, d, SMTP, a.Outgoing, a.Login(a.Outgoing), password)
}

func checkIMAP(ctx context.Context, d *account.Dialer, s account.Server, user, password string) error {
	conn, err := d.Dial(ctx, s, IMAP)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	var c *imapclient.Client
	if s.Sec() == account.SecurityStartTLS {
		c, err = imapclient.NewStartTLS(conn, &imapclient.Options{TLSConfig: d.TLSConfig(s)})
		if err != nil {
			conn.Close()
			return imapStartTLSErr(err)
		}
	} else {
		c = imapclient.New(conn, nil)
	}
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		return err
	}
	if err := c.Login(user, password).Wait(); err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) {
			return fmt.Errorf("%w: %v", errIMAPAuth, err)
		}
		return err
	}
	return c.Logout().Wait()
}

// imapStartTLSErr reads a refused STARTTLS (a tagged NO/BAD) as
// account.ErrNoStartTLS; certificate errors stay as they are.
func imapStartTLSErr(err error) error {
	var ie *imap.Error
	var ce *account.CertificateError
	if !errors.As(err, &ce) && errors.As(err, &ie) {
		return fmt.Errorf("%w: %v", account.ErrNoStartTLS, err)
	}
	return err
}

func checkPOP3(ctx context.Context, d *account.Dialer, s account.Server, user, password string) error {
	c, err := pop3.Dial(ctx, s, pop3.Options{Dialer: d})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(ctx, user, password); err != nil {
		return err
	}
	return c.Quit(ctx)
}

func checkSMTP(ctx context.Context, d *account.Dialer, s account.Server, user, password string) error {
	conn, err := d.Dial(ctx, s, SMTP)
	if err != nil {
		return err
	}
	raw := conn
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if s.Sec() == account.SecurityStartTLS {
		if conn, err = smtpStartTLS(ctx, d, conn, s); err != nil {
			return err
		}
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("AUTH"); ok {
		if err := smtpAuth(c, user, password); err != nil {
			return err
		}
	}
	return c.Quit()
}

func smtpAuth(c *smtp.Client, user, password string) error {
	switch {
	case c.SupportsAuth(sasl.Plain):
		return c.Auth(sasl.NewPlainClient("", user, password))
	case c.SupportsAuth(sasl.Login):
		return c.Auth(sasl.NewLoginClient(user, password))
	}
	return errors.New("the server offers neither AUTH PLAIN nor AUTH LOGIN")
}

// smtpStartTLS runs the plaintext part of RFC 3207 itself, so that a server
// without STARTTLS is account.ErrNoStartTLS: greeting, EHLO, STARTTLS, then
// the handshake of d (verification and pinning). go-smtp's client then
// starts on the TLS connection with a fresh EHLO.
func smtpStartTLS(ctx context.Context, d *account.Dialer, conn net.Conn, s account.Server) (net.Conn, error) {
	tp := textproto.NewConn(conn)
	fail := func(err error) (net.Conn, error) { conn.Close(); return nil, err }
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fail(err)
	}
	if err := tp.PrintfLine("EHLO localhost"); err != nil {
		return fail(err)
	}
	_, msg, err := tp.ReadResponse(250)
	if err != nil {
		return fail(err)
	}
	if !hasKeyword(msg, "STARTTLS") {
		tp.PrintfLine("QUIT")
		return fail(account.ErrNoStartTLS)
	}
	if err := tp.PrintfLine("STARTTLS"); err != nil {
		return fail(err)
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fail(fmt.Errorf("%w: %v", account.ErrNoStartTLS, err))
	}
	tc, err := d.Handshake(ctx, conn, s)
	if err != nil {
		return nil, err
	}
	return &greetedConn{Conn: tc, greeting: strings.NewReader("220 " + s.Host + " TLS\r\n")}, nil
}

// hasKeyword reads the EHLO reply's keywords (RFC 5321 §4.1.1.1).
func hasKeyword(msg, kw string) bool {
	sc := bufio.NewScanner(strings.NewReader(msg))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 && strings.EqualFold(f[0], kw) {
			return true
		}
	}
	return false
}

// greetedConn gives go-smtp's client the greeting it waits for: after
// STARTTLS the server sends none.
type greetedConn struct {
	net.Conn
	greeting io.Reader
}

func (g *greetedConn) Read(p []byte) (int, error) {
	if g.greeting != nil {
		n, err := g.greeting.Read(p)
		if err != io.EOF {
			return n, nil
		}
		g.greeting = nil
	}
	return g.Conn.Read(p)
}
