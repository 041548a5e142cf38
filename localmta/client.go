package localmta

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/textproto"
	"strings"
	"time"

	"facteur/localmta/queue"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// OutSession describes one outgoing SMTP session, for the GUI's MTA panel
// and the logs. Transcript has AUTH secrets masked.
type OutSession struct {
	Host       string
	Addr       string
	Started    time.Time
	TLS        string // "TLS 1.3 TLS_AES_128_GCM_SHA256", "" when in clear
	Transcript string
	Err        string
}

// smtpSession delivers over one connection. A nil error means the
// recipients got their answers; an error means this host could not take
// the message and the next one should be tried.
func (m *MTA) smtpSession(ctx context.Context, host string, ap netip.AddrPort, hop NextHop, req TLSRequirement, msg queue.Message, rcpts []string, body func() (io.ReadCloser, error)) (res []queue.Result, err error) {
	name := fmt.Sprintf("%s[%s]", host, ap.Addr())
	info := OutSession{Host: host, Addr: ap.String(), Started: time.Now()}
	tr := &transcript{}
	defer func() {
		info.Transcript = tr.String()
		if err != nil {
			info.Err = err.Error()
		}
		m.recordSession(info)
	}()
	conn, err := m.dialer().DialContext(ctx, "tcp", ap.String())
	if err != nil {
		return nil, &RemoteError{Host: name, Command: "connect", Err: smtpErr(451, 4, 4, 1, "connect: "+err.Error())}
	}
	defer context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })()
	conn.SetDeadline(time.Now().Add(m.cfg.DataTimeout + m.cfg.CommandTimeout))
	c, tlsDesc, err := m.openClient(ctx, conn, req, tr)
	info.TLS = tlsDesc
	if err != nil {
		conn.Close()
		return nil, &RemoteError{Host: name, Command: "connect", Err: err}
	}
	defer c.Close()
	if err := m.relayAuth(c, hop, tlsDesc != ""); err != nil {
		return nil, &RemoteError{Host: name, Command: "AUTH", Err: err}
	}
	return m.transaction(c, name, host, msg, rcpts, body)
}

// transaction runs MAIL, RCPT, DATA. A temporary failure of MAIL sends
// the message to the next host; after that, answers are per recipient.
func (m *MTA) transaction(c *smtp.Client, name, host string, msg queue.Message, rcpts []string, body func() (io.ReadCloser, error)) ([]queue.Result, error) {
	opts := &smtp.MailOptions{Size: msg.Size}
	if ok, _ := c.Extension("SMTPUTF8"); ok && msg.UTF8 {
		opts.UTF8 = true
	} else if msg.UTF8 {
		return allResults(rcpts, smtpErr(554, 5, 6, 7, "next hop does not support SMTPUTF8"), host), nil
	}
	if err := c.Mail(msg.From, opts); err != nil {
		rerr := &RemoteError{Host: name, Command: "MAIL FROM", Err: err}
		if perm, _, _ := queue.Classify(err); perm {
			return allResults(rcpts, rerr, host), nil
		}
		return nil, rerr
	}
	res := make([]queue.Result, len(rcpts))
	var accepted []int
	for i, r := range rcpts {
		res[i] = queue.Result{Rcpt: r, Remote: host}
		if err := c.Rcpt(r, nil); err != nil {
			res[i].Err = &RemoteError{Host: name, Command: "RCPT TO", Err: err}
			continue
		}
		accepted = append(accepted, i)
	}
	if len(accepted) == 0 {
		c.Quit()
		return res, nil
	}
	reply, err := sendData(c, body)
	for _, i := range accepted {
		if err != nil {
			res[i].Err = &RemoteError{Host: name, Command: "end of DATA", Err: err}
		}
		res[i].Reply = reply
	}
	if err != nil {
		return res, nil
	}
	c.Quit()
	return res, nil
}

// sendData sends the message after DATA and returns the reply to it.
func sendData(c *smtp.Client, body func() (io.ReadCloser, error)) (string, error) {
	w, err := c.Data()
	if err != nil {
		return "", err
	}
	rc, err := body()
	if err != nil {
		w.Close()
		return "", smtpErr(451, 4, 3, 0, "cannot read the queued message: "+err.Error())
	}
	defer rc.Close()
	cw := &crlfWriter{w: w}
	_, err = io.Copy(cw, rc)
	if err == nil {
		err = cw.Close()
	}
	if err != nil {
		w.Close()
		return "", smtpErr(451, 4, 4, 2, "sending the message: "+err.Error())
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", err
	}
	return "250 " + resp.StatusText, nil
}

