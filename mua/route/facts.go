package route

import (
	"context"
	"errors"
	"sync"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
)

// Status is the outcome of one look-up.
type Status string

// The outcomes of a look-up.
const (
	StatusOK        Status = "ok"
	StatusNotFound  Status = "not-found" // NXDOMAIN, NODATA, or no such record
	StatusInvalid   Status = "invalid"   // a record that breaks its syntax, or one too many
	StatusTemporary Status = "temporary" // SERVFAIL, timeout
	StatusOffline   Status = "offline"   // no DNS server reachable
	StatusError     Status = "error"
)

// Answer is the outcome of one look-up, with the error's text.
type Answer struct {
	Status Status `json:"status"`
	Error  string `json:"error,omitempty"`
}

func answerOf(err error) Answer {
	a := Answer{Status: statusOf(err)}
	if err != nil {
		a.Error = err.Error()
	}
	return a
}

func statusOf(err error) Status {
	switch {
	case err == nil:
		return StatusOK
	case errors.Is(err, dnsmx.ErrNotFound):
		return StatusNotFound
	case errors.Is(err, dnsmx.ErrInvalid):
		return StatusInvalid
	case errors.Is(err, dnsmx.ErrOffline):
		return StatusOffline
	case errors.Is(err, dnsmx.ErrTemporary), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return StatusTemporary
	}
	return StatusError
}

// STSFacts is a domain's MTA-STS (RFC 8461).
type STSFacts struct {
	Record *dnsmx.STSRecord `json:"record,omitempty"` // the _mta-sts TXT record
	Answer Answer           `json:"answer"`           // of the TXT look-up
	URL    string           `json:"url,omitempty"`    // where the policy is, when there is a record
	// Policy is the policy in force (fetched now or cached); nil when none.
	Policy     *mtasts.Policy `json:"policy,omitempty"`
	PolicyID   string         `json:"policy_id,omitempty"`
	FromCache  bool           `json:"from_cache,omitempty"`
	FetchError string         `json:"fetch_error,omitempty"`
}

// Mode is the mode of the policy in force, "none" without one.
func (s STSFacts) Mode() mtasts.Mode {
	if s.Policy == nil {
		return mtasts.ModeNone
	}
	return s.Policy.Mode
}

// TLSRPTFacts is a domain's TLS reporting record (RFC 8460).
type TLSRPTFacts struct {
	Record *dnsmx.TLSRPTRecord `json:"record,omitempty"`
	Answer Answer              `json:"answer"`
}

// HostTLSA is the TLSA RRset of one MX host (RFC 7672 §2.2.3).
type HostTLSA struct {
	Host    string       `json:"host"`
	Name    string       `json:"name"` // "_25._tcp.mx.example.org"
	Records []dnsmx.TLSA `json:"records,omitempty"`
	DNSSEC  dnsmx.DNSSEC `json:"dnssec"`
	Answer  Answer       `json:"answer"`

	result dnsmx.TLSAResult
	err    error
}

// Usable tells whether the host has secure TLSA records that DANE uses.
func (h HostTLSA) Usable() bool {
	return h.DNSSEC.Secure && len(h.result.Usable()) > 0
}

// Security is what a domain publishes about the security of mail sent to
// it: MTA-STS, TLS-RPT and the DANE TLSA records of its MX hosts.
type Security struct {
	MTASTS STSFacts    `json:"mta_sts"`
	TLSRPT TLSRPTFacts `json:"tls_rpt"`
	DANE   []HostTLSA  `json:"dane,omitempty"` // in the order of the hosts given
}

// TLSA returns the TLSA facts of host, if looked up.
func (s Security) TLSA(host string) (HostTLSA, bool) {
	for _, h := range s.DANE {
		if h.Host == host {
			return h, true
		}
	}
	return HostTLSA{}, false
}

// LookupSecurity asks, concurrently, for the MTA-STS record and policy
// and the TLS-RPT record of domain and the TLSA records of each host on
// port (25 but in tests). sts nil means DNS only: the MTA-STS record, the
// policy not fetched. It returns when every look-up has ended.
func LookupSecurity(ctx context.Context, res *dnsmx.Resolver, sts *mtasts.Client, domain string, hosts []string, port int) Security {
	s := Security{DANE: make([]HostTLSA, len(hosts))}
	var wg sync.WaitGroup
	wg.Go(func() { s.MTASTS = stsFacts(lookupSTS(ctx, res, sts, domain)) })
	wg.Go(func() {
		rec, err := res.TLSRPT(ctx, domain)
		s.TLSRPT.Answer = answerOf(err)
		if err == nil {
			s.TLSRPT.Record = &rec
		}
	})
	for i, h := range hosts {
		wg.Go(func() { s.DANE[i] = hostTLSA(ctx, res, h, port) })
	}
	wg.Wait()
	return s
}

// lookupSTS is the MTA-STS client's Lookup, or the record alone without
// a client.
func lookupSTS(ctx context.Context, res *dnsmx.Resolver, sts *mtasts.Client, domain string) mtasts.Result {
	if sts != nil {
		return sts.Lookup(ctx, domain)
	}
	r := mtasts.Result{Domain: domain}
	rec, err := res.MTASTS(ctx, domain)
	if err != nil {
		r.RecordErr = err
	} else {
		r.Record = &rec
	}
	return r
}

func hostTLSA(ctx context.Context, res *dnsmx.Resolver, host string, port int) HostTLSA {
	r, err := res.TLSA(ctx, host, port)
	return HostTLSA{Host: host, Name: r.Name, Records: r.Records, DNSSEC: r.DNSSEC, Answer: answerOf(err), result: r, err: err}
}

func stsFacts(r mtasts.Result) STSFacts {
	f := STSFacts{Record: r.Record, Answer: answerOf(r.RecordErr), Policy: r.Policy, PolicyID: r.PolicyID, FromCache: r.FromCache}
	if r.Record != nil {
		f.URL = mtasts.PolicyURL(r.Domain)
	}
	if r.FetchErr != nil {
		f.FetchError = r.FetchErr.Error()
	}
	return f
}
