package inspect

import (
	"net/netip"
	"strconv"
	"strings"
)

func (r *Report) textDNS(t *textWriter) {
	d := r.DNS
	t.printf("\nDNS (%s)\n", d.State)
	if d.State == DNSNotRun {
		t.printf("  not asked\n")
		return
	}
	if d.State == DNSOffline {
		t.printf("  offline: no DNS server could be reached\n")
	}
	for _, dm := range d.Domains {
		t.printf("  %s\n", mxLine(dm))
		for _, l := range securityLines(dm) {
			t.printf("    %s\n", l)
		}
	}
	for _, v := range d.Entry {
		t.printf("  -> %s\n", v.Text)
	}
	for _, h := range d.Hosts {
		t.printf("  %s\n", hostLine(h))
	}
	for _, p := range d.PTR {
		t.printf("  %s\n", ptrLine(p))
	}
	for _, c := range d.DKIM {
		t.printf("  %s\n", dkimLine(c))
	}
	if d.DKIMNote != "" {
		t.printf("  %s\n", d.DKIMNote)
	}
	if d.DNSSECNote != "" {
		t.printf("  DNSSEC: %s\n", d.DNSSECNote)
	}
}

// securityLines are the MTA-STS, DANE and TLS-RPT facts of a recipient's
// domain, and the DNSSEC of its MX answer.
func securityLines(d DomainMX) []string {
	if d.Security == nil {
		return nil
	}
	mx := "MX answer without the DNSSEC AD bit"
	switch {
	case d.DNSSEC.Secure:
		mx = "MX answer with the DNSSEC AD bit"
	case d.DNSSEC.AD:
		mx = "MX answer with the DNSSEC AD bit, from a resolver not trusted"
	}
	return append([]string{mx}, d.Security.Lines()...)
}

// Text describes the update as the DNS section of WriteText writes it: one
// line, or one per DKIM signature, for a terminal that prints the answers
// as they arrive (`facteur inspect`). The last update tells the final
// state, "offline" plainly when no DNS server could be reached.
func (u DNSUpdate) Text() string {
	switch {
	case u.MX != nil:
		return mxLine(*u.MX)
	case u.Host != nil:
		return hostLine(*u.Host)
	case u.PTR != nil:
		return ptrLine(*u.PTR)
	case u.Entry != nil:
		return "-> " + u.Entry.Text
	case u.Security != nil:
		return u.Security.Domain + ": " + strings.Join(securityLines(*u.Security), "\n  "+u.Security.Domain+": ")
	case u.Kind == UpdateDKIM && len(u.DKIM) > 0:
		lines := make([]string, 0, len(u.DKIM))
		for _, c := range u.DKIM {
			lines = append(lines, dkimLine(c))
		}
		return strings.Join(lines, "\n")
	case u.Kind == UpdateDKIM:
		return "DKIM: no signature verified"
	case u.State == DNSOffline:
		return "offline: no DNS server could be reached"
	}
	return "DNS " + u.State.String()
}

func mxLine(d DomainMX) string {
	return d.Domain + " (" + domainRoles(d) + "): " + mxText(d)
}

func hostLine(h HostAddrs) string {
	return "A/AAAA " + h.Host + " (" + hostRoles(h) + "): " + addrsText(h.Addrs, h.Answer)
}

func ptrLine(p PTRAnswer) string {
	return "PTR " + p.IP.String() + " (" + hopList("client of hop", p.Hops) + "): " + namesText(p)
}

func dkimLine(c DKIMCheck) string {
	return strings.TrimSpace("DKIM d=" + c.Domain + ": " + c.Result + " " + c.Error)
}

func hostRoles(h HostAddrs) string {
	var roles []string
	if len(h.Hops) > 0 {
		roles = append(roles, hopList("by of hop", h.Hops))
	}
	if h.Exchanger {
		roles = append(roles, "MX")
	}
	return strings.Join(roles, ", ")
}

// hopList returns "by of hop 1, 3".
func hopList(label string, hops []int) string {
	parts := make([]string, 0, len(hops))
	for _, n := range hops {
		parts = append(parts, strconv.Itoa(n))
	}
	return label + " " + strings.Join(parts, ", ")
}

func domainRoles(d DomainMX) string {
	var roles []string
	if d.Sender {
		roles = append(roles, "envelope sender")
	}
	if d.Recipient {
		roles = append(roles, "recipient")
	}
	return strings.Join(roles, ", ")
}

func mxText(d DomainMX) string {
	switch {
	case d.Status != StatusOK:
		return d.Status.String()
	case d.Null:
		return "null MX (RFC 7505): accepts no mail"
	}
	parts := make([]string, 0, len(d.Records))
	for _, m := range d.Records {
		parts = append(parts, "MX "+strconv.Itoa(int(m.Pref))+" "+m.Host)
	}
	s := strings.Join(parts, ", ")
	if d.Implicit {
		s = "no MX, implicit MX " + d.Domain + " (RFC 5321 §5.1)"
	}
	return s
}

func addrsText(addrs []netip.Addr, a Answer) string {
	if a.Status != StatusOK {
		return a.Status.String()
	}
	parts := make([]string, 0, len(addrs))
	for _, ip := range addrs {
		parts = append(parts, ip.String())
	}
	return orDash(strings.Join(parts, ", "))
}

func namesText(p PTRAnswer) string {
	if p.Status != StatusOK {
		return p.Status.String()
	}
	s := orDash(strings.Join(p.Names, ", "))
	if p.Written != "" && !p.Matches {
		s += " (the Received field says " + p.Written + ")"
	}
	return s
}
