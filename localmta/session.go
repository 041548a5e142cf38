package localmta

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/netip"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"facteur/internal/mailaddr"
	"facteur/localmta/queue"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Replies of the server, for errors.Is in tests and callers.
var (
	ErrRelayDenied  = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	ErrAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	ErrBareLF       = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused: bare CR or bare LF in DATA (SMTP smuggling protection)"}
	ErrBadPath      = &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Bad address syntax"}
	errInternal     = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Local error in processing, try again later"}
	errDNSTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 3}, Message: "Temporary DNS failure, try again later"}
)

// session is one SMTP session of a client connection (go-smtp's
// Session; a new one after STARTTLS).
type session struct {
	m      *MTA
	l      *listener
	conn   *smtp.Conn
	client *clientConn
	ip     netip.Addr
	rdns   string // PTR name of ip, looked up at the first message
	user   string // authenticated login

	from     *string
	mailOpts *smtp.MailOptions
	rcpts    []queue.Rcpt
	orig     []string // recipients as given, for "for <rcpt>"
}

func (m *MTA) newSession(l *listener, c *smtp.Conn) *session {
	cc, ok := clientOf(c.Conn())
	if !ok {
		cc = m.newClientConn(c.Conn())
	}
	return &session{m: m, l: l, conn: c, client: cc, ip: cc.ip}
}

// guard turns a panic in a session method into a 451 and a log line:
// go-smtp does not recover the goroutines it starts.
func (s *session) guard(err *error) {
	if r := recover(); r != nil {
		s.m.log.Error("smtp session panicked", "client", s.ip, "panic", r, "stack", string(debug.Stack()))
		*err = errInternal
	}
}

// Reset ends the transaction (RSET, EHLO, after DATA).
func (s *session) Reset() {
	s.from, s.mailOpts, s.rcpts, s.orig = nil, nil, nil, nil
}

func (s *session) Logout() error { return nil }

func (s *session) isTLS() bool {
	_, ok := s.conn.TLSConnectionState()
	return ok
}

