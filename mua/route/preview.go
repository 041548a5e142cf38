package route

import (
	"context"
	"errors"
	"strings"
	"sync"

	"facteur/internal/dnsmx"
	"facteur/internal/mailaddr"
	"facteur/internal/mtasts"
	"facteur/localmta"
	"facteur/mua/account"
)

// Request is what Preview needs.
type Request struct {
	// Recipients as typed: addresses, "Name <addr>", or comma-separated
	// lists of them.
	Recipients []string
	// Account sends the message; nil means the Local account, through
	// the local MTA.
	Account *account.Account
	// MTA is the local MTA's routing agent (for the Local account); nil
	// means one of the default configuration.
	MTA *localmta.Router
	// Resolver asks DNS; MTASTS fetches the policies. MTASTS nil means DNS
	// only: the MTA-STS records are read, the policies not fetched (the
	// composer's quiet check while recipients are typed).
	Resolver *dnsmx.Resolver
	MTASTS   *mtasts.Client
}

// ErrNoRecipient is returned when no recipient was given.
var ErrNoRecipient = errors.New("route: no recipient")

// Preview builds the delivery preview: the path and the DNS facts of
// each recipient domain, asked concurrently. It returns when every
// look-up has ended (ctx bounds them); a failed look-up is in the report,
// never an error.
func Preview(ctx context.Context, req Request) (*Report, error) {
	if req.Account == nil && req.MTA == nil {
		req.MTA = localmta.NewRouter(localmta.Config{})
	}
	r := &Report{Schema: SchemaVersion, Account: accountName(req.Account)}
	r.DNSSEC = req.Resolver.ADTrust()
	r.DNSSECNote = r.DNSSEC.Explain()
	groups := r.group(req)
	if len(groups) == 0 && len(r.Invalid) == 0 {
		return nil, ErrNoRecipient
	}
	r.Domains = make([]Domain, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Go(func() { r.Domains[i] = req.domain(ctx, g) })
	}
	wg.Wait()
	return r, nil
}

func accountName(a *account.Account) string {
	if a == nil {
		return "Local"
	}
	return a.Name
}

// group is the recipients of one domain that take one route.
type group struct {
	domain string
	rcpts  []string
	route  localmta.Route // for the Local account
}

// group reads the recipients and groups them by domain and route, in
// the order they came.
func (r *Report) group(req Request) []*group {
	var out []*group
	for _, text := range req.Recipients {
		addrs, err := mailaddr.ParseList(text)
		if err != nil {
			r.Invalid = append(r.Invalid, Invalid{Text: text, Error: err.Error()})
			continue
		}
		for _, a := range addrs {
			if a.IsEmptyGroup() {
				continue
			}
			if err := r.add(&out, req, a); err != nil {
				r.Invalid = append(r.Invalid, Invalid{Text: a.Raw, Error: err.Error()})
			}
		}
	}
	return out
}

func (r *Report) add(out *[]*group, req Request, a mailaddr.Address) error {
	domain, err := a.ASCIIDomain()
	if err != nil {
		return err
	}
	domain = strings.ToLower(domain)
	if domain == "" {
		return errors.New("no domain")
	}
	addr := a.Addr()
	var rt localmta.Route
	if req.MTA != nil && req.Account == nil {
		rt = req.MTA.Route(addr)
	}
	for _, g := range *out {
		if g.domain == domain && sameRoute(g.route, rt) {
			g.rcpts = append(g.rcpts, addr)
			return nil
		}
	}
	*out = append(*out, &group{domain: domain, rcpts: []string{addr}, route: rt})
	return nil
}

func sameRoute(a, b localmta.Route) bool {
	return a.Kind == b.Kind && a.By == b.By && a.Hop == b.Hop && a.Login == b.Login
}

// domain builds the preview of one group.
func (req Request) domain(ctx context.Context, g *group) Domain {
	d := Domain{Domain: g.domain, Recipients: g.rcpts}
	d.Path, d.DNS, d.Enforced = req.path(g)
	if g.route.Kind == localmta.RouteError {
		d.Flag, d.Warning = FlagRejected, "the local MTA's transport table bounces mail for "+g.domain+": "+g.route.Err.Error()
	}
	if !d.DNS {
		return d
	}
	port := 25
	if req.MTA != nil && req.Account == nil {
		port = req.MTA.MXPort()
	}
	d.lookup(ctx, req.Resolver, req.MTASTS, port)
	if d.Enforced {
		d.plan()
	}
	d.flag(usesMX(d.Path, d.Domain))
	return d
}
