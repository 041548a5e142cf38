package inspect

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"facteur/internal/dnsmx"
)

// TXTLookup returns the TXT records of a name, one string per record (the
// record's strings joined), as DKIM key look-ups need (RFC 6376 §3.6.2.2).
type TXTLookup func(ctx context.Context, name string) ([]string, error)

// ErrNoTXTServer is returned by a TXTLookup built without a server.
var ErrNoTXTServer = errors.New("inspect: no DNS server for TXT look-ups")

// ErrTXTNotFound is returned by NewTXTLookup's function for a name that
// does not exist or has no TXT record; the dnsmx error is wrapped too.
var ErrTXTNotFound = errors.New("inspect: no such TXT record")

// NewTXTLookup returns a TXTLookup that asks the DNS server at addr
// ("127.0.0.1:5353") through a resolver of its own (dnsmx.Resolver.TXT).
// Resolve needs none: it asks its resolver's TXT method; this is for a
// DKIM key server other than the one of the MX look-ups. An empty addr
// gives ErrNoTXTServer, never the system's resolver.
func NewTXTLookup(addr string, timeout time.Duration) TXTLookup {
	if addr == "" {
		return func(context.Context, string) ([]string, error) { return nil, ErrNoTXTServer }
	}
	if timeout <= 0 {
		timeout = defaultLookupTimeout
	}
	res := dnsmx.New(dnsmx.Config{Server: addr, Timeout: timeout})
	return func(ctx context.Context, name string) ([]string, error) {
		txt, err := res.TXT(ctx, name)
		if errors.Is(err, dnsmx.ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", ErrTXTNotFound, err)
		}
		return txt, err
	}
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
// resolver's (cached with the other answers).
func (s *dnsSession) txtLookup() TXTLookup {
	if s.r.opt.LookupTXT != nil {
		return s.r.opt.LookupTXT
	}
	return s.res.TXT
}

// planDKIM starts the live verification of the DKIM signatures.
func (s *dnsSession) planDKIM() {
	if !s.r.hasField("DKIM-Signature") {
		s.r.DNS.DKIMNote = "The message has no DKIM-Signature field."
		return
	}
	lookup := s.txtLookup()
	raw := s.r.raw
	s.spawn(UpdateDKIM, "dkim", netip.Addr{}, func(ctx context.Context, out *jobResult) {
		out.dkim, out.err = verifyDKIM(ctx, raw, lookup)
	})
}

// verifyDKIM runs go-msgauth's verifier with TXT look-ups bound to ctx.
func verifyDKIM(ctx context.Context, raw string, lookup TXTLookup) ([]DKIMCheck, error) {
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
	verifs, err := dkim.VerifyWithOptions(strings.NewReader(raw), opts)
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
