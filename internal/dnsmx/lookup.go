package dnsmx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"facteur/internal/ascii"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// MX is one mail exchanger.
type MX struct {
	Host string // lower case, without the final dot
	Pref uint16 // lower is preferred
}

// MXResult is where mail for a domain goes.
type MXResult struct {
	Domain   string // the domain asked, in ASCII, lower case, without the final dot
	Records  []MX   // sorted by Pref; equal preferences keep the server's order
	Implicit bool   // no MX record: the domain's own A/AAAA stand as "MX 0 domain" (RFC 5321 §5.1)
	Null     bool   // null MX "MX 0 ." (RFC 7505): the domain takes no mail; Records is empty
	// DNSSEC of the MX answer, or of the address answers of an implicit MX.
	DNSSEC DNSSEC
}

// SRV is one service location (RFC 2782).
type SRV struct {
	Target           string // lower case, without the final dot
	Port             uint16
	Priority, Weight uint16
}

// maxCNAME bounds the CNAME chains followed.
const maxCNAME = 8

// MX returns the mail exchangers of domain (ASCII or Unicode), sorted by
// preference. Without MX record it falls back to the domain's addresses
// (Implicit); a null MX gives Null and no record. Errors are *Error of Type
// "MX": ErrNotFound for a domain that does not exist or has neither MX nor
// address.
func (r *Resolver) MX(ctx context.Context, domain string) (MXResult, error) {
	name, err := fqdn(domain)
	if err != nil {
		return MXResult{Domain: domain}, wrap(domain, "MX", err)
	}
	res := MXResult{Domain: trimDot(name)}
	rrs, ad, err := r.lookupAD(ctx, name, dns.TypeMX)
	if isNoData(err) {
		return r.implicitMX(ctx, res)
	}
	if err != nil {
		return res, wrap(name, "MX", err)
	}
	res.Records, res.Null = mxRecords(rrs)
	res.DNSSEC = r.dnssec(ad)
	return res, nil
}

// implicitMX stands the domain itself as its exchanger when it has an
// address (RFC 5321 §5.1).
func (r *Resolver) implicitMX(ctx context.Context, res MXResult) (MXResult, error) {
	_, ad, err := r.addrs(ctx, res.Domain)
	if err != nil {
		return res, wrap(res.Domain, "MX", err)
	}
	res.Records, res.Implicit = []MX{{Host: res.Domain, Pref: 0}}, true
	res.DNSSEC = r.dnssec(ad)
	return res, nil
}

// mxRecords sorts the MX records and tells a null MX (RFC 7505), whose "."
// records are dropped.
func mxRecords(rrs []dns.RR) ([]MX, bool) {
	var out []MX
	null := false
	for _, rr := range rrs {
		mx, ok := rr.(*dns.MX)
		switch {
		case !ok:
		case mx.Mx == ".":
			null = true
		default:
			out = append(out, MX{Host: trimDot(strings.ToLower(mx.Mx)), Pref: mx.Preference})
		}
	}
	slices.SortStableFunc(out, func(a, b MX) int { return cmp.Compare(a.Pref, b.Pref) })
	return out, null && len(out) == 0
}

// Addrs returns the IPv4 then IPv6 addresses of host, asked concurrently; a
// host written as an IP address or an address literal ("[192.0.2.1]",
// "[IPv6:2001:db8::1]") is returned as is. Errors are *Error of Type "A/AAAA".
func (r *Resolver) Addrs(ctx context.Context, host string) ([]netip.Addr, error) {
	addrs, _, err := r.addrs(ctx, host)
	return addrs, err
}

// AddrsDNSSEC is Addrs that also tells whether both answers (A and AAAA,
// NODATA included) were authenticated: DANE looks up TLSA records only
// for a host whose addresses are secure (RFC 7672 §2.2.2). An IP address
// given as such is not secure.
func (r *Resolver) AddrsDNSSEC(ctx context.Context, host string) ([]netip.Addr, DNSSEC, error) {
	addrs, ad, err := r.addrs(ctx, host)
	return addrs, r.dnssec(ad), err
}

