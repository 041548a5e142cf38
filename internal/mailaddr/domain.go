package mailaddr

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"facteur/internal/ascii"
)

// domain reads a domain: a dot-atom, the obsolete obs-domain with CFWS
// around the dots, or a domain literal. forms holds what the domain uses:
// literal, IDN, obsolete spaces.
func (p *parser) domain(a *Address) (d string, lit netip.Addr, forms FormSet, err error) {
	spaced := false
	for p.peek().kind == tokComment {
		spaced = spaced || p.peek().space
		p.comment(a, p.next())
	}
	t := p.peek()
	if spaced || t.space {
		forms.add(FormObsoleteSpaces)
	}
	switch t.kind {
	case tokLiteral:
		p.next()
		d, lit, f, err := literal(p, t)
		return d, lit, forms | f, err
	case tokAtom:
		d, f, err := p.dotAtom(a)
		return d, lit, forms | f, err
	}
	return "", lit, 0, p.fail(t, errorf(ErrBadDomain, "no domain after @"))
}

// dotAtom reads the atoms of a domain, with the comments and spaces that the
// obsolete syntax allows around its dots.
func (p *parser) dotAtom(a *Address) (string, FormSet, error) {
	first := p.next()
	var b strings.Builder
	b.WriteString(first.val)
	forms, last := FormSet(0), first.val
	for {
		j := p.afterComments(p.i)
		t := p.peekAt(j)
		if t.kind != tokAtom || !strings.HasSuffix(last, ".") && !strings.HasPrefix(t.val, ".") {
			break
		}
		if t.space || j > p.i {
			forms.add(FormObsoleteSpaces)
		}
		for p.i < j {
			p.comment(a, p.next())
		}
		last = p.next().val
		b.WriteString(last)
	}
	text := b.String()
	if !isDotAtomText(text) {
		return "", 0, p.fail(first, errorf(ErrBadDomain, "misplaced dot in %s", short(text)))
	}
	if !utf8.ValidString(text) {
		return "", 0, p.fail(first, errorf(ErrBadDomain, "invalid UTF-8"))
	}
	if !ascii.Is(text) || strings.Contains(strings.ToLower(text), "xn--") {
		forms.add(FormIDN)
	}
	return text, forms, nil
}

// isDotAtomText reports whether s is non-empty words joined by single dots.
func isDotAtomText(s string) bool {
	for w := range strings.SplitSeq(s, ".") {
		if w == "" {
			return false
		}
	}
	return true
}

// literal checks a domain literal: an IPv4 address, "IPv6:" and an IPv6
// address (RFC 5321 §4.1.3), or a bare IPv6 address as net/mail accepts.
func literal(p *parser, t token) (string, netip.Addr, FormSet, error) {
	v, form := t.val, FormLiteral
	var forms FormSet
	if t.inner {
		forms.add(FormObsoleteSpaces)
	}
	text := "[" + v + "]"
	if len(v) > 5 && strings.EqualFold(v[:5], "IPv6:") {
		v, text = v[5:], "[IPv6:"+v[5:]+"]"
	}
	ip, err := netip.ParseAddr(v)
	switch {
	case err != nil || ip.Zone() != "":
		return "", ip, 0, p.fail(t, errorf(ErrBadDomain, "address literal [%s] is not an IP address", short(t.val)))
	case ip.Is4() && text != "["+v+"]":
		return "", ip, 0, p.fail(t, errorf(ErrBadDomain, "IPv4 address %s tagged IPv6", short(v)))
	case ip.Is6():
		form = FormLiteralIPv6
	}
	forms.add(form)
	return text, ip, forms, nil
}
