package inspect

import (
	"context"
	"net/netip"

	"facteur/internal/mtasts"
	"facteur/mua/route"
)

// The MTA-STS, DANE and TLS-RPT facts of the recipients' domains (RFC
// 8461, RFC 7672, RFC 8460), looked up once their MX answer is in, with
// route.LookupSecurity: the same facts as the route preview's.

// tlsaPort is the port whose TLSA records are asked: SMTP's.
const tlsaPort = 25

// wantSecurity starts the security look-ups of a recipient's domain
// whose exchangers are known.
func (s *dnsSession) wantSecurity(d DomainMX) {
	if !d.Recipient || d.Status != StatusOK || d.Null {
		return
	}
	hosts := make([]string, 0, len(d.Records))
	for _, m := range d.Records {
		hosts = append(hosts, m.Host)
	}
	sts := s.stsClient()
	s.spawn(UpdateSecurity, d.Domain, netip.Addr{}, func(ctx context.Context, out *jobResult) {
		out.security = route.LookupSecurity(ctx, s.res, sts, d.Domain, hosts, tlsaPort)
	})
}

// stsClient is the MTA-STS client of the session: Options.MTASTS, or one
// made once for this Resolve.
func (s *dnsSession) stsClient() *mtasts.Client {
	if s.r.opt.MTASTS != nil {
		return s.r.opt.MTASTS
	}
	if s.sts == nil {
		s.sts = mtasts.New(s.res, mtasts.Options{Timeout: s.timeout})
	}
	return s.sts
}

func (s *dnsSession) applySecurity(j jobResult) {
	d := &s.r.DNS.Domains[s.domains[j.key]]
	sec := j.security
	d.Security = &sec
	c := copyDomain(*d)
	s.update(DNSUpdate{Kind: UpdateSecurity, State: DNSRunning, Security: &c})
}
