package inspect

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"facteur/internal/dnsmx"
	"facteur/mua/route"
)

// DNSState tells how far the DNS part of a report went.
type DNSState uint8

const (
	DNSNotRun   DNSState = iota // Resolve was not called (facteur inspect --no-dns)
	DNSRunning                  // answers are arriving
	DNSDone                     // every look-up ended (some may have failed)
	DNSOffline                  // no DNS server could be reached: no network
	DNSCanceled                 // the caller's context ended first
)

var dnsStateNames = [...]string{"not-run", "running", "done", "offline", "canceled"}

// String returns the state's JSON name.
func (s DNSState) String() string {
	if int(s) < len(dnsStateNames) {
		return dnsStateNames[s]
	}
	return "unknown"
}

// MarshalText writes the state's name.
func (s DNSState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name.
func (s *DNSState) UnmarshalText(b []byte) error { return unmarshalName(b, dnsStateNames[:], s) }

// LookupStatus is the outcome of one look-up.
type LookupStatus uint8

const (
	StatusPending   LookupStatus = iota // not answered yet
	StatusOK                            // answered
	StatusNotFound                      // NXDOMAIN or no data (dnsmx.ErrNotFound)
	StatusTemporary                     // SERVFAIL or timeout (dnsmx.ErrTemporary)
	StatusOffline                       // no server reachable (dnsmx.ErrOffline)
	StatusCanceled                      // abandoned: offline, or the context ended
	StatusError                         // anything else
)

var statusNames = [...]string{"pending", "ok", "not-found", "temporary", "offline", "canceled", "error"}

// String returns the status's JSON name.
func (s LookupStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "error"
}

// MarshalText writes the status's name.
func (s LookupStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status's name.
func (s *LookupStatus) UnmarshalText(b []byte) error { return unmarshalName(b, statusNames[:], s) }

// statusOf classifies a look-up error with errors.Is.
func statusOf(err error) LookupStatus {
	switch {
	case err == nil:
		return StatusOK
	case errors.Is(err, dnsmx.ErrNotFound):
		return StatusNotFound
	case errors.Is(err, dnsmx.ErrOffline):
		return StatusOffline
	case errors.Is(err, context.Canceled):
		return StatusCanceled
	case errors.Is(err, dnsmx.ErrTemporary), errors.Is(err, context.DeadlineExceeded):
		return StatusTemporary
	}
	return StatusError
}

// Answer is the outcome of one look-up; Err keeps the error for errors.Is.
type Answer struct {
	Status LookupStatus `json:"status"`
	Error  string       `json:"error,omitempty"`
	Err    error        `json:"-"`
}

func answerOf(err error) Answer {
	a := Answer{Status: statusOf(err), Err: err}
	if err != nil {
		a.Error = err.Error()
	}
	return a
}

// MXRecord is one exchanger of a domain, with its addresses once known.
type MXRecord struct {
	Host  string       `json:"host"`
	Pref  uint16       `json:"pref"`
	Addrs []netip.Addr `json:"addrs,omitempty"`
}

// DomainMX is the MX answer for one domain of the message.
type DomainMX struct {
	Domain    string     `json:"domain"`
	Sender    bool       `json:"sender,omitempty"`    // the envelope sender's domain
	Recipient bool       `json:"recipient,omitempty"` // a recipient's domain
	Records   []MXRecord `json:"records,omitempty"`   // sorted by preference
	// Implicit: no MX, the domain's own A/AAAA stand in (RFC 5321 §5.1).
	Implicit bool `json:"implicit,omitempty"`
	// Null: "MX 0 ." the domain accepts no mail (RFC 7505).
	Null bool `json:"null,omitempty"`
	// DNSSEC: what the resolver said of the MX answer's authenticity.
	DNSSEC dnsmx.DNSSEC `json:"dnssec"`
	// Security: for a recipient's domain, its MTA-STS, TLS-RPT and the
	// DANE TLSA records of its exchangers (as the route preview shows
	// them); nil until looked up.
	Security *route.Security `json:"security,omitempty"`
	Answer
}

// HostAddrs is the A/AAAA answer for a host: an exchanger or a hop's by.
type HostAddrs struct {
	Host      string       `json:"host"`
	Addrs     []netip.Addr `json:"addrs,omitempty"`
	Exchanger bool         `json:"exchanger,omitempty"` // an MX of one of the domains
	Hops      []int        `json:"hops,omitempty"`      // the hops whose by it is
	Answer
}

// PTRAnswer is the reverse DNS of a hop's client IP.
type PTRAnswer struct {
	IP    netip.Addr `json:"ip"`
	Names []string   `json:"names,omitempty"`
	Hops  []int      `json:"hops"`
	// Written is the reverse DNS name the receiving MTA wrote, if any;
	// Matches tells whether PTR still gives it.
	Written string `json:"written,omitempty"`
	Matches bool   `json:"matches,omitempty"`
	Answer
}

// MXRank says which MX of a recipient's domain took the message in.
type MXRank uint8

const (
	RankUnknown   MXRank = iota // the MX look-up failed or was not made
	RankPrimary                 // the hop's by is an MX of the lowest preference
	RankSecondary               // a higher preference: the course's "MX secondaire"
	RankNone                    // no hop was received by an MX of the domain
	RankNullMX                  // the domain declares it takes no mail (RFC 7505)
)

var rankNames = [...]string{"unknown", "primary", "secondary", "none", "null-mx"}

// String returns the rank's JSON name.
func (r MXRank) String() string {
	if int(r) < len(rankNames) {
		return rankNames[r]
	}
	return "unknown"
}

// MarshalText writes the rank's name.
func (r MXRank) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a rank's name.
func (r *MXRank) UnmarshalText(b []byte) error { return unmarshalName(b, rankNames[:], r) }

// unmarshalName sets *v to the index of b in names.
func unmarshalName[T ~uint8](b []byte, names []string, v *T) error {
	i := indexOf(names, string(b))
	if i < 0 {
		return fmt.Errorf("inspect: unknown name %q", b)
	}
	*v = T(i)
	return nil
}

// EntryVerdict tells, for one recipient domain, which of its MX received
// the message from the outside.
type EntryVerdict struct {
	Domain string            `json:"domain"`
	Rank   MXRank            `json:"rank"`
	Hop    int               `json:"hop,omitempty"`  // the hop whose by is that MX
	Host   string            `json:"host,omitempty"` // the MX host
	Pref   uint16            `json:"pref,omitempty"`
	Text   string            `json:"text"`           // the template of Code filled with Args (see Template)
	Code   string            `json:"code,omitempty"` // the sentence of Text, for translations
	Args   map[string]string `json:"args,omitempty"` // the values of its placeholders
}

// DKIMCheck is the live verification of one DKIM-Signature (RFC 6376).
type DKIMCheck struct {
	Domain     string `json:"domain"`               // d=
	Identifier string `json:"identifier,omitempty"` // i=
	Result     string `json:"result"`               // pass, fail, temperror, permerror
	Error      string `json:"error,omitempty"`
}

// DNSReport is what DNS said about the message.
type DNSReport struct {
	State   DNSState       `json:"state"`
	Domains []DomainMX     `json:"domains,omitempty"`
	Hosts   []HostAddrs    `json:"hosts,omitempty"`
	PTR     []PTRAnswer    `json:"ptr,omitempty"`
	Entry   []EntryVerdict `json:"entry,omitempty"`
	DKIM    []DKIMCheck    `json:"dkim,omitempty"`
	// DKIMNote says why DKIM was not verified, when it was not.
	DKIMNote string `json:"dkim_note,omitempty"`
	// DNSSECTrust says how far the resolver's AD bit is believed, and
	// DNSSECNote says it in a sentence (Facteur never validates DNSSEC).
	DNSSECTrust dnsmx.ADTrust `json:"dnssec_trust"`
	DNSSECNote  string        `json:"dnssec_note,omitempty"`
}

// UpdateKind tells what a DNSUpdate carries.
type UpdateKind uint8

const (
	UpdateMX       UpdateKind = iota + 1 // MX of a domain
	UpdateAddrs                          // A/AAAA of a host
	UpdatePTR                            // PTR of an IP
	UpdateEntry                          // the primary/secondary verdict of a recipient domain
	UpdateDKIM                           // the DKIM verifications
	UpdateSecurity                       // MTA-STS, DANE, TLS-RPT of a recipient's domain
	UpdateDone                           // the end: State is final
)

// DNSUpdate is one answer, delivered by Resolve as it arrives. Its values
// are copies, safe to hand to another goroutine (the GUI's, with fyne.Do).
type DNSUpdate struct {
	Kind  UpdateKind
	State DNSState // DNSRunning until the UpdateDone update
	MX    *DomainMX
	Host  *HostAddrs
	PTR   *PTRAnswer
	Entry *EntryVerdict
	DKIM  []DKIMCheck
	// Security: UpdateSecurity, the MX answer of the domain with its
	// Security filled in.
	Security *DomainMX
}

// String describes the update in one line, for logs and the CLI.
func (u DNSUpdate) String() string {
	switch {
	case u.MX != nil:
		return fmt.Sprintf("MX %s: %s", u.MX.Domain, u.MX.Status)
	case u.Host != nil:
		return fmt.Sprintf("A/AAAA %s: %s", u.Host.Host, u.Host.Status)
	case u.PTR != nil:
		return fmt.Sprintf("PTR %s: %s", u.PTR.IP, u.PTR.Status)
	case u.Entry != nil:
		return fmt.Sprintf("entry %s: %s", u.Entry.Domain, u.Entry.Rank)
	case u.Kind == UpdateDKIM:
		return fmt.Sprintf("DKIM: %d signature(s)", len(u.DKIM))
	case u.Security != nil:
		return fmt.Sprintf("security %s: MTA-STS %s", u.Security.Domain, u.Security.Security.MTASTS.Mode())
	}
	return "DNS " + u.State.String()
}
