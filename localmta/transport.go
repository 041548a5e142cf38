package localmta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/localmta/queue"

	"github.com/emersion/go-smtp"
)

// RemoteError is a delivery failure reported by (or about) a next hop: it
// names the host and the command, and wraps the *smtp.SMTPError that
// decides whether it is permanent.
type RemoteError struct {
	Host    string // "smtp.machin.com[127.0.0.3]"
	Command string // "RCPT TO", "DATA", "connect"...
	Err     error
}

// Error reads like Postfix's "host X said: 550 5.1.1 ... (in reply to RCPT
// TO)" when a host answered; a failed DNS look-up says that no host was
// contacted, as Postfix's "Host or domain name not found" does.
func (e *RemoteError) Error() string {
	var se *smtp.SMTPError
	if !errors.As(e.Err, &se) {
		return fmt.Sprintf("%s %s: %v", e.Command, e.Host, e.Err)
	}
	c := se.EnhancedCode
	switch e.Command {
	case "DNS":
		return fmt.Sprintf("no host was contacted: the DNS look-up of %s failed: %d %d.%d.%d %s", e.Host, se.Code, c[0], c[1], c[2], se.Message)
	case "connect":
		return fmt.Sprintf("%s %s: %v", e.Command, e.Host, e.Err)
	}
	return fmt.Sprintf("host %s said: %d %d.%d.%d %s (in reply to %s)", e.Host, se.Code, c[0], c[1], c[2], se.Message, e.Command)
}

// Unwrap returns the cause.
func (e *RemoteError) Unwrap() error { return e.Err }

func smtpErr(code int, class, subject, detail int, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{class, subject, detail}, Message: msg}
}

// mxTarget is one host to try, in order.
type mxTarget struct {
	host string
	port int
}

// sendRemote is the transport agent: it delivers to the next hop's hosts
// in turn (RFC 5321 §5.1) and returns one result per recipient.
func (m *MTA) sendRemote(ctx context.Context, hop NextHop, msg queue.Message, rcpts []string, body func() (io.ReadCloser, error)) []queue.Result {
	targets, mxSecure, err := m.hopTargets(ctx, hop)
	if err != nil {
		return allResults(rcpts, err, "")
	}
	policy := m.stsPolicy(ctx, hop)
	var lastErr error
	for _, t := range targets {
		addrs, sec, err := m.resolver.AddrsDNSSEC(ctx, t.host)
		if err != nil {
			lastErr = dnsFailure(err, t.host)
			continue
		}
		req := m.tlsRequirement(ctx, t, mxSecure, sec.Secure, policy)
		if req.Skip {
			lastErr = &RemoteError{Host: t.host, Command: "connect", Err: smtpErr(451, 4, 7, 5, req.Reason)}
			m.log.Warn("transport: host skipped", "host", t.host, "rule", req.Source, "reason", req.Reason)
			continue
		}
		for _, ip := range addrs {
			if m.isSelfIP(ip) {
				lastErr = loopError(hop)
				continue
			}
			ap := netip.AddrPortFrom(ip, uint16(t.port))
			res, err := m.smtpSession(ctx, t.host, ap, hop, req, msg, rcpts, body)
			if err == nil {
				return res
			}
			lastErr = err
			m.log.Info("transport: next host", "host", t.host, "addr", ap.String(), "err", err)
		}
	}
	if lastErr == nil {
		lastErr = smtpErr(451, 4, 4, 1, "no host to deliver to")
	}
	return allResults(rcpts, lastErr, "")
}

func allResults(rcpts []string, err error, remote string) []queue.Result {
	out := make([]queue.Result, len(rcpts))
	for i, r := range rcpts {
		out[i] = queue.Result{Rcpt: r, Err: err, Remote: remote}
	}
	return out
}

func loopError(hop NextHop) error {
	return smtpErr(554, 5, 4, 6, "mail for "+hop.String()+" loops back to myself")
}

