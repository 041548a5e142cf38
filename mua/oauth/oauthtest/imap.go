package oauthtest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"facteur/mua/imapsync/imaptest"
)

// IMAPServer is go-imap's imapserver with an imapmemserver user, in
// plaintext on 127.0.0.1 (InsecureAuth: tests only), whose sessions offer
// the SASL mechanisms Mechs (imapserver.SessionSASL) and log the user in
// when check accepts the token. LOGIN is refused.
type IMAPServer struct {
	Addr string
	User *imapmemserver.User

	name  string // the user's
	mu    sync.Mutex
	mechs []string // the mechanism of each successful AUTHENTICATE
}

// NewIMAPServer starts the server for user with the mechanisms offered
// (names as AUTH= capabilities, "OAUTHBEARER", "XOAUTH2"); it stops when
// the test ends.
func NewIMAPServer(t testing.TB, user string, check Check, mechs ...string) *IMAPServer {
	t.Helper()
	s := &IMAPServer{User: imapmemserver.NewUser(user, ""), name: user}
	if err := s.User.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	opt := imaptest.Options(func() imapserver.Session { return &saslSession{srv: s, check: check, offered: mechs} })
	opt.Caps = imap.CapSet{imap.CapIMAP4rev1: {}}
	s.Addr = imaptest.Serve(t, imaptest.Listen(t), opt).Addr
	return s
}

// Mechanisms lists the mechanism of every successful AUTHENTICATE.
func (s *IMAPServer) Mechanisms() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mechs...)
}

// saslSession is an imapmemserver session once authenticated.
type saslSession struct {
	*imapmemserver.UserSession // nil before AUTHENTICATE succeeds
	srv                        *IMAPServer
	check                      Check
	offered                    []string
}

var _ imapserver.SessionSASL = (*saslSession)(nil)

// Login refuses: this server takes tokens only.
func (s *saslSession) Login(string, string) error { return imapserver.ErrAuthFailed }

func (s *saslSession) AuthenticateMechanisms() []string { return s.offered }

func (s *saslSession) Authenticate(mech string) (sasl.Server, error) {
	if srv := s.server(mech); srv != nil && slices.Contains(s.offered, mech) {
		return srv, nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

// server is the SASL server of mech, nil for a mechanism other than
// OAUTHBEARER and XOAUTH2.
func (s *saslSession) server(mech string) sasl.Server {
	srv := NewServerMechanism(mech, s.check, func(string) {
		s.UserSession = imapmemserver.NewUserSession(s.srv.User)
		s.srv.mu.Lock()
		s.srv.mechs = append(s.srv.mechs, mech)
		s.srv.mu.Unlock()
	})
	if srv == nil {
		return nil
	}
	return &imapRefusal{srv}
}

// imapRefusal turns a refusal into NO [AUTHENTICATIONFAILED] (RFC 5530).
type imapRefusal struct{ sasl.Server }

func (r *imapRefusal) Next(resp []byte) ([]byte, bool, error) {
	ch, done, err := r.Server.Next(resp)
	var ref *Refusal
	if errors.As(err, &ref) {
		err = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Invalid credentials"}
	}
	return ch, done, err
}
