package route

import (
	"net/netip"

	"facteur/internal/dnsmx"
	"facteur/localmta"
)

// SchemaVersion is the version of the JSON encoding of a Report (its
// "schema" key); new keys may appear within a version.
const SchemaVersion = 1

// Report is the delivery preview of one message.
type Report struct {
	Schema  int    `json:"schema"`
	Account string `json:"account"` // the sending account, "Local" for the local MTA
	// DNSSEC says how far the AD bit of the resolver is believed
	// ("untrusted", "loopback", "configured"), and Note says it in a
	// sentence.
	DNSSEC     dnsmx.ADTrust `json:"dnssec_trust"`
	DNSSECNote string        `json:"dnssec_note"`
	Domains    []Domain      `json:"domains"`
	Invalid    []Invalid     `json:"invalid,omitempty"` // recipients that are not addresses
}

// Invalid is a recipient that could not be read as an address.
type Invalid struct {
	Text  string `json:"text"`
	Error string `json:"error"`
}

// Domain is the preview for the recipients of one domain (of one route,
// when the transport table sends some addresses of a domain elsewhere).
type Domain struct {
	Domain     string   `json:"domain"` // in ASCII; an address literal with its brackets
	Recipients []string `json:"recipients"`
	Path       []Step   `json:"path"` // from here to the destination
	// DNS is false when the path does not use the domain's DNS (a local
	// mailbox, an address literal, a bounce): then MX, Hosts and Security
	// are empty.
	DNS      bool     `json:"dns"`
	MX       MXFacts  `json:"mx"`
	Hosts    []MXHost `json:"hosts,omitempty"` // by preference
	Security Security `json:"security"`
	// Enforced: the local MTA delivers by MX, so it applies the TLS
	// requirements of Hosts[].TLS (MTA-STS enforce, DANE).
	Enforced bool `json:"enforced,omitempty"`
	// Flag, when set, says the message cannot reach this domain, and
	// Warning says why in a sentence: shown before Send.
	Flag    Flag   `json:"flag,omitempty"`
	Warning string `json:"warning,omitempty"`

	mxErr error // the MX look-up's error, for errors.Is
}

// MXFacts is the MX answer of a domain.
type MXFacts struct {
	Implicit bool         `json:"implicit,omitempty"` // no MX: the domain's addresses stand in (RFC 5321 §5.1)
	Null     bool         `json:"null,omitempty"`     // "MX 0 .": no mail (RFC 7505)
	DNSSEC   dnsmx.DNSSEC `json:"dnssec"`
	Answer   Answer       `json:"answer"`
}

// MXHost is one mail exchanger of a domain.
type MXHost struct {
	Host        string       `json:"host"`
	Pref        uint16       `json:"pref"`
	Addrs       []netip.Addr `json:"addrs,omitempty"`
	AddrsDNSSEC dnsmx.DNSSEC `json:"addrs_dnssec"`
	AddrsAnswer Answer       `json:"addrs_answer"`
	// STSMatch tells whether the host matches the mx patterns of the
	// domain's MTA-STS policy; nil without a policy.
	STSMatch *bool `json:"mta_sts_match,omitempty"`
	// TLS is what the local MTA will demand of the host (Enforced).
	TLS *TLSPlan `json:"tls,omitempty"`
}

// TLSPlan is localmta.DecideTLS's decision for one host.
type TLSPlan struct {
	Skip    bool            `json:"skip,omitempty"`    // the host will not be used
	Require bool            `json:"require,omitempty"` // TLS is required
	Verify  localmta.Verify `json:"verify"`            // none, pkix, dane
	Testing bool            `json:"testing,omitempty"` // MTA-STS testing: checked, logged, not enforced
	Source  string          `json:"source,omitempty"`  // "DANE", "MTA-STS enforce"...
	Reason  string          `json:"reason"`
}

// StepKind is one kind of step of the path.
type StepKind string

// The steps of a path.
const (
	StepSubmission StepKind = "submission" // the account's SMTP server (RFC 6409)
	StepProvider   StepKind = "provider"   // that server, or a relayhost, delivers to the domain's MX
	StepLocalMTA   StepKind = "local-mta"  // Facteur's own MTA
	StepTransport  StepKind = "transport"  // an entry of its transport table
	StepRelayHost  StepKind = "relayhost"  // its smarthost
	StepHost       StepKind = "host"       // a host used as is (brackets, address literal)
	StepMX         StepKind = "mx"         // the MX hosts of a domain, by preference
	StepMailbox    StepKind = "mailbox"    // local delivery by the MDA
	StepBounce     StepKind = "bounce"     // the transport table bounces it
)

// Step is one step of the path from here.
type Step struct {
	Kind      StepKind `json:"kind"`
	Host      string   `json:"host,omitempty"`
	Port      int      `json:"port,omitempty"`
	Security  string   `json:"security,omitempty"`  // submission: tls, starttls, none
	Domain    string   `json:"domain,omitempty"`    // mx, provider: whose MX
	Login     string   `json:"login,omitempty"`     // mailbox
	Transport string   `json:"transport,omitempty"` // the transport(5) entry
	Text      string   `json:"text"`                // the step in an English sentence
}

// Flag is why a domain cannot take the message.
type Flag string

// The flags.
const (
	FlagNullMX       Flag = "null-mx"        // MX 0 . (RFC 7505)
	FlagNoMailHost   Flag = "no-mail-host"   // no MX and no address
	FlagNoDomain     Flag = "no-domain"      // the domain does not exist (NXDOMAIN)
	FlagRejected     Flag = "rejected"       // the transport table bounces it
	FlagNoAcceptedMX Flag = "no-accepted-mx" // no MX host meets the domain's MTA-STS or DANE policy
	FlagDNSSECBogus  Flag = "dnssec-bogus"   // the resolver says its answers fail DNSSEC validation (RFC 8914)
)

// Flagged returns the domains that cannot take the message.
func (r *Report) Flagged() []Domain {
	var out []Domain
	for _, d := range r.Domains {
		if d.Flag != "" {
			out = append(out, d)
		}
	}
	return out
}
