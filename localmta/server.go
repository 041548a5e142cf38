package localmta

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"facteur/localmta/mtausers"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// listener is one bound address and its server.
type listener struct {
	cfg Listener
	ln  net.Listener
	srv *smtp.Server
}

// isLoopback reports whether the listener only listens on loopback.
func (l *listener) isLoopback() bool {
	ap, err := netip.ParseAddrPort(l.ln.Addr().String())
	return err == nil && ap.Addr().IsLoopback()
}

// newServer configures go-smtp for one listener: RFC 5321 §4.5.3 limits
// (command lines up to 2000 octets, at least 100 recipients), timeouts,
// SIZE, SMTPUTF8, DSN, STARTTLS; AUTH in clear only on loopback.
func (m *MTA) newServer(l *listener) *smtp.Server {
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return m.newSession(l, c), nil
	}))
	s.Domain = m.cfg.Hostname
	s.MaxMessageBytes = m.cfg.MaxMessageBytes
	s.MaxRecipients = m.cfg.MaxRecipients
	s.MaxLineLength = 2000
	s.ReadTimeout = m.cfg.CommandTimeout
	s.WriteTimeout = m.cfg.CommandTimeout
	s.TLSConfig = m.tls
	s.EnableSMTPUTF8 = true
	s.EnableDSN = true
	s.AllowInsecureAuth = l.isLoopback()
	s.ErrorLog = slogLogger{m.log.With("listener", l.cfg.Addr)}
	s.ReplyHook = m.replyLimits
	return s
}

// slogLogger adapts slog to go-smtp's Logger.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Printf(format string, v ...any) { s.l.Warn(fmt.Sprintf(format, v...)) }
func (s slogLogger) Println(v ...any)               { s.l.Warn(fmt.Sprint(v...)) }

// authenticate checks credentials with the callback or the users table.
func (m *MTA) authenticate(username, password string) error {
	if m.cfg.Authenticate != nil {
		return m.cfg.Authenticate(username, password)
	}
	if m.cfg.Users == nil {
		return mtausers.ErrBadCredentials
	}
	return m.cfg.Users.Check(username, password)
}

// loginServer is the server side of the obsolete but common LOGIN SASL
// mechanism (draft-murchison-sasl-login), which go-sasl lacks.
type loginServer struct {
	auth     func(username, password string) error
	username string
	step     int
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step++
		if response != nil {
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		return nil, true, l.auth(l.username, string(response))
	}
	return nil, true, errors.New("sasl: unexpected LOGIN step")
}

var _ sasl.Server = (*loginServer)(nil)
