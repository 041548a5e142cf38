package inspect

import (
	"fmt"
	"net/netip"
	"strings"
)

// entryVerdicts tells, for each recipient domain, which of its MX took the
// message in from the outside: the first hop, in travel order, whose by
// host is one of its exchangers (by name, or by address). It sets
// FlagRecipientMX on every hop whose by is such an exchanger.
func (s *dnsSession) entryVerdicts() []EntryVerdict {
	var out []EntryVerdict
	for _, d := range s.r.DNS.Domains {
		if d.Recipient {
			out = append(out, s.entryVerdict(d))
		}
	}
	return out
}

func (s *dnsSession) entryVerdict(d DomainMX) EntryVerdict {
	v := EntryVerdict{Domain: d.Domain}
	switch {
	case d.Status != StatusOK:
		v.Text = fmt.Sprintf("The MX of %s could not be looked up (%s).", d.Domain, d.Status)
		return v
	case d.Null:
		v.Rank = RankNullMX
		v.Text = fmt.Sprintf("%s publishes a null MX (RFC 7505): it accepts no mail.", d.Domain)
		return v
	}
	v.Rank = RankNone
	for i := range s.r.Route.Hops {
		rh := &s.r.Route.Hops[i]
		rec, ok := s.exchangerOf(rh, d.Records)
		if !ok {
			continue
		}
		rh.Flags |= FlagRecipientMX
		if v.Hop == 0 {
			v.Hop, v.Host, v.Pref = rh.Index, rec.Host, rec.Pref
			v.Rank = rankOf(rec, d.Records)
		}
	}
	v.Text = entryText(v, d)
	return v
}

// exchangerOf returns the MX record, of the lowest preference, that names
// the hop's by host or one of its addresses.
func (s *dnsSession) exchangerOf(rh *RouteHop, recs []MXRecord) (MXRecord, bool) {
	byAddrs := s.addrsOf(rh.By)
	if rh.ByIP.IsValid() {
		byAddrs = append(byAddrs, rh.ByIP.WithZone(""))
	}
	for _, rec := range recs {
		if sameHost(rh.By, rec.Host) || overlap(byAddrs, rec.Addrs) {
			return rec, true
		}
	}
	return MXRecord{}, false
}

func (s *dnsSession) addrsOf(host string) []netip.Addr {
	if i, ok := s.hosts[strings.ToLower(strings.TrimSuffix(host, "."))]; ok {
		return append([]netip.Addr(nil), s.r.DNS.Hosts[i].Addrs...)
	}
	return nil
}

func overlap(a, b []netip.Addr) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// rankOf: the lowest preference is primary, any other secondary.
func rankOf(rec MXRecord, recs []MXRecord) MXRank {
	best := rec.Pref
	for _, r := range recs {
		best = min(best, r.Pref)
	}
	if rec.Pref == best {
		return RankPrimary
	}
	return RankSecondary
}

// entryText spells out a verdict in the course's words.
func entryText(v EntryVerdict, d DomainMX) string {
	switch v.Rank {
	case RankPrimary:
		kind := "the primary MX"
		if d.Implicit {
			kind = "the implicit MX (no MX record, its A/AAAA stand in, RFC 5321 §5.1)"
		}
		return fmt.Sprintf("Hop %d was received by %s, %s of %s (preference %d).", v.Hop, v.Host, kind, d.Domain, v.Pref)
	case RankSecondary:
		return fmt.Sprintf("Hop %d was received by %s, a secondary MX of %s (preference %d): the primary MX was "+
			"probably unreachable, so the secondary queued the message and passed it on when the primary came back.",
			v.Hop, v.Host, d.Domain, v.Pref)
	}
	return fmt.Sprintf("No hop was received by an MX of %s: its servers record internal names, or the message "+
		"reached the mailbox another way (a forward, a transport table, a smarthost).", d.Domain)
}

// dnsFindings turns PTR mismatches and DKIM failures into findings.
func dnsFindings(dns *DNSReport) []Finding {
	var out []Finding
	for _, p := range dns.PTR {
		if p.Status == StatusOK && p.Written != "" && !p.Matches {
			out = append(out, Finding{Kind: FindRDNSMismatch, Hop: p.Hops[0],
				Text: fmt.Sprintf("The receiving server wrote %s for %s, but PTR now gives %s.",
					p.Written, p.IP, strings.Join(p.Names, ", "))})
		}
	}
	for _, c := range dns.DKIM {
		if c.Result != "pass" {
			out = append(out, Finding{Kind: FindDKIM,
				Text: fmt.Sprintf("The DKIM signature of %s does not verify now (%s): %s.", c.Domain, c.Result, c.Error)})
		}
	}
	return out
}
