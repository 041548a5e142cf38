package mailaddr

import (
	"net/netip"
	"strings"
)

// Validate checks one mailbox typed in the composer. It accepts what Parse
// accepts except: a source route (ErrSourceRoute: RFC 1123 §5.2.19, RFC 5321
// §3.6.1), a domain that is not a host name or is a bare IP address
// (ErrBadDomain), a local part over 64 octets or an address over 254
// (ErrTooLong, RFC 5321 §4.5.3.1). Address literals pass: they are legal,
// and Explain warns that they are discouraged. The error is a *ParseError.
func Validate(s string) error {
	a, err := Parse(s)
	if err != nil {
		return err
	}
	fail := func(part string, reason error) error {
		return &ParseError{Input: s, Pos: max(strings.Index(s, part), 0), Reason: reason}
	}
	switch {
	case len(a.Route) > 0:
		return fail(a.Route[0], ErrSourceRoute)
	case len(a.Local) > 64:
		return fail(a.Local, errorf(ErrTooLong, "local part of %d octets, more than 64", len(a.Local)))
	case len(a.Addr()) > 254:
		return fail(a.Domain, errorf(ErrTooLong, "address of %d octets, more than 254", len(a.Addr())))
	case a.Literal.IsValid():
		return nil
	}
	if err := checkHostname(a.Domain); err != nil {
		return fail(a.Domain, err)
	}
	return nil
}

// checkHostname checks that d is a host name (RFC 5321 §4.1.2 Domain, RFC
// 1123 §2.1), its labels in letters, digits and hyphens or IDN U-labels
// (RFC 5891), at most 63 octets each and 253 in all, and not an IP address
// without brackets.
func checkHostname(d string) error {
	if _, err := netip.ParseAddr(d); err == nil {
		return errorf(ErrBadDomain, "IP address %s must be written in brackets", d)
	}
	ascii, err := idnaProfile.ToASCII(d)
	if err != nil {
		return errorf(ErrBadDomain, "%s is not a host name: %v", short(d), err)
	}
	if len(ascii) > 253 {
		return errorf(ErrBadDomain, "domain of %d octets, more than 253", len(ascii))
	}
	return nil
}
