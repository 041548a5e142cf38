package inspect

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/mua/route"
)

const (
	defaultLookupTimeout = 5 * time.Second
	maxConcurrentLookups = 8
)

// Resolve asks DNS about the report's domains, hosts and IPs: the MX of the
// envelope sender's domain and of each recipient's domain (then the A/AAAA
// of each exchanger), the A/AAAA of each hop's by host, the PTR of each
// hop's public client IP, and the DKIM keys (RFC 6376 §3.6.2). Look-ups run
// concurrently, each bounded by Options.LookupTimeout; res caches answers.
//
// update, if not nil, is called for each answer as it arrives and once at
// the end (Kind UpdateDone), always from the goroutine that called Resolve,
// never concurrently; the values it gets are copies. Resolve writes r.DNS,
// the hops' FlagRecipientMX and DNS findings: do not read r from another
// goroutine while it runs (hand the updates over instead). When no DNS
// server can be reached (dnsmx.ErrOffline) the other look-ups are abandoned
// at once and r.DNS.State is DNSOffline. Resolve returns when every look-up
// has ended; it leaves no goroutine behind.
func (r *Report) Resolve(ctx context.Context, res *dnsmx.Resolver, update func(DNSUpdate)) {
	if update == nil {
		update = func(DNSUpdate) {}
	}
	s := newSession(ctx, r, res, update)
	defer s.cancel()
	s.plan()
	for s.pending > 0 {
		s.apply(<-s.results)
	}
	s.finish(ctx)
}

// dnsSession is the state of one Resolve call. Only the goroutine that
// called Resolve touches it, apart from the channels.
type dnsSession struct {
	r       *Report
	res     *dnsmx.Resolver
	update  func(DNSUpdate)
	ctx     context.Context // the look-ups' context: canceled when offline
	cancel  context.CancelFunc
	timeout time.Duration
	results chan jobResult
	sem     chan struct{}
	pending int
	offline bool
	domains map[string]int
	hosts   map[string]int
	ptrs    map[netip.Addr]int
	sts     *mtasts.Client // made on first use (security.go)
}

// jobResult is what one look-up brings back.
type jobResult struct {
	kind     UpdateKind
	key      string
	ip       netip.Addr
	mx       dnsmx.MXResult
	addrs    []netip.Addr
	names    []string
	dkim     []DKIMCheck
	dkimNote string
	security route.Security
	err      error
}

func newSession(ctx context.Context, r *Report, res *dnsmx.Resolver, update func(DNSUpdate)) *dnsSession {
	jobs, cancel := context.WithCancel(ctx)
	timeout := r.opt.LookupTimeout
	if timeout <= 0 {
		timeout = defaultLookupTimeout
	}
	r.DNS = DNSReport{State: DNSRunning, DNSSECTrust: res.ADTrust()}
	r.DNS.DNSSECNote = r.DNS.DNSSECTrust.Explain()
	r.forgetDNS()
	return &dnsSession{r: r, res: res, update: update, ctx: jobs, cancel: cancel, timeout: timeout,
		results: make(chan jobResult), sem: make(chan struct{}, maxConcurrentLookups),
		domains: map[string]int{}, hosts: map[string]int{}, ptrs: map[netip.Addr]int{}}
}

// spawn starts one look-up in its own goroutine.
func (s *dnsSession) spawn(kind UpdateKind, key string, ip netip.Addr, fn func(ctx context.Context, out *jobResult)) {
	s.pending++
	go func() { s.results <- s.run(kind, key, ip, fn) }()
}

// run does one look-up under the concurrency limit and the timeout, and
// turns a panic into an error.
func (s *dnsSession) run(kind UpdateKind, key string, ip netip.Addr, fn func(context.Context, *jobResult)) (out jobResult) {
	out = jobResult{kind: kind, key: key, ip: ip}
	defer func() {
		if p := recover(); p != nil {
			out.err = fmt.Errorf("inspect: DNS look-up of %s panicked: %v", key, p)
		}
	}()
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-s.ctx.Done():
		out.err = s.ctx.Err()
		return out
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	fn(ctx, &out)
	return out
}

// plan starts the look-ups that need nothing else first.
func (s *dnsSession) plan() {
	for _, d := range s.reportDomains() {
		s.wantMX(d.name, d.sender, d.recipient)
	}
	for _, rh := range s.r.Route.Hops {
		if isHostName(rh.By) {
			s.wantHost(rh.By, false, rh.Index)
		}
		if publicIP(rh.IP) {
			s.wantPTR(rh.IP.WithZone(""), rh.Index, rh.RDNS)
		}
	}
	s.planDKIM()
}

