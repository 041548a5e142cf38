package dnsmx

import (
	"fmt"
	"net/netip"
	"strings"
)

// DNSSEC is what the resolver said of an answer's authenticity. Facteur
// never validates DNSSEC itself: it asks with the AD and DO bits (RFC 6840
// §5.7, RFC 3225) and reads the AD bit of the answer (RFC 4035 §3.2.3),
// which only means something when the path to a validating resolver
// cannot be tampered with (RFC 4033 §4, RFC 7672 §1.3): a resolver on
// loopback, or one the user configured on purpose (see ADTrust).
type DNSSEC struct {
	// AD: the resolver set the AD bit on every answer of the look-up (a
	// CNAME chain too, and for an implicit MX both address answers).
	AD bool `json:"ad"`
	// Secure: AD, from a resolver whose AD bit is trusted. DANE (RFC 7672)
	// is used only on secure answers.
	Secure bool `json:"secure"`
}

// ADTrust says whether a resolver's AD bit is believed, and why.
type ADTrust uint8

// The trust given to the AD bit.
const (
	// ADUntrusted: the system's resolvers are not all on loopback; an AD
	// bit could have been set by anyone on the path.
	ADUntrusted ADTrust = iota
	// ADLoopback: the system's resolvers are all on loopback (a local
	// validating resolver such as unbound or systemd-resolved).
	ADLoopback
	// ADConfigured: the user named the server (Config.Server: --dns,
	// FACTEUR_DNS, the MTA's dns option), and so vouches for it.
	ADConfigured
)

var adTrustNames = [...]string{"untrusted", "loopback", "configured"}

// String returns "untrusted", "loopback" or "configured".
func (t ADTrust) String() string {
	if int(t) < len(adTrustNames) {
		return adTrustNames[t]
	}
	return "untrusted"
}

// MarshalText writes the name.
func (t ADTrust) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a name that String writes.
func (t *ADTrust) UnmarshalText(b []byte) error {
	for i, n := range adTrustNames {
		if n == string(b) {
			*t = ADTrust(i)
			return nil
		}
	}
	return fmt.Errorf("dnsmx: unknown AD trust %q", b)
}

// Trusted tells whether the AD bit is believed.
func (t ADTrust) Trusted() bool { return t == ADLoopback || t == ADConfigured }

// Explain says in a sentence how far the AD bit is believed, for reports.
func (t ADTrust) Explain() string {
	switch t {
	case ADLoopback:
		return "the DNSSEC AD bit comes from a resolver on loopback and is trusted; Facteur does not validate DNSSEC itself"
	case ADConfigured:
		return "the DNSSEC AD bit comes from the DNS server you configured and is trusted; Facteur does not validate DNSSEC itself"
	}
	return "the DNSSEC AD bit is not trusted: the system's resolver is not on loopback (Facteur does not validate DNSSEC itself; configure a validating resolver on loopback)"
}

// ADTrust tells whether this resolver's AD bit is believed.
func (r *Resolver) ADTrust() ADTrust {
	if r.server != "" {
		return ADConfigured
	}
	for _, s := range r.serverList() {
		if !onLoopback(s) {
			return ADUntrusted
		}
	}
	return ADLoopback
}

// onLoopback tells whether a "host:port" server is on a loopback address.
func onLoopback(server string) bool {
	ap, err := netip.ParseAddrPort(server)
	if err != nil {
		return strings.EqualFold(strings.Split(server, ":")[0], "localhost")
	}
	return ap.Addr().IsLoopback()
}

// dnssec is the DNSSEC of an answer whose AD bit was ad.
func (r *Resolver) dnssec(ad bool) DNSSEC {
	return DNSSEC{AD: ad, Secure: ad && r.ADTrust().Trusted()}
}