// relayAuth authenticates to the relayhost when it has credentials.
func (m *MTA) relayAuth(c *smtp.Client, hop NextHop, tlsOn bool) error {
	rh := m.cfg.RelayHost
	if !hop.Relay || rh == nil {
		return nil
	}
	if rh.RequireTLS && !tlsOn {
		return smtpErr(451, 4, 7, 10, "relayhost offers no STARTTLS, TLS is required")
	}
	if rh.Username == "" {
		return nil
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return smtpErr(451, 4, 7, 0, "relayhost offers no AUTH")
	}
	if err := c.Auth(sasl.NewPlainClient("", rh.Username, rh.Password)); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) { // a wrong password is a configuration problem: retry later
			se = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 8}, Message: se.Message}
			return se
		}
		return err
	}
	return nil
}

// openClient reads the greeting, says EHLO and starts TLS when offered
// (RFC 3207), then hands the connection to go-smtp's client, which says
// EHLO again as RFC 3207 §4.2 requires. Without a requirement TLS is
// opportunistic (RFC 7435: the certificate is not verified but the
// version and cipher are recorded); req may demand TLS and a verified
// certificate (MTA-STS, DANE: see DecideTLS).
func (m *MTA) openClient(ctx context.Context, conn net.Conn, req TLSRequirement, tr *transcript) (*smtp.Client, string, error) {
	host := req.Host
	tp := textproto.NewConn(readWriter{io.TeeReader(conn, tr.dir("S: ")), io.MultiWriter(conn, tr.dir("C: "))})
	_, greeting, err := tp.ReadResponse(220)
	if err != nil {
		return nil, "", toSMTPError(err)
	}
	fake := "220 " + strings.ReplaceAll(greeting, "\n", " ") + "\r\n"
	plain := func() (*smtp.Client, string, error) {
		return m.newClient(prefixConn{conn, io.MultiReader(strings.NewReader(fake), conn)}, tr), "", nil
	}
	if err := tp.PrintfLine("EHLO %s", m.cfg.Hostname); err != nil {
		return nil, "", err
	}
	_, ext, err := tp.ReadResponse(250)
	if err != nil || !hasExtension(ext, "STARTTLS") {
		return m.clearText(req, "offers no STARTTLS", plain)
	}
	if err := tp.PrintfLine("STARTTLS"); err != nil {
		return nil, "", err
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return m.clearText(req, "refused STARTTLS", plain)
	}
	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
	if _, err := netip.ParseAddr(host); err != nil {
		cfg.ServerName = host
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, "", smtpErr(451, 4, 7, 5, "TLS handshake: "+err.Error())
	}
	st := tc.ConnectionState()
	desc := tls.VersionName(st.Version) + " " + tls.CipherSuiteName(st.CipherSuite)
	switch err := req.check(st, m.cfg.RootCAs, time.Now()); {
	case err != nil && !req.Testing:
		fmt.Fprintf(tr, "-- %s, %s: %v --\r\n", desc, req.Source, err)
		return nil, desc, smtpErr(451, 4, 7, 5, req.Source+": "+host+": "+err.Error())
	case err != nil:
		m.log.Warn("mta-sts testing: the certificate check failed, delivering anyway", "host", host, "err", err)
	case req.Verify != VerifyNone:
		desc += ", certificate verified (" + req.Source + ")"
	}
	fmt.Fprintf(tr, "-- %s --\r\n", desc)
	return m.newClient(prefixConn{tc, io.MultiReader(strings.NewReader(fake), tc)}, tr), desc, nil
}

// clearText goes on without TLS, unless req requires it: then the host
// is refused (451 4.7.4, as Postfix says "TLS is required, but was not
// offered"), or with MTA-STS testing, logged.
func (m *MTA) clearText(req TLSRequirement, what string, plain func() (*smtp.Client, string, error)) (*smtp.Client, string, error) {
	if req.Require && !req.Testing {
		return nil, "", smtpErr(451, 4, 7, 4, req.Source+": TLS is required, but "+req.Host+" "+what)
	}
	if req.Require {
		m.log.Warn("mta-sts testing: no TLS, delivering anyway", "host", req.Host, "why", what)
	}
	return plain()
}

func (m *MTA) newClient(conn net.Conn, tr *transcript) *smtp.Client {
	c := smtp.NewClient(conn)
	c.DebugWriter = tr
	c.CommandTimeout = m.cfg.CommandTimeout
	c.SubmissionTimeout = m.cfg.DataTimeout
	c.Hello(m.cfg.Hostname)
	return c
}

func hasExtension(ehlo, name string) bool {
	for line := range strings.SplitSeq(ehlo, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.EqualFold(f[0], name) {
			return true
		}
	}
	return false
}

func toSMTPError(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &smtp.SMTPError{Code: te.Code, Message: te.Msg}
	}
	return err
}

// prefixConn replays the greeting that openClient already read.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (p prefixConn) Read(b []byte) (int, error) { return p.r.Read(b) }

type readWriter struct {
	io.Reader
	io.Writer
}

func (rw readWriter) Close() error { return nil }
