package route

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"facteur/internal/dnsmx"
)

// WriteJSON writes the report as indented JSON (`facteur route --json`):
// schema, account, dnssec_trust ("untrusted", "loopback",
// "configured"), dnssec_note, invalid[] ({text, error}), and domains[]:
// {domain, recipients[], path[] ({kind, host, port, security, domain,
// login, transport, text}), dns, mx ({implicit, null, dnssec {ad,
// secure}, answer {status, error}}), hosts[] ({host, pref, addrs[],
// addrs_dnssec, addrs_answer, mta_sts_match, tls {skip, require, verify
// (none, pkix, dane), testing, source, reason}}), security {mta_sts
// {record {id, raw}, answer, url, policy {version, mode, mx[], max_age},
// policy_id, from_cache, fetch_error}, tls_rpt {record {rua[], raw},
// answer}, dane[] ({host, name, records[] ({usage, selector,
// matching_type, data}), dnssec, answer})}, enforced, flag (null-mx,
// no-mail-host, no-domain, rejected, no-accepted-mx, dnssec-bogus), warning}.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report for a terminal: the flagged domains first,
// then each domain with its path and its DNS facts.
func (r *Report) WriteText(w io.Writer) error {
	t := &textWriter{w: w}
	t.printf("Delivery preview from the account %s\n", r.Account)
	for _, bad := range r.Invalid {
		t.printf("!! %q is not an address: %s\n", bad.Text, bad.Error)
	}
	for _, d := range r.Flagged() {
		t.printf("!! %s: %s\n", d.Domain, d.Warning)
	}
	for _, d := range r.Domains {
		t.domain(d)
	}
	t.printf("\nDNSSEC: %s.\n", r.DNSSECNote)
	return t.err
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) domain(d Domain) {
	t.printf("\n%s (%s)\n", d.Domain, strings.Join(d.Recipients, ", "))
	for i, s := range d.Path {
		t.printf("  %d. %s\n", i+1, s.Text)
	}
	if !d.DNS {
		return
	}
	t.printf("  MX: %s\n", mxText(d))
	for _, h := range d.Hosts {
		t.host(d, h)
	}
	t.sts(d.Security.MTASTS)
	t.printf("  TLS-RPT: %s\n", tlsrptText(d.Security.TLSRPT))
}

func mxText(d Domain) string {
	switch {
	case d.MX.Answer.Status != StatusOK:
		return string(d.MX.Answer.Status) + ": " + d.MX.Answer.Error
	case d.MX.Null:
		return "null MX (RFC 7505): accepts no mail"
	case d.MX.Implicit:
		return "no MX record, implicit MX " + d.Domain + " (RFC 5321 §5.1)" + adText(d.MX.DNSSEC)
	}
	return strconv.Itoa(len(d.Hosts)) + " host(s)" + adText(d.MX.DNSSEC)
}

func (t *textWriter) host(d Domain, h MXHost) {
	t.printf("    %d %s: %s%s\n", h.Pref, h.Host, addrsText(h), adText(h.AddrsDNSSEC))
	if h.STSMatch != nil {
		t.printf("      MTA-STS: %s\n", map[bool]string{true: "matches the policy", false: "matches no mx pattern of the policy"}[*h.STSMatch])
	}
	if tl, ok := d.Security.TLSA(h.Host); ok {
		t.printf("      DANE %s: %s\n", tl.Name, tlsaText(tl))
	}
	if h.TLS != nil {
		t.printf("      the local MTA: %s\n", h.TLS.Reason)
	}
}

func addrsText(h MXHost) string {
	if h.AddrsAnswer.Status != StatusOK {
		return string(h.AddrsAnswer.Status)
	}
	parts := make([]string, len(h.Addrs))
	for i, a := range h.Addrs {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

func adText(s dnsmx.DNSSEC) string {
	switch {
	case s.Secure:
		return " (DNSSEC: AD)"
	case s.AD:
		return " (DNSSEC: AD, not trusted)"
	}
	return ""
}

func tlsaText(h HostTLSA) string {
	if h.Answer.Status != StatusOK {
		if h.Answer.Status == StatusNotFound {
			return "none"
		}
		return string(h.Answer.Status)
	}
	parts := make([]string, len(h.Records))
	for i, r := range h.Records {
		parts[i] = r.UsageName() + " " + r.String()
	}
	return strings.Join(parts, "; ") + adText(h.DNSSEC)
}

func (t *textWriter) sts(s STSFacts) {
	for i, line := range stsLines(s) {
		t.printf("%s%s\n", map[bool]string{true: "  ", false: "    "}[i == 0], line)
	}
}

// stsLines describes a domain's MTA-STS: the record, then the policy.
func stsLines(s STSFacts) []string {
	var out []string
	switch {
	case s.Record == nil && s.Policy == nil:
		return []string{"MTA-STS: " + noneText(s.Answer)}
	case s.Record != nil:
		out = append(out, "MTA-STS: record id="+s.Record.ID+", policy "+s.URL)
	default:
		out = append(out, "MTA-STS: no record now ("+noneText(s.Answer)+")")
	}
	if s.FetchError != "" {
		out = append(out, "fetch failed: "+s.FetchError)
	}
	if p := s.Policy; p != nil {
		from := "fetched"
		if s.FromCache {
			from = "cached"
		}
		out = append(out, fmt.Sprintf("mode %s, mx %s, max_age %d s (%s, id %s)", p.Mode, orNone(strings.Join(p.MX, ", ")), p.MaxAgeSeconds, from, s.PolicyID))
	}
	return out
}

// Lines describes the facts in lines of text, as `facteur inspect`
// prints them: MTA-STS (record, then policy), the TLSA records of each
// host, TLS-RPT.
func (s Security) Lines() []string {
	lines := stsLines(s.MTASTS)
	for _, h := range s.DANE {
		lines = append(lines, "DANE "+h.Name+": "+tlsaText(h))
	}
	return append(lines, "TLS-RPT: "+tlsrptText(s.TLSRPT))
}

func tlsrptText(r TLSRPTFacts) string {
	if r.Record == nil {
		return noneText(r.Answer)
	}
	return "reports to " + strings.Join(r.Record.RUA, ", ")
}

func noneText(a Answer) string {
	if a.Status == StatusNotFound {
		return "none"
	}
	return string(a.Status) + ": " + a.Error
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