type reportDomain struct {
	name              string
	sender, recipient bool
}

// reportDomains lists the envelope sender's domain and the recipients'
// domains (the envelope's, else those of To and Cc).
func (s *dnsSession) reportDomains() []reportDomain {
	var out []reportDomain
	add := func(addr string, sender bool) {
		d := domainOf(addr)
		if d == "" {
			return
		}
		for i := range out {
			if out[i].name == d {
				out[i].sender = out[i].sender || sender
				out[i].recipient = out[i].recipient || !sender
				return
			}
		}
		out = append(out, reportDomain{name: d, sender: sender, recipient: !sender})
	}
	e := s.r.Envelope
	add(e.MailFrom, true)
	rcpts := e.RcptTo
	if len(rcpts) == 0 {
		rcpts = append(addrList(e.Header.To), addrList(e.Header.Cc)...)
	}
	for _, a := range rcpts {
		add(a, false)
	}
	return out
}

func (s *dnsSession) wantMX(domain string, sender, recipient bool) {
	s.domains[domain] = len(s.r.DNS.Domains)
	s.r.DNS.Domains = append(s.r.DNS.Domains, DomainMX{Domain: domain, Sender: sender, Recipient: recipient})
	s.spawn(UpdateMX, domain, netip.Addr{}, func(ctx context.Context, out *jobResult) {
		out.mx, out.err = s.res.MX(ctx, domain)
	})
}

// wantHost looks up a host's addresses once, whatever roles it has.
func (s *dnsSession) wantHost(host string, exchanger bool, hop int) {
	key := strings.ToLower(strings.TrimSuffix(host, "."))
	if i, ok := s.hosts[key]; ok {
		h := &s.r.DNS.Hosts[i]
		h.Exchanger = h.Exchanger || exchanger
		if hop > 0 {
			h.Hops = append(h.Hops, hop)
		}
		return
	}
	h := HostAddrs{Host: key, Exchanger: exchanger}
	if hop > 0 {
		h.Hops = []int{hop}
	}
	s.hosts[key] = len(s.r.DNS.Hosts)
	s.r.DNS.Hosts = append(s.r.DNS.Hosts, h)
	s.spawn(UpdateAddrs, key, netip.Addr{}, func(ctx context.Context, out *jobResult) {
		out.addrs, out.err = s.res.Addrs(ctx, key)
	})
}

func (s *dnsSession) wantPTR(ip netip.Addr, hop int, written string) {
	if i, ok := s.ptrs[ip]; ok {
		s.r.DNS.PTR[i].Hops = append(s.r.DNS.PTR[i].Hops, hop)
		return
	}
	s.ptrs[ip] = len(s.r.DNS.PTR)
	s.r.DNS.PTR = append(s.r.DNS.PTR, PTRAnswer{IP: ip, Hops: []int{hop}, Written: written})
	s.spawn(UpdatePTR, ip.String(), ip, func(ctx context.Context, out *jobResult) {
		out.names, out.err = s.res.PTR(ctx, ip)
	})
}

// apply records one answer, starts the look-ups it calls for and tells the
// caller.
func (s *dnsSession) apply(j jobResult) {
	s.pending--
	if statusOf(j.err) == StatusOffline && !s.offline {
		s.offline = true
		s.cancel() // no network: abandon the rest at once
	}
	if s.offline && statusOf(j.err) == StatusCanceled {
		j.err = fmt.Errorf("abandoned: %w", dnsmx.ErrOffline)
	}
	switch j.kind {
	case UpdateMX:
		s.applyMX(j)
	case UpdateAddrs:
		s.applyAddrs(j)
	case UpdatePTR:
		s.applyPTR(j)
	case UpdateDKIM:
		s.applyDKIM(j)
	case UpdateSecurity:
		s.applySecurity(j)
	}
}

func (s *dnsSession) applyMX(j jobResult) {
	d := &s.r.DNS.Domains[s.domains[j.key]]
	d.Answer = answerOf(j.err)
	d.Implicit, d.Null = j.mx.Implicit, j.mx.Null
	for _, m := range j.mx.Records {
		if host := strings.TrimSuffix(m.Host, "."); host != "" {
			d.Records = append(d.Records, MXRecord{Host: strings.ToLower(host), Pref: m.Pref})
		}
	}
	if d.Implicit && len(d.Records) == 0 {
		d.Records = []MXRecord{{Host: d.Domain}}
	}
	d.DNSSEC = j.mx.DNSSEC
	for _, m := range d.Records {
		if !d.Null {
			s.wantHost(m.Host, true, 0)
		}
	}
	s.wantSecurity(*d)
	s.fillExchangerAddrs()
	c := copyDomain(*d)
	s.update(DNSUpdate{Kind: UpdateMX, State: DNSRunning, MX: &c})
}

