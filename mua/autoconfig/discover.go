package autoconfig

import (
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/mailaddr"
	"facteur/mua/account"
)

// Discoverer finds the servers of an address. Its fields are the network
// pieces, all replaceable (tests use loopback servers); the zero value asks
// the system's DNS servers and the real hosts.
type Discoverer struct {
	// HTTP fetches the autoconfig XML; nil means a client with a 10 s
	// timeout, RootCAs, Dial, and no redirect away from https.
	HTTP *http.Client
	// URLs gives the autoconfig URLs to try for an address, in order; nil
	// means StandardURLs. URLs that are not https:// are skipped.
	URLs func(domain, address string) []string
	// Resolver asks the DNS (SRV, MX, and the addresses of the default
	// Dial); nil means dnsmx.New(dnsmx.Config{}), the system's servers.
	Resolver *dnsmx.Resolver
	// Dial opens TCP connections to "host:port"; nil resolves the host with
	// Resolver and dials its addresses in turn.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs verifies certificates (autoconfig over HTTPS, the probes,
	// the Dialer); nil means the system roots.
	RootCAs *x509.CertPool
	// ProbeTimeout bounds one probe of a guessed server; 0 means 4 s.
	ProbeTimeout time.Duration
	// Skip turns sources off (tests of the fall-back chain, --no-guess).
	Skip map[Source]bool
}

// Result is what discovery found for an address: candidates, best first
// (implicit TLS, then STARTTLS, then plaintext; IMAP before POP3).
type Result struct {
	Address  string
	Incoming []Server
	Outgoing []Server
	// Tried says, per source, what was looked at and why it gave nothing,
	// for the curious ("autoconfig: https://...: 404 Not Found").
	Tried []string
}

// StandardURLs are the two places of Thunderbird's autoconfig XML that the
// domain itself serves.
func StandardURLs(domain, address string) []string {
	return []string{
		"https://autoconfig." + domain + "/mail/config-v1.1.xml?emailaddress=" + queryEscape(address),
		"https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
}

// Discover looks for the servers of address, source after source. It
// fails with an *Error: KindDNS when the domain does not exist, KindNotFound
// when nothing was found, KindBadAddress for an address without domain.
func (d *Discoverer) Discover(ctx context.Context, address string) (*Result, error) {
	domain := mailaddr.Domain(address)
	if domain == "" || !validHost(domain) {
		return nil, &Error{Kind: KindBadAddress, Host: address, Err: errors.New("no domain after @")}
	}
	r := &Result{Address: address}
	steps := []struct {
		src Source
		run func(context.Context, string, string) ([]Server, error)
	}{
		{SourceAutoconfig, d.autoconfig},
		{SourceSRV, d.srv},
		{SourceGuess, d.guess},
	}
	var last error
	for _, st := range steps {
		if d.Skip[st.src] || len(r.Incoming) > 0 && len(r.Outgoing) > 0 {
			continue
		}
		found, err := st.run(ctx, domain, address)
		if err != nil {
			r.Tried = append(r.Tried, fmt.Sprintf("%s: %v", st.src, err))
			last = err
		}
		r.add(found)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if len(r.Incoming) == 0 {
		if de := domainMissing(last); de != nil {
			return r, de
		}
		return r, &Error{Kind: KindNotFound, Host: domain, Err: errors.New("no incoming server found")}
	}
	return r, nil
}

// add takes the incoming servers of a source when none was found before,
// and likewise the outgoing ones.
func (r *Result) add(found []Server) {
	var in, out []Server
	for _, s := range found {
		if s.Protocol == SMTP {
			out = append(out, s)
		} else {
			in = append(in, s)
		}
	}
	if len(r.Incoming) == 0 {
		r.Incoming = rank(in)
	}
	if len(r.Outgoing) == 0 {
		r.Outgoing = rank(out)
	}
}

// rank sorts by security (implicit TLS, STARTTLS, plain), then IMAP before
// POP3, then servers that take a password before the others, keeping the
// source's order otherwise.
func rank(list []Server) []Server {
	slices.SortStableFunc(list, func(a, b Server) int {
		return cmp.Or(
			cmp.Compare(secRank(a.Sec()), secRank(b.Sec())),
			cmp.Compare(protoRank(a.Protocol), protoRank(b.Protocol)),
			cmp.Compare(authRank(a.Auth), authRank(b.Auth)),
		)
	})
	return list
}

func secRank(s account.Security) int {
	switch s {
	case account.SecurityTLS:
		return 0
	case account.SecurityStartTLS:
		return 1
	}
	return 2
}

func protoRank(p string) int {
	if p == POP3 {
		return 1
	}
	return 0
}

// authRank puts first the servers that take a password (what Check and
// Facteur's clients do): clientConfig's password-cleartext, or no word.
func authRank(auth []string) int {
	if len(auth) == 0 {
		return 0
	}
	for _, a := range auth {
		switch a {
		case "password-cleartext", "plain", "password-encrypted", "secure":
			return 0
		}
	}
	return 1
}

// Choose returns the best incoming and outgoing servers. Plaintext servers
// are returned only when acceptInsecure is set; when nothing else exists it
// fails with an *InsecureError (errors.Is ErrInsecure) naming the server, for
// the caller to ask the user. out is the zero Server when none was found.
func (r *Result) Choose(acceptInsecure bool) (in, out Server, err error) {
	in, err = pick(r.Incoming, acceptInsecure)
	if err != nil {
		return in, out, err
	}
	out, err = pick(r.Outgoing, acceptInsecure)
	if errors.Is(err, errNone) {
		err = nil
	}
	return in, out, err
}

var errNone = errors.New("autoconfig: no candidate")

func pick(list []Server, acceptInsecure bool) (Server, error) {
	for _, s := range list {
		if !s.Insecure() || acceptInsecure {
			return s, nil
		}
	}
	if len(list) > 0 {
		return Server{}, &InsecureError{Server: list[0]}
	}
	return Server{}, errNone
}

// Account builds an account from chosen servers; out may be the zero Server.
// The user name is left empty when it is the address (account.Login's default).
func Account(name, address string, in, out Server) account.Account {
	a := account.Account{Name: name, Identity: account.Identity{Address: address}, Protocol: account.IMAP}
	if in.Protocol == POP3 {
		a.Protocol = account.POP3
	}
	a.Incoming = in.Server
	if out.Host != "" {
		a.Outgoing = out.Server
	}
	for _, s := range []*account.Server{&a.Incoming, &a.Outgoing} {
		if s.User == address {
			s.User = ""
		}
	}
	return a
}

// Dialer returns an account.Dialer that connects like the Discoverer
// (its Dial and RootCAs), for Check and the account's later connections.
func (d *Discoverer) Dialer() *account.Dialer {
	return &account.Dialer{RootCAs: d.RootCAs, DialContext: d.dial}
}

func (d *Discoverer) resolver() *dnsmx.Resolver {
	if d.Resolver == nil {
		return systemResolver()
	}
	return d.Resolver
}

// systemResolver is the resolver of a Discoverer without one.
var systemResolver = sync.OnceValue(func() *dnsmx.Resolver { return dnsmx.New(dnsmx.Config{}) })

// dial connects to "host:port", the host resolved with the Resolver.
func (d *Discoverer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.Dial != nil {
		return d.Dial(ctx, network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := d.resolver().Addrs(ctx, host)
	if err != nil {
		return nil, err
	}
	var nd net.Dialer
	var errs []error
	for _, ip := range ips {
		c, err := nd.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
