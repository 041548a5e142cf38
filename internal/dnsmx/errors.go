package dnsmx

import (
	"errors"
	"fmt"
)

// The kinds of failure, for errors.Is on an *Error.
var (
	// ErrNotFound: the name does not exist (NXDOMAIN) or has no record of
	// the type asked (NODATA, Error.NoData set). A mail transport agent
	// bounces.
	ErrNotFound = errors.New("not found")
	// ErrTemporary: the server failed (SERVFAIL, REFUSED...), did not answer
	// in time, or the caller gave up. A mail transport agent retries later.
	ErrTemporary = errors.New("temporary DNS failure")
	// ErrOffline: no DNS server could be reached (connection refused, no
	// route, no network). The GUI says "offline".
	ErrOffline = errors.New("no DNS server reachable")
	// ErrBogus: a validating resolver said, by an extended DNS error
	// (RFC 8914), that the answer failed DNSSEC validation (bogus
	// signatures, expired or missing ones, a missing DNSKEY or NSEC). It
	// comes with ErrTemporary, as SERVFAIL does: a mail transport agent
	// defers (RFC 7672 §2.1.1), but nothing will change until the domain's
	// owner fixes the zone, so the delivery preview flags it.
	ErrBogus = errors.New("DNSSEC validation failed")
	// ErrInvalid: the records exist but break the syntax of their RFC, or
	// there are several where one is allowed (an MTA-STS or TLS-RPT TXT
	// record): the domain is treated as publishing none.
	ErrInvalid = errors.New("invalid record")
)

// Error is a failed look-up.
type Error struct {
	Name   string // the name looked up, without the final dot
	Type   string // "MX", "A", "AAAA", "A/AAAA", "PTR", "SRV", "TXT", "TLSA"
	Err    error  // wraps ErrNotFound, ErrTemporary, ErrOffline or ErrInvalid, with details
	NoData bool   // with ErrNotFound: the name exists but has no such record (NODATA)
}

// Error returns "dnsmx: MX example.com: ...".
func (e *Error) Error() string {
	return fmt.Sprintf("dnsmx: %s %s: %v", e.Type, e.Name, e.Err)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// wrap turns err into an *Error about name and typ, keeping NoData.
func wrap(name, typ string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Name: trimDot(name), Type: typ, Err: err}
	var inner *Error
	if errors.As(err, &inner) {
		e.Err, e.NoData = inner.Err, inner.NoData
	}
	return e
}

// errNoData and errNXDomain are the two ways of ErrNotFound.
var (
	errNoData   = &Error{Err: fmt.Errorf("%w: no record of this type (NODATA)", ErrNotFound), NoData: true}
	errNXDomain = &Error{Err: fmt.Errorf("%w: no such domain (NXDOMAIN)", ErrNotFound)}
)

// classify maps a transport error to ErrOffline or ErrTemporary.
func classify(err error) error {
	if isOffline(err) {
		return fmt.Errorf("%w: %w", ErrOffline, err)
	}
	return fmt.Errorf("%w: %w", ErrTemporary, err)
}
