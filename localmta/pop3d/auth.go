package pop3d

import (
	"context"
	"crypto/tls"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// plaintextOK reports whether a password may cross this connection:
// under TLS, or from a trusted network (loopback by default), RFC 2595 §2.3.
func (s *session) plaintextOK() bool {
	return s.tls || slices.ContainsFunc(s.srv.cfg.PlaintextNets, func(p netip.Prefix) bool { return p.Contains(s.ip) })
}

// cmdCAPA lists the capabilities of the current state (RFC 2449 §5).
func cmdCAPA(s *session, ctx context.Context, cmd Command) error {
	caps := []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"}
	if s.state == stateAuthorization {
		if s.plaintextOK() {
			caps = append(caps, "USER", "SASL PLAIN")
		}
		if s.srv.cfg.TLS != nil && !s.tls {
			caps = append(caps, "STLS")
		}
	}
	caps = append(caps, "IMPLEMENTATION Facteur")
	return s.multiline("Capability list follows", caps)
}

// cmdUser takes the login of USER/PASS (RFC 1939 §7). The reply is the
// same whether the login exists or not.
func cmdUser(s *session, ctx context.Context, cmd Command) error {
	if !s.plaintextOK() {
		return ErrPlaintext
	}
	if len(cmd.Args) != 1 {
		return ErrSyntax
	}
	s.user = cmd.Args[0]
	return s.ok("send PASS")
}

// cmdPass checks the password; the whole rest of the line is the password,
// spaces included (RFC 1939 §7).
func cmdPass(s *session, ctx context.Context, cmd Command) error {
	if !s.plaintextOK() {
		return ErrPlaintext
	}
	if s.user == "" {
		return ErrNoUser
	}
	if cmd.Rest == "" {
		return ErrSyntax
	}
	user := s.user
	s.user = ""
	return s.authenticate(ctx, user, cmd.Rest)
}

// cmdAuth runs SASL PLAIN (RFC 5034, RFC 4616), with the initial response
// on the command line or after a "+ " continuation; "*" cancels. AUTH
// alone lists the mechanisms, as RFC 1734 clients expect.
func cmdAuth(s *session, ctx context.Context, cmd Command) error {
	switch {
	case len(cmd.Args) == 0:
		return s.multiline("SASL mechanisms follow", s.mechanisms())
	case len(cmd.Args) > 2:
		return ErrSyntax
	case !strings.EqualFold(cmd.Args[0], "PLAIN"):
		return ErrMechanism
	case !s.plaintextOK():
		return ErrPlaintext
	}
	resp := ""
	if len(cmd.Args) == 2 {
		resp = cmd.Args[1]
	} else {
		var err error
		if resp, err = s.continuation(); err != nil {
			return err
		}
	}
	if resp == "*" {
		return ErrAuthCancelled
	}
	authzid, authcid, passwd, err := decodePlain(resp)
	if err != nil {
		return err
	}
	if authzid != "" && !strings.EqualFold(authzid, authcid) {
		return s.authFailed(ctx, authcid) // no proxy authorization
	}
	return s.authenticate(ctx, authcid, passwd)
}

func (s *session) mechanisms() []string {
	if s.plaintextOK() {
		return []string{"PLAIN"}
	}
	return nil
}

// continuation sends an empty challenge and reads the client's response.
func (s *session) continuation() (string, error) {
	if err := s.line("+ "); err != nil {
		return "", err
	}
	if err := s.tw.W.Flush(); err != nil {
		return "", err
	}
	return s.readLine()
}

// authenticate checks the credentials, then locks and opens the maildrop:
// the move to the TRANSACTION state (RFC 1939 §4).
func (s *session) authenticate(ctx context.Context, user, pass string) error {
	if s.logins.Blocked() { // the client failed too often: no more guesses
		s.log.Warn("pop3 login refused: too many failures", "user", user)
		s.state = stateDone
		return ErrTooManyFailures
	}
	if err := s.srv.authenticate(user, pass); err != nil {
		return s.authFailed(ctx, user)
	}
	login := strings.ToLower(user)
	ref, err := s.srv.maildropOf(login)
	if err != nil {
		s.log.Error("pop3: no maildrop", "user", login, "err", err)
		return ErrMaildrop
	}
	if !s.srv.lock(ref) {
		s.log.Info("pop3: maildrop in use", "user", login, "maildrop", ref.String())
		return ErrInUse
	}
	drop, err := openMaildrop(ctx, s.srv, ref)
	if err != nil {
		s.srv.unlock(ref)
		s.log.Error("pop3: cannot open the maildrop", "user", login, "maildrop", ref.String(), "err", err)
		return ErrMaildrop
	}
	s.drop, s.login, s.state = drop, login, stateTransaction
	s.log.Info("pop3 login", "user", login, "maildrop", ref.String(), "messages", len(drop.msgs), "tls", s.tls)
	return s.ok("%s's maildrop has %s", login, messages(len(drop.msgs)))
}

// authFailed waits a little, counts the failure for the session and its
// client (package clientlimit, shared with the SMTP server) and ends the
// session after too many.
func (s *session) authFailed(ctx context.Context, user string) error {
	end := s.logins.Failed(ctx)
	s.log.Warn("pop3 authentication failed", "user", user, "failures", s.logins.Failures())
	if end {
		s.state = stateDone
		return ErrTooManyFailures
	}
	return ErrAuthFailed
}

// cmdSTLS starts TLS (RFC 2595 §4). The client must then discard what it
// knew of the capabilities, and the server forgets a pending USER.
func cmdSTLS(s *session, ctx context.Context, cmd Command) error {
	if s.srv.cfg.TLS == nil || s.tls {
		return ErrNoTLS
	}
	if len(cmd.Args) != 0 {
		return ErrSyntax
	}
	if err := s.ok("Begin TLS negotiation"); err != nil {
		return err
	}
	if err := s.tw.W.Flush(); err != nil {
		return err
	}
	tc := tls.Server(s.conn, s.srv.cfg.TLS)
	s.conn.SetDeadline(time.Now().Add(s.srv.cfg.IdleTimeout))
	if err := tc.HandshakeContext(ctx); err != nil {
		return err
	}
	s.conn.SetDeadline(time.Time{})
	s.tls, s.user = true, ""
	s.setConn(tc)
	return nil
}