// AuthMechanisms offers PLAIN and LOGIN only under TLS or on loopback.
func (s *session) AuthMechanisms() []string {
	if !s.isTLS() && !s.ip.IsLoopback() {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	if !s.isTLS() && !s.ip.IsLoopback() {
		return nil, smtp.ErrAuthUnsupported
	}
	if s.client.logins.Blocked() {
		return nil, s.authBlocked()
	}
	check := func(username, password string) error {
		if err := s.m.authenticate(username, password); err != nil {
			return s.authFailed(username)
		}
		s.user = strings.ToLower(username)
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && !strings.EqualFold(identity, username) {
				return s.authFailed(username) // no proxy authorization
			}
			return check(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{auth: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// ErrTooManyAuthFailures ends a session that failed AUTH too often, or
// whose client did (RFC 4954 §4 lets the server close after failures).
var ErrTooManyAuthFailures = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many failed authentication attempts, closing connection"}

// authFailed answers a failed AUTH after the delay of Config.AuthLimit,
// and ends the session after too many failures.
func (s *session) authFailed(username string) error {
	end := s.client.logins.Failed(s.m.ctx)
	s.m.log.Warn("smtp auth failed", "client", s.ip, "user", username, "failures", s.client.logins.Failures())
	if end {
		return s.authBlocked()
	}
	return smtp.ErrAuthFailed
}

// authBlocked refuses AUTH without checking the password, and closes the
// connection after the reply.
func (s *session) authBlocked() error {
	s.m.log.Warn("smtp auth refused: too many failures", "client", s.ip)
	s.client.closeAfterReply()
	return ErrTooManyAuthFailures
}

// canonical re-reads a path that go-smtp parsed (route already dropped, as
// RFC 5321 §3.6.1 allows) with internal/mailaddr, and returns local@domain.
func canonical(addr string) (string, error) {
	local, domain, ok := cutLast(addr, "@")
	if !ok {
		return "", ErrBadPath
	}
	if strings.ContainsAny(local, " \"\\(),:;<>@[]") {
		local = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(local) + `"`
	}
	p, err := mailaddr.ParsePath("<" + local + "@" + domain + ">")
	if err != nil || p.Null {
		return "", ErrBadPath
	}
	return p.Address.Addr(), nil
}

// forwardPath returns the recipient of RCPT TO as local@domain:
// "<Postmaster>" without a domain (RFC 5321 §4.1.1.3, any case) is the
// postmaster of the first local domain.
func (m *MTA) forwardPath(to string) (string, error) {
	if strings.EqualFold(to, "postmaster") {
		domain := ""
		if len(m.cfg.LocalDomains) > 0 {
			domain = m.cfg.LocalDomains[0]
		}
		return mailbox("postmaster", domain), nil
	}
	return canonical(to)
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func (s *session) Mail(from string, opts *smtp.MailOptions) (err error) {
	defer s.guard(&err)
	switch {
	case s.from != nil:
		return ErrNestedMail
	case s.l.cfg.Submission && s.user == "":
		return ErrAuthRequired
	}
	if from != "" {
		if from, err = canonical(from); err != nil {
			return err
		}
	}
	s.from, s.mailOpts = &from, opts
	return nil
}

// relayAllowed reports whether the client may send to other domains.
func (s *session) relayAllowed() bool {
	return s.user != "" || s.m.inRelayNets(s.ip)
}

// inRelayNets reports whether ip is in Config.RelayNets.
func (m *MTA) inRelayNets(ip netip.Addr) bool {
	return slices.ContainsFunc(m.cfg.RelayNets, func(p netip.Prefix) bool { return p.Contains(ip) })
}

func (s *session) Rcpt(to string, opts *smtp.RcptOptions) (err error) {
	defer s.guard(&err)
	addr, err := s.m.forwardPath(to)
	if err != nil {
		return err
	}
	targets, err := s.resolveRcpt(addr)
	if err != nil {
		s.m.log.Info("smtp rcpt refused", "client", s.ip, "rcpt", addr, "err", err)
		return err
	}
	for _, t := range targets {
		r := queue.Rcpt{Addr: t}
		if t != addr {
			r.ORcpt = addr
		}
		if opts != nil {
			for _, n := range opts.Notify {
				r.Notify = append(r.Notify, string(n))
			}
			if opts.OriginalRecipient != "" {
				r.ORcpt = opts.OriginalRecipient
			}
		}
		s.rcpts = append(s.rcpts, r)
	}
	s.orig = append(s.orig, addr)
	return nil
}

// resolveRcpt applies the routing agent at RCPT time: local recipients
// must exist (aliases expanded), others need relay permission or this
// host being an MX of their domain (secondary MX).
func (s *session) resolveRcpt(addr string) ([]string, error) {
	route := s.m.Route(addr)
	if route.Kind == RouteLocal {
		return s.m.expandLocal(addr)
	}
	if !s.relayAllowed() {
		ctx, cancel := context.WithTimeout(s.m.ctx, 30*time.Second)
		defer cancel()
		backup, err := s.m.isBackupMX(ctx, mailaddr.Domain(addr))
		if err != nil {
			return nil, errDNSTemporary
		}
		if !backup {
			return nil, ErrRelayDenied
		}
	}
	if route.Kind == RouteError {
		return nil, route.Err
	}
	return []string{addr}, nil
}

func (s *session) Data(r io.Reader) (err error) {
	defer s.guard(&err)
	if s.from == nil || len(s.rcpts) == 0 {
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Bad sequence of commands"}
	}
	id := queue.NewID()
	if err := s.enqueue(id, s.received(id), r); err != nil {
		return err
	}
	s.m.log.Info("queued", "id", id, "client", s.ip, "helo", s.conn.Hostname(), "user", s.user, "from", *s.from, "rcpts", len(s.rcpts))
	return queuedAs(id)
}

// enqueue queues the message of the transaction under id, its trace
// field first, through the rules of DATA (datarules.go); the error is
// the reply.
func (s *session) enqueue(id, trace string, r io.Reader) error {
	msg := queue.Message{ID: id, From: *s.from, Rcpts: s.rcpts}
	if o := s.mailOpts; o != nil {
		msg.EnvID, msg.Ret, msg.UTF8 = o.EnvelopeID, string(o.Return), o.UTF8
	}
	checker := newDataChecker(r, s.m.cfg.MaxMessageBytes)
	var body io.Reader = io.MultiReader(strings.NewReader(trace), checker)
	ctx, cancel := context.WithTimeout(s.m.ctx, s.m.cfg.DataTimeout)
	defer cancel()
	if check := s.m.dataFilter(*s.from, s.rcpts); check != nil { // filter.go: reject at DATA
		buf, err := io.ReadAll(body)
		if err != nil {
			return s.dataError(err, checker)
		}
		if err := check(ctx, buf); err != nil {
			return err
		}
		body = bytes.NewReader(buf)
	}
	if _, err := s.m.queue.Enqueue(ctx, msg, body); err != nil {
		return s.dataError(err, checker)
	}
	return nil
}

// queuedAs is the reply to an accepted DATA, with the queue ID as
// Postfix gives it, for the client's logs: go-smtp answers a nil error
// with a fixed "250 2.0.0 OK: queued" and writes an *smtp.SMTPError's
// code and text as they are, after DATA as after the last BDAT chunk.
func queuedAs(id string) error {
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: queuedAsText + id}
}

// queuedAsText starts the text of the reply to an accepted DATA.
const queuedAsText = "Ok: queued as "

// QueuedID reads the queue id from the text of the reply to an accepted
// DATA ("Ok: queued as ID", as go-smtp's DataResponse gives it, or with
// its enhanced code "2.0.0 Ok: queued as ID").
func QueuedID(reply string) (string, bool) {
	_, id, ok := strings.Cut(reply, queuedAsText)
	id = strings.TrimSpace(id)
	return id, ok && queue.ValidID(id)
}

// dataError chooses the reply of a failed DATA; details go to the log.
// A line longer than go-smtp reads (smtp.ErrTooLongLine) breaks the rule
// of long lines too: permanent, as any other.
func (s *session) dataError(err error, checker *dataChecker) error {
	var se *smtp.SMTPError
	switch {
	case checker.err != nil:
		s.m.log.Warn("smtp: message refused", "client", s.ip, "reason", checker.err.Message)
		return checker.err
	case errors.Is(err, smtp.ErrTooLongLine):
		s.m.log.Warn("smtp: message refused", "client", s.ip, "reason", ErrLongLine.Message)
		return ErrLongLine
	case errors.As(err, &se):
		return se
	}
	s.m.log.Error("smtp: cannot queue message", "client", s.ip, "err", err)
	return errInternal
}

// received returns the Received field this hop adds.
func (s *session) received(id string) string {
	info := receivedInfo{
		helo: sanitizeHelo(s.conn.Hostname()), rdns: s.reverseName(), ip: s.ip,
		host: s.m.cfg.Hostname, tls: s.isTLS(), auth: s.user != "", esmtp: true, id: id, date: time.Now(),
	}
	if cs, ok := s.conn.TLSConnectionState(); ok {
		info.tlsv, info.suite = tlsNames(cs)
	}
	if len(s.orig) == 1 {
		info.rcpt = s.orig[0]
	}
	return formatReceived(info)
}

// reverseName returns the client's PTR name, looked up once per
// connection (as Postfix's smtpd does), not once per message.
func (s *session) reverseName() string {
	if s.rdns == "" {
		s.rdns = s.m.reverseName(s.m.ctx, s.ip)
	}
	return s.rdns
}