func (r *Resolver) addrs(ctx context.Context, host string) ([]netip.Addr, bool, error) {
	if ip, ok := literalIP(host); ok {
		return []netip.Addr{ip}, false, nil
	}
	name, err := fqdn(host)
	if err != nil {
		return nil, false, wrap(host, "A/AAAA", err)
	}
	var v4, v6 []dns.RR
	var ad4, ad6 bool
	var err4, err6 error
	var wg sync.WaitGroup
	wg.Go(func() { v4, ad4, err4 = r.lookupAD(ctx, name, dns.TypeA) })
	v6, ad6, err6 = r.lookupAD(ctx, name, dns.TypeAAAA)
	wg.Wait()
	addrs := append(ips(v4), ips(v6)...)
	ad := ad4 && ad6 && authentic(err4) && authentic(err6)
	if len(addrs) > 0 {
		return addrs, ad, nil
	}
	return nil, false, wrap(name, "A/AAAA", worse(err4, err6))
}

// authentic tells whether a look-up's outcome can carry the AD bit: an
// answer or a denial (NODATA, NXDOMAIN), not a failure.
func authentic(err error) bool { return err == nil || errors.Is(err, ErrNotFound) }

// literalIP reads a host given as an IP address: "192.0.2.1", "[192.0.2.1]",
// "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3) or "2001:db8::1".
func literalIP(host string) (netip.Addr, bool) {
	s := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if len(s) > 5 && strings.EqualFold(s[:5], "IPv6:") {
		s = s[5:]
	}
	ip, err := netip.ParseAddr(s)
	return ip, err == nil && ip.Zone() == ""
}

// ips returns the addresses of A and AAAA records.
func ips(rrs []dns.RR) []netip.Addr {
	var out []netip.Addr
	for _, rr := range rrs {
		var ip netip.Addr
		switch rr := rr.(type) {
		case *dns.A:
			ip, _ = netip.AddrFromSlice(rr.A.To4())
		case *dns.AAAA:
			ip, _ = netip.AddrFromSlice(rr.AAAA.To16())
		}
		if ip.IsValid() {
			out = append(out, ip)
		}
	}
	return out
}

// worse picks the error of two look-ups of one name that says most: a
// failure beats "not found", NODATA (the name exists) beats NXDOMAIN.
func worse(a, b error) error {
	if a == nil {
		a = errNoData
	}
	if b == nil {
		b = errNoData
	}
	switch {
	case !errors.Is(a, ErrNotFound):
		return a
	case !errors.Is(b, ErrNotFound), isNoData(b):
		return b
	}
	return a
}

// PTR returns the names of ip (reverse DNS, RFC 1035 §3.5, RFC 3596 §2.5).
// Errors are *Error of Type "PTR" whose Name is the address.
func (r *Resolver) PTR(ctx context.Context, ip netip.Addr) ([]string, error) {
	if !ip.IsValid() {
		return nil, wrap("", "PTR", fmt.Errorf("%w: invalid IP address", ErrNotFound))
	}
	ip = ip.Unmap().WithZone("")
	arpa, err := dns.ReverseAddr(ip.String())
	if err != nil {
		return nil, wrap(ip.String(), "PTR", fmt.Errorf("%w: %w", ErrNotFound, err))
	}
	rrs, err := r.lookup(ctx, arpa, dns.TypePTR)
	if err != nil {
		return nil, wrap(ip.String(), "PTR", err)
	}
	var out []string
	for _, rr := range rrs {
		if p, ok := rr.(*dns.PTR); ok {
			out = append(out, trimDot(strings.ToLower(p.Ptr)))
		}
	}
	return out, nil
}

// SRV returns the records of _service._proto.domain ("imaps", "tcp",
// "example.com", as RFC 6186 asks), by priority then heaviest weight first.
// A single target "." means the service is not offered: ErrNotFound.
// Errors are *Error of Type "SRV".
func (r *Resolver) SRV(ctx context.Context, service, proto, domain string) ([]SRV, error) {
	d, err := fqdn(domain)
	if err != nil {
		return nil, wrap(domain, "SRV", err)
	}
	name := "_" + strings.TrimPrefix(service, "_") + "._" + strings.TrimPrefix(proto, "_") + "." + d
	rrs, err := r.lookup(ctx, strings.ToLower(name), dns.TypeSRV)
	if err != nil {
		return nil, wrap(name, "SRV", err)
	}
	out := srvRecords(rrs)
	if len(out) == 0 {
		return nil, wrap(name, "SRV", fmt.Errorf("%w: service not offered (target \".\", RFC 2782)", ErrNotFound))
	}
	return out, nil
}

