package autoconfig

import (
	"context"
	"strings"

	"facteur/mua/account"
)

// FindOptions tune Find.
type FindOptions struct {
	// Security, when set, keeps the candidates of that security; when a
	// side has none, its best candidate with that security and its
	// default port (the user asked for it).
	Security account.Security
	// AcceptInsecure lets Find choose a plaintext server (Choose).
	AcceptInsecure bool
}

// Found is what Find chose for an address, and why.
type Found struct {
	// Result holds every candidate and what was tried; it is set even
	// when Find fails after the look-up.
	Result *Result
	// Incoming and Outgoing are the servers chosen; Outgoing is the zero
	// Server when none was found.
	Incoming, Outgoing Server
	// Account is the account made of them (Account).
	Account account.Account
}

// Find is the account set-up of both front doors: it discovers the
// servers of address, chooses the best ones (with the security asked for)
// and makes the account named name of them.
func (d *Discoverer) Find(ctx context.Context, name, address string, o FindOptions) (Found, error) {
	r, err := d.Discover(ctx, address)
	f := Found{Result: r}
	if err != nil {
		return f, err
	}
	if o.Security != "" {
		r.Incoming, r.Outgoing = withSecurity(r.Incoming, o.Security), withSecurity(r.Outgoing, o.Security)
	}
	f.Incoming, f.Outgoing, err = r.Choose(o.AcceptInsecure || o.Security == account.SecurityNone)
	if err != nil {
		return f, err
	}
	f.Account = Account(name, address, f.Incoming, f.Outgoing)
	return f, nil
}

// OAuth2Hosts are the host names of the chosen servers whose autoconfig
// lists the "OAuth2" authentication.
func (f Found) OAuth2Hosts() []string {
	var hosts []string
	for _, s := range []Server{f.Incoming, f.Outgoing} {
		for _, m := range s.Auth {
			if s.Host != "" && strings.EqualFold(m, "OAuth2") {
				hosts = append(hosts, s.Host)
				break
			}
		}
	}
	return hosts
}

// withSecurity keeps the candidates of one security; when there is none,
// the best one with that security and its default port.
func withSecurity(list []Server, sec account.Security) []Server {
	var keep []Server
	for _, s := range list {
		if s.Sec() == sec {
			keep = append(keep, s)
		}
	}
	if len(keep) > 0 || len(list) == 0 {
		return keep
	}
	s := list[0]
	s.Security, s.Port = sec, account.DefaultPort(s.Protocol, sec)
	return []Server{s}
}
