package inspect

import (
	"net/netip"
	"strconv"
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
		return v.say(CodeEntryLookupFailed, vars{"Domain": d.Domain, "Status": d.Status.String()})
	case d.Null:
		v.Rank = RankNullMX
		return v.say(CodeEntryNullMX, vars{"Domain": d.Domain})
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
	return entrySentence(v, d)
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

// entrySentence spells out a verdict in the course's words.
func entrySentence(v EntryVerdict, d DomainMX) EntryVerdict {
	if v.Rank != RankPrimary && v.Rank != RankSecondary {
		return v.say(CodeEntryNone, vars{"Domain": d.Domain})
	}
	args := vars{"Hop": strconv.Itoa(v.Hop), "Host": v.Host, "Domain": d.Domain, "Pref": strconv.Itoa(int(v.Pref))}
	switch {
	case v.Rank == RankSecondary:
		return v.say(CodeEntrySecondary, args)
	case d.Implicit:
		return v.say(CodeEntryImplicit, args)
	}
	return v.say(CodeEntryPrimary, args)
}

// dnsFindings turns PTR mismatches and DKIM failures into findings.
func dnsFindings(dns *DNSReport) []Finding {
	var out []Finding
	for _, p := range dns.PTR {
		if p.Status == StatusOK && p.Written != "" && !p.Matches {
			out = append(out, Finding{Kind: FindRDNSMismatch, Hop: p.Hops[0]}.say(CodeRDNSMismatch,
				vars{"Written": p.Written, "IP": p.IP.String(), "Names": strings.Join(p.Names, ", ")}))
		}
	}
	for _, c := range dns.DKIM {
		if c.Result != "pass" {
			out = append(out, Finding{Kind: FindDKIM}.say(CodeDKIM,
				vars{"Domain": c.Domain, "Result": c.Result, "Error": c.Error}))
		}
	}
	return out
}
