package autoconfig

import (
	"context"
	"errors"
	"fmt"
	"time"

	"facteur/mua/account"
	"facteur/mua/pop3"
	"facteur/mua/submit"

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
	return &Error{Kind: classify(err), Protocol: proto, Host: s.Host, Port: s.PortFor(proto), Err: err}
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
		if conn, err = submit.StartTLS(ctx, d, conn, s, "localhost"); err != nil {
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