// dnsFailure turns a look-up error into an SMTP status: NXDOMAIN bounces,
// the rest is retried.
func dnsFailure(err error, name string) error {
	if errors.Is(err, dnsmx.ErrNotFound) {
		return &RemoteError{Host: name, Command: "DNS", Err: smtpErr(550, 5, 4, 4, "Host or domain name not found: "+err.Error())}
	}
	return &RemoteError{Host: name, Command: "DNS", Err: smtpErr(451, 4, 4, 3, "Temporary DNS failure: "+err.Error())}
}

// hopTargets lists the hosts to try: the bracketed host, or the MX hosts
// by preference (equal ones shuffled), only those better than this host
// when it is itself an MX of the domain (secondary MX); and whether the
// MX answer was secure (DNSSEC, for DANE).
func (m *MTA) hopTargets(ctx context.Context, hop NextHop) ([]mxTarget, bool, error) {
	port := hop.Port
	if port == 0 {
		port = m.cfg.MXPort
	}
	if hop.NoMX {
		return []mxTarget{{hop.Host, port}}, false, nil
	}
	name := hop.Domain
	if hop.Host != "" {
		name = hop.Host
	}
	res, err := m.resolver.MX(ctx, name)
	if err != nil {
		return nil, false, dnsFailure(err, name)
	}
	if res.Null { // RFC 7505 §4.3
		return nil, false, smtpErr(556, 5, 1, 10, "Recipient address rejected: "+name+" accepts no mail (null MX)")
	}
	out, err := m.mxTargets(res.Records, port, hop)
	return out, res.DNSSEC.Secure, err
}

// mxTargets orders the MX hosts, leaving out this host and those worse
// than it.
func (m *MTA) mxTargets(mxs []dnsmx.MX, port int, hop NextHop) ([]mxTarget, error) {
	records := dnsmx.ShuffleEqual(mxs, nil)
	self, selfPref := false, uint16(0)
	for _, mx := range records {
		if m.isSelfHost(mx.Host) && (!self || mx.Pref < selfPref) {
			self, selfPref = true, mx.Pref
		}
	}
	var out []mxTarget
	for _, mx := range records {
		if !self || mx.Pref < selfPref {
			out = append(out, mxTarget{mx.Host, port})
		}
	}
	if len(out) == 0 {
		return nil, loopError(hop)
	}
	return out, nil
}

// stsPolicy is the MTA-STS policy in force for a delivery to the MX of
// the recipient domain (RFC 8461 §5.1); nil for other hops (a relayhost,
// a transport-table host) and for domains without a policy.
func (m *MTA) stsPolicy(ctx context.Context, hop NextHop) *mtasts.Policy {
	if !hop.ToDomainMX() {
		return nil
	}
	r := m.sts.Lookup(ctx, hop.Domain)
	if r.FetchErr != nil {
		m.log.Warn("mta-sts: policy fetch failed", "domain", hop.Domain, "err", r.FetchErr, "cached", r.FromCache)
	}
	if r.Policy != nil && r.Policy.Mode != mtasts.ModeNone {
		m.log.Info("mta-sts: policy", "domain", hop.Domain, "mode", r.Policy.Mode, "mx", r.Policy.MX, "id", r.PolicyID, "cached", r.FromCache)
	}
	return r.Policy
}

// tlsRequirement gathers what DNS says of one MX host (its TLSA records,
// looked up only when the MX and the addresses are secure, RFC 7672
// §2.2.2) and decides with DecideTLS.
func (m *MTA) tlsRequirement(ctx context.Context, t mxTarget, mxSecure, addrsSecure bool, p *mtasts.Policy) TLSRequirement {
	f := HostFacts{Host: t.host, MXSecure: mxSecure, AddrsSecure: addrsSecure, Policy: p}
	if mxSecure && addrsSecure {
		res, err := m.resolver.TLSA(ctx, t.host, t.port)
		f.TLSA, f.TLSAErr = &res, err
	}
	req := DecideTLS(f)
	if req.Testing && !p.Match(t.host) {
		m.log.Warn("mta-sts testing: would skip this host", "host", t.host, "reason", req.Reason)
	}
	return req
}

// dialer returns the dialer of outgoing connections.
func (m *MTA) dialer() *net.Dialer {
	d := &net.Dialer{Timeout: 30e9}
	if m.cfg.SourceIP.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: m.cfg.SourceIP.AsSlice()}
	}
	return d
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