func (s *dnsSession) applyAddrs(j jobResult) {
	h := &s.r.DNS.Hosts[s.hosts[j.key]]
	h.Answer = answerOf(j.err)
	h.Addrs = append([]netip.Addr(nil), j.addrs...)
	s.fillExchangerAddrs()
	c := *h
	c.Addrs, c.Hops = append([]netip.Addr(nil), h.Addrs...), append([]int(nil), h.Hops...)
	s.update(DNSUpdate{Kind: UpdateAddrs, State: DNSRunning, Host: &c})
}

func (s *dnsSession) applyPTR(j jobResult) {
	p := &s.r.DNS.PTR[s.ptrs[j.ip]]
	p.Answer = answerOf(j.err)
	for _, n := range j.names {
		p.Names = append(p.Names, strings.TrimSuffix(n, "."))
	}
	p.Matches = p.Written != "" && containsHost(p.Names, p.Written)
	c := *p
	c.Names, c.Hops = append([]string(nil), p.Names...), append([]int(nil), p.Hops...)
	s.update(DNSUpdate{Kind: UpdatePTR, State: DNSRunning, PTR: &c})
}

// fillExchangerAddrs copies the known addresses of exchangers into the MX
// records.
func (s *dnsSession) fillExchangerAddrs() {
	for i := range s.r.DNS.Domains {
		recs := s.r.DNS.Domains[i].Records
		for k := range recs {
			if hi, ok := s.hosts[recs[k].Host]; ok && recs[k].Addrs == nil {
				recs[k].Addrs = s.r.DNS.Hosts[hi].Addrs
			}
		}
	}
}

// finish settles the state, the entry verdicts and the DNS findings.
func (s *dnsSession) finish(parent context.Context) {
	dns := &s.r.DNS
	switch {
	case s.offline:
		dns.State = DNSOffline
	case parent.Err() != nil:
		dns.State = DNSCanceled
	default:
		dns.State = DNSDone
	}
	sort.SliceStable(dns.Hosts, func(a, b int) bool { return hostOrder(dns.Hosts[a]) < hostOrder(dns.Hosts[b]) })
	s.hosts = indexHosts(dns.Hosts)
	s.fillExchangerAddrs()
	for _, v := range s.entryVerdicts() {
		dns.Entry = append(dns.Entry, v)
		c := v
		s.update(DNSUpdate{Kind: UpdateEntry, State: DNSRunning, Entry: &c})
	}
	s.r.Findings = append(s.r.Findings, dnsFindings(dns)...)
	s.update(DNSUpdate{Kind: UpdateDone, State: dns.State})
}

// hostOrder sorts the hops' by hosts first, in travel order, then the
// exchangers, so that the report does not depend on answer timing.
func hostOrder(h HostAddrs) int {
	if len(h.Hops) > 0 {
		return h.Hops[0]
	}
	return 1 << 20
}

func indexHosts(hosts []HostAddrs) map[string]int {
	m := make(map[string]int, len(hosts))
	for i, h := range hosts {
		m[h.Host] = i
	}
	return m
}

func copyDomain(d DomainMX) DomainMX {
	d.Records = append([]MXRecord(nil), d.Records...)
	return d
}

// isHostName tells whether a by value is worth an A/AAAA look-up: a dotted
// name, not an IP, not localhost.
func isHostName(s string) bool {
	if !strings.Contains(s, ".") || strings.HasPrefix(s, "[") || strings.EqualFold(s, "localhost") {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err != nil
}

// publicIP tells whether an IP is worth a PTR look-up.
func publicIP(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() && !ip.IsUnspecified()
}

func containsHost(names []string, host string) bool {
	for _, n := range names {
		if sameHost(n, host) {
			return true
		}
	}
	return false
}

// forgetDNS drops what an earlier Resolve added, so that resolving twice
// does not repeat findings.
func (r *Report) forgetDNS() {
	kept := r.Findings[:0:0]
	for _, f := range r.Findings {
		if f.Kind != FindRDNSMismatch && f.Kind != FindDKIM {
			kept = append(kept, f)
		}
	}
	r.Findings = kept
	for i := range r.Route.Hops {
		r.Route.Hops[i].Flags &^= FlagRecipientMX
	}
}
