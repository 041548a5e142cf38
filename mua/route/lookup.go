package route

import (
	"context"
	"errors"
	"sync"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/localmta"
)

// lookup fills the MX, the hosts' addresses and the security facts.
func (d *Domain) lookup(ctx context.Context, res *dnsmx.Resolver, sts *mtasts.Client, port int) {
	mx, err := res.MX(ctx, d.Domain)
	d.mxErr = err
	d.MX = MXFacts{Implicit: mx.Implicit, Null: mx.Null, DNSSEC: mx.DNSSEC, Answer: answerOf(err)}
	hosts := make([]string, len(mx.Records))
	d.Hosts = make([]MXHost, len(mx.Records))
	for i, m := range mx.Records {
		hosts[i] = m.Host
		d.Hosts[i] = MXHost{Host: m.Host, Pref: m.Pref}
	}
	var wg sync.WaitGroup
	for i := range d.Hosts {
		h := &d.Hosts[i]
		wg.Go(func() {
			addrs, sec, err := res.AddrsDNSSEC(ctx, h.Host)
			h.Addrs, h.AddrsDNSSEC, h.AddrsAnswer = addrs, sec, answerOf(err)
		})
	}
	wg.Go(func() { d.Security = LookupSecurity(ctx, res, sts, d.Domain, hosts, port) })
	wg.Wait()
	if p := d.Security.MTASTS.Policy; p != nil && p.Mode != mtasts.ModeNone {
		for i := range d.Hosts {
			m := p.Match(d.Hosts[i].Host)
			d.Hosts[i].STSMatch = &m
		}
	}
}

// plan asks localmta.DecideTLS what the local MTA will demand of each
// host, from the same facts its transport agent gathers: TLSA records
// count only for a secure MX and secure addresses (RFC 7672 §2.2.2).
func (d *Domain) plan() {
	for i := range d.Hosts {
		h := &d.Hosts[i]
		f := localmta.HostFacts{Host: h.Host, MXSecure: d.MX.DNSSEC.Secure, AddrsSecure: h.AddrsDNSSEC.Secure, Policy: d.Security.MTASTS.Policy}
		if t, ok := d.Security.TLSA(h.Host); ok && f.MXSecure && f.AddrsSecure {
			f.TLSA, f.TLSAErr = &t.result, t.err
		}
		r := localmta.DecideTLS(f)
		h.TLS = &TLSPlan{Skip: r.Skip, Require: r.Require, Verify: r.Verify, Testing: r.Testing, Source: r.Source, Reason: r.Reason}
	}
}

// flag says, before sending, why the domain cannot take the message:
// only when the path ends at its MX (viaMX), and only on answers that
// say so: a failed look-up flags nothing, unless the resolver said that
// the domain's answers fail DNSSEC validation, which no retry mends.
func (d *Domain) flag(viaMX bool) {
	if d.Flag != "" || !viaMX {
		return
	}
	var e *dnsmx.Error
	switch {
	case d.MX.Null:
		d.Flag, d.Warning = FlagNullMX, d.Domain+" accepts no mail: it publishes a null MX (RFC 7505)"
	case errors.As(d.mxErr, &e) && errors.Is(e, dnsmx.ErrNotFound) && e.NoData:
		d.Flag, d.Warning = FlagNoMailHost, d.Domain+" has no MX record and no address: no host takes its mail"
	case errors.Is(d.mxErr, dnsmx.ErrNotFound):
		d.Flag, d.Warning = FlagNoDomain, d.Domain+" does not exist (NXDOMAIN)"
	case errors.Is(d.mxErr, dnsmx.ErrBogus):
		d.Flag, d.Warning = FlagDNSSECBogus, "the DNS answers for "+d.Domain+" fail DNSSEC validation: validating MTAs keep the message queued until its owner mends the zone"
	case d.Enforced && len(d.Hosts) > 0 && allSkipped(d.Hosts):
		d.Flag, d.Warning = FlagNoAcceptedMX, "no MX host of "+d.Domain+" meets its policy: the local MTA will keep the message queued ("+d.Hosts[0].TLS.Reason+")"
	}
}

func allSkipped(hosts []MXHost) bool {
	for _, h := range hosts {
		if h.TLS == nil || !h.TLS.Skip {
			return false
		}
	}
	return true
}