// srvRecords sorts SRV records, leaving out the "." targets.
func srvRecords(rrs []dns.RR) []SRV {
	var out []SRV
	for _, rr := range rrs {
		if s, ok := rr.(*dns.SRV); ok && s.Target != "." {
			out = append(out, SRV{Target: trimDot(strings.ToLower(s.Target)), Port: s.Port, Priority: s.Priority, Weight: s.Weight})
		}
	}
	slices.SortStableFunc(out, func(a, b SRV) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(b.Weight, a.Weight))
	})
	return out
}

// ShuffleEqual returns a copy of mx sorted by preference, the exchangers of
// equal preference in random order, as an MTA spreads its load (RFC 5321
// §5.1). A nil rnd uses the global source.
func ShuffleEqual(mx []MX, rnd *rand.Rand) []MX {
	out := slices.Clone(mx)
	slices.SortStableFunc(out, func(a, b MX) int { return cmp.Compare(a.Pref, b.Pref) })
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[j].Pref == out[i].Pref {
			j++
		}
		run := out[i:j]
		swap := func(a, b int) { run[a], run[b] = run[b], run[a] }
		if rnd != nil {
			rnd.Shuffle(len(run), swap)
		} else {
			rand.Shuffle(len(run), swap)
		}
		i = j
	}
	return out
}

// lookup returns the records of type qtype at name, following CNAMEs within
// an answer and, when a chain leaves it, by asking for its target.
func (r *Resolver) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	rrs, _, err := r.lookupAD(ctx, name, qtype)
	return rrs, err
}

// lookupAD is lookup that also tells whether every answer of the chain
// had the AD bit (RFC 4035 §3.2.3), a negative answer included.
func (r *Resolver) lookupAD(ctx context.Context, name string, qtype uint16) ([]dns.RR, bool, error) {
	ad := true
	for range maxCNAME {
		m, err := r.query(ctx, question{name, qtype})
		if err != nil {
			return nil, false, err
		}
		ad = ad && m.AuthenticatedData
		rrs, next := answers(m, name, qtype)
		switch {
		case len(rrs) > 0:
			return rrs, ad, nil
		case m.Rcode == dns.RcodeNameError:
			return nil, ad, errNXDomain
		case next == "":
			return nil, ad, errNoData
		}
		name = next
	}
	return nil, false, fmt.Errorf("%w: CNAME chain longer than %d", ErrTemporary, maxCNAME)
}

// answers follows the CNAME chain from name in the answer section of m and
// returns the records of type qtype at its end, or the name where the chain
// leaves the message.
func answers(m *dns.Msg, name string, qtype uint16) ([]dns.RR, string) {
	start := name
	for range maxCNAME {
		var rrs []dns.RR
		next := ""
		for _, rr := range m.Answer {
			h := rr.Header()
			switch {
			case !strings.EqualFold(h.Name, name):
			case h.Rrtype == qtype:
				rrs = append(rrs, rr)
			case h.Rrtype == dns.TypeCNAME:
				next = strings.ToLower(rr.(*dns.CNAME).Target)
			}
		}
		switch {
		case len(rrs) > 0:
			return rrs, ""
		case next == "" && name == start:
			return nil, ""
		case next == "":
			return nil, name
		}
		name = next
	}
	return nil, ""
}

// fqdn returns name in ASCII (IDNA, RFC 5891), lower case, with the final
// dot; a name that cannot exist is ErrNotFound.
func fqdn(name string) (string, error) {
	n := strings.TrimSuffix(strings.TrimSpace(name), ".")
	if !ascii.Is(n) {
		a, err := idna.Lookup.ToASCII(n)
		if err != nil {
			return "", fmt.Errorf("%w: invalid domain name: %w", ErrNotFound, err)
		}
		n = a
	}
	n = strings.ToLower(n) + "."
	if _, ok := dns.IsDomainName(n); !ok || n == "." {
		return "", fmt.Errorf("%w: invalid domain name %q", ErrNotFound, name)
	}
	return n, nil
}

func isNoData(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.NoData
}

func trimDot(s string) string { return strings.TrimSuffix(s, ".") }
