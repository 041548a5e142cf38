package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/miekg/dns"

	"facteur/internal/dnsmx"
)

// TXTLookup returns the TXT records of a name, one string per record (the
// record's strings joined), as DKIM key look-ups need (RFC 6376 §3.6.2.2).
type TXTLookup func(ctx context.Context, name string) ([]string, error)

// txtResolver is the method a resolver may offer for TXT look-ups.
type txtResolver interface {
	TXT(ctx context.Context, name string) ([]string, error)
}

// ErrNoTXTServer is returned by a TXTLookup built without a server.
var ErrNoTXTServer = errors.New("inspect: no DNS server for TXT look-ups")

// ErrTXTNotFound is returned by NewTXTLookup's function for NXDOMAIN.
var ErrTXTNotFound = errors.New("inspect: no such TXT record")

// NewTXTLookup returns a TXTLookup that asks the DNS server at addr
// ("127.0.0.1:5353") with miekg/dns, UDP then TCP when truncated. It is
// for the DKIM verification when the resolver has no TXT method.
func NewTXTLookup(addr string, timeout time.Duration) TXTLookup {
	if timeout <= 0 {
		timeout = defaultLookupTimeout
	}
	return func(ctx context.Context, name string) ([]string, error) {
		if addr == "" {
			return nil, ErrNoTXTServer
		}
		return queryTXT(ctx, addr, timeout, name)
	}
}

func queryTXT(ctx context.Context, addr string, timeout time.Duration, name string) ([]string, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeTXT)
	c := &dns.Client{Timeout: timeout}
	in, _, err := c.ExchangeContext(ctx, m, addr)
	if err == nil && in.Truncated {
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, addr)
	}
	if err != nil {
		return nil, &lookupError{name: name, err: err, temp: true}
	}
	switch in.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, ErrTXTNotFound
	default:
		return nil, &lookupError{name: name, err: fmt.Errorf("%s", dns.RcodeToString[in.Rcode]), temp: true}
	}
	var out []string
	for _, rr := range in.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return out, nil
}

// lookupError is a TXT look-up failure. It implements net.Error so that
// go-msgauth reports a temporary failure as temperror, not permerror.
type lookupError struct {
	name string
	err  error
	temp bool
}

func (e *lookupError) Error() string   { return "TXT " + e.name + ": " + e.err.Error() }
func (e *lookupError) Unwrap() error   { return e.err }
func (e *lookupError) Timeout() bool   { return e.temp }
func (e *lookupError) Temporary() bool { return e.temp }

// txtLookup returns the TXT look-up to use: the caller's, else the
// resolver's own TXT method, else nil.
func (s *dnsSession) txtLookup() TXTLookup {
	if s.r.opt.LookupTXT != nil {
		return s.r.opt.LookupTXT
	}
	if t, ok := any(s.res).(txtResolver); ok {
		return t.TXT
	}
	return nil
}

// planDKIM starts the live verification of the DKIM signatures.
func (s *dnsSession) planDKIM() {
	if !s.r.hasField("DKIM-Signature") {
		s.r.DNS.DKIMNote = "The message has no DKIM-Signature field."
		return
	}
	lookup := s.txtLookup()
	if lookup == nil {
		s.r.DNS.DKIMNote = "DKIM not verified: no TXT resolver was given."
		return
	}
	raw := s.r.raw
	s.spawn(UpdateDKIM, "dkim", netip.Addr{}, func(ctx context.Context, out *jobResult) {
		out.dkim, out.err = verifyDKIM(ctx, raw, lookup)
	})
}

// verifyDKIM runs go-msgauth's verifier with TXT look-ups bound to ctx.
func verifyDKIM(ctx context.Context, raw []byte, lookup TXTLookup) ([]DKIMCheck, error) {
	opts := &dkim.VerifyOptions{
		MaxVerifications: 10,
		LookupTXT: func(name string) ([]string, error) {
			txt, err := lookup(ctx, name)
			if err != nil && isTemporary(err) {
				return nil, &lookupError{name: name, err: err, temp: true}
			}
			return txt, err
		},
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts)
	var out []DKIMCheck
	for _, v := range verifs {
		out = append(out, dkimCheck(v))
	}
	if errors.Is(err, dkim.ErrTooManySignatures) {
		err = nil
	}
	return out, err
}

// isTemporary tells whether a look-up error may go away by itself.
func isTemporary(err error) bool {
	var le *lookupError
	if errors.As(err, &le) {
		return le.temp
	}
	switch statusOf(err) {
	case StatusTemporary, StatusOffline, StatusCanceled:
		return true
	}
	return false
}

func dkimCheck(v *dkim.Verification) DKIMCheck {
	c := DKIMCheck{Domain: v.Domain, Identifier: v.Identifier, Result: "pass"}
	switch err := v.Err; {
	case err == nil:
	case dkim.IsTempFail(err):
		c.Result, c.Error = "temperror", err.Error()
	case dkim.IsPermFail(err):
		c.Result, c.Error = "permerror", err.Error()
	default:
		c.Result, c.Error = "fail", err.Error()
	}
	return c
}

func (s *dnsSession) applyDKIM(j jobResult) {
	s.r.DNS.DKIM = j.dkim
	if j.err != nil {
		s.r.DNS.DKIMNote = "DKIM verification failed: " + j.err.Error()
	}
	if s.offline && len(j.dkim) == 0 {
		s.r.DNS.DKIMNote = "DKIM not verified: " + dnsmx.ErrOffline.Error()
	}
	s.update(DNSUpdate{Kind: UpdateDKIM, State: DNSRunning, DKIM: append([]DKIMCheck(nil), j.dkim...)})
}
