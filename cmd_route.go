package main

import (
	"context"
	"fmt"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/internal/profile"
	"facteur/localmta"
	"facteur/localmta/mailsys"
	"facteur/mua/account"
	"facteur/mua/route"
)

const routeUsage = "route [--account NAME] [--json] [--dns SERVER[:PORT]] [--timeout 30s] ADDR..."

// routePolicyOptions tune the MTA-STS policy fetches of `facteur route`;
// tests point them at a policy server on loopback.
var routePolicyOptions mtasts.Options

// routeFlagged is the error of a preview with domains that cannot take
// the message: exit status 1, the report printed all the same.
type routeFlagged struct{ n int }

func (e routeFlagged) Error() string {
	return fmt.Sprintf("route: %d recipient domain(s) or address(es) cannot take the message", e.n)
}

// cmdRoute prints the delivery preview of a message to ADDR...: for each
// recipient domain the path from here (the account's submission server,
// or the local MTA and its own routing decision) and what DNS says (MX,
// A/AAAA, MTA-STS, DANE, TLS-RPT), the domains that cannot take the
// message first.
func cmdRoute(e *env) error {
	fs := newFlags(e, "route")
	name := fs.String("account", "", "account to send from (default: the first account with an SMTP server, else Local)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dns := fs.String("dns", "", "DNS server to ask, SERVER[:PORT] (default: the local MTA's, else the system's)")
	timeout := fs.Duration("timeout", 30*time.Second, "bound on the whole preview")
	rcpts, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(rcpts) == 0 || *timeout <= 0 {
		return usageError{"usage: facteur " + routeUsage}
	}
	req, err := routeRequest(e, *name, *dns, *timeout)
	if err != nil {
		return err
	}
	req.Recipients = rcpts
	ctx, cancel := context.WithTimeout(e.ctx, *timeout)
	defer cancel()
	r, err := route.Preview(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		err = r.WriteJSON(e.stdout)
	} else {
		err = r.WriteText(e.stdout)
	}
	if n := len(r.Flagged()) + len(r.Invalid); err == nil && n > 0 {
		return routeFlagged{n}
	}
	return err
}

// routeRequest prepares the preview's request: the sending account as
// `facteur send` picks it, the local MTA's routing as `facteur mta`
// would be configured, and the resolver.
func routeRequest(e *env, name, dns string, timeout time.Duration) (route.Request, error) {
	var req route.Request
	p, err := profile.Open(e.profile)
	if err != nil {
		return req, err
	}
	if req.Account, err = sendAccount(account.OpenBook(p.ConfigFile()), name); err != nil {
		return req, err
	}
	if req.Account == nil {
		cfg, _, err := mailsys.DefaultSettings(localLogin()).Loader()(p.MTADir(), mailsys.Addrs{})
		if err != nil {
			return req, err
		}
		req.MTA = localmta.NewRouter(cfg)
		if dns == "" {
			dns = cfg.DNSServer
		}
	}
	req.Resolver = dnsmx.New(dnsmx.Config{Server: dns, Timeout: min(timeout, 5*time.Second)})
	opt := routePolicyOptions
	if opt.Timeout == 0 {
		opt.Timeout = timeout
	}
	req.MTASTS = mtasts.New(req.Resolver, opt)
	return req, nil
}
