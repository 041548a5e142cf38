package localmta

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"facteur/internal/dnsmx"
	"facteur/internal/mailaddr"
	"facteur/localmta/mda"

	"github.com/emersion/go-smtp"
)

// RouteKind is what the routing agent decided for a recipient.
type RouteKind int

// The routing decisions.
const (
	RouteLocal  RouteKind = iota + 1 // the MDA delivers it here
	RouteRemote                      // the transport agent sends it to a next hop
	RouteError                       // it bounces (transport "error:")
)

// NextHop is where the transport agent sends a message.
type NextHop struct {
	Domain string // MX look-up of this domain (when Host is empty or !NoMX)
	Host   string // a host to use instead of the recipient domain
	Port   int    // 0 means Config.MXPort
	NoMX   bool   // Host is used as is: its A/AAAA, or an IP address
	Relay  bool   // the smarthost: AUTH with Config.RelayHost credentials
}

// ToDomainMX tells whether the hop is the MX of the recipient domain
// itself: the deliveries where MTA-STS applies (RFC 8461 §5).
func (h NextHop) ToDomainMX() bool {
	return h.Host == "" && !h.NoMX && !h.Relay && h.Domain != ""
}

// String names the next hop for logs and grouping.
func (h NextHop) String() string {
	s := h.Domain
	if h.Host != "" {
		s = h.Host
	}
	if h.NoMX {
		s = "[" + s + "]"
	}
	if h.Port != 0 {
		s = fmt.Sprintf("%s:%d", s, h.Port)
	}
	return s
}

// Route is the routing agent's decision for one recipient.
type Route struct {
	Kind  RouteKind
	Login string  // RouteLocal: the mailbox
	Hop   NextHop // RouteRemote
	Err   error   // RouteError: a permanent *smtp.SMTPError
	By    RouteBy // the rule that decided
	// Transport is the transport-table entry, when By is ByTransport.
	Transport Transport
}

// RouteBy says which rule of the routing agent decided.
type RouteBy int

// The rules, in the order the routing agent tries them.
const (
	ByTransport   RouteBy = iota + 1 // an entry of the transport table
	ByLocalDomain                    // a local domain (or our own address literal)
	ByLiteral                        // an address literal: its address, no MX (RFC 5321 §4.1.3)
	ByRelayHost                      // the relayhost (smarthost)
	ByMX                             // the DNS MX of the domain
)

// Router is the routing agent alone: the decision of an MTA configured
// by a Config, without running it, so that the route preview of the user
// agent tells what the local MTA would do. The MTA routes with its own.
type Router struct {
	cfg     Config
	selfIPs []netip.Addr
}

// NewRouter returns the routing agent of an MTA configured by cfg (the
// defaults filled in, as New does). Its own addresses are those of the
// listeners written as IP addresses.
func NewRouter(cfg Config) *Router {
	r := &Router{cfg: cfg.withDefaults()}
	for _, l := range r.cfg.Listeners {
		if ap, err := netip.ParseAddrPort(l.Addr); err == nil && !ap.Addr().IsUnspecified() {
			r.selfIPs = append(r.selfIPs, ap.Addr().Unmap())
		}
	}
	return r
}

// Hostname returns the name the MTA uses.
func (r *Router) Hostname() string { return r.cfg.Hostname }

// MXPort returns the port of MX hosts (25 but in tests).
func (r *Router) MXPort() int { return r.cfg.MXPort }

// Route decides where a recipient goes, in Postfix's order: the transport
// table, local domains, the relayhost, else the DNS MX of the domain.
func (r *Router) Route(rcpt string) Route {
	domain := mailaddr.Domain(rcpt)
	if tr, ok := r.cfg.Transports.Lookup(rcpt); ok {
		route := r.routeTransport(tr, rcpt, domain)
		route.By, route.Transport = ByTransport, tr
		return route
	}
	if r.isLocalDomain(domain) {
		return Route{Kind: RouteLocal, Login: mda.Login(rcpt), By: ByLocalDomain}
	}
	if strings.HasPrefix(domain, "[") { // address literal: no MX (RFC 5321 §4.1.3)
		return Route{Kind: RouteRemote, Hop: NextHop{Host: domain, NoMX: true}, By: ByLiteral}
	}
	if rh := r.cfg.RelayHost; rh != nil {
		return Route{Kind: RouteRemote, Hop: NextHop{Host: rh.Host, Port: rh.Port, NoMX: rh.NoMX, Relay: true}, By: ByRelayHost}
	}
	return Route{Kind: RouteRemote, Hop: NextHop{Domain: domain}, By: ByMX}
}

func (r *Router) routeTransport(tr Transport, rcpt, domain string) Route {
	switch tr.Kind {
	case TransportLocal:
		return Route{Kind: RouteLocal, Login: mda.Login(rcpt)}
	case TransportError:
		text := strings.TrimSpace(tr.Text)
		if text == "" {
			text = "Recipient address rejected by the transport table"
		}
		return Route{Kind: RouteError, Err: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 0, 0}, Message: text}}
	}
	hop := NextHop{Domain: domain, Host: tr.Host, Port: tr.Port, NoMX: tr.NoMX}
	if hop.Host == "" {
		hop.NoMX = false
	}
	return Route{Kind: RouteRemote, Hop: hop}
}

// Route decides where a recipient goes (see Router.Route).
func (m *MTA) Route(rcpt string) Route { return m.router.Route(rcpt) }

// isLocalDomain reports whether mail for domain is delivered here: a
// local domain, or an address literal of one of our listening addresses.
func (r *Router) isLocalDomain(domain string) bool {
	if domain == "" || slices.Contains(r.cfg.LocalDomains, domain) {
		return true
	}
	if lit, ok := strings.CutPrefix(domain, "["); ok {
		ip, err := netip.ParseAddr(strings.TrimPrefix(strings.TrimSuffix(lit, "]"), "ipv6:"))
		return err == nil && r.isSelfIP(ip)
	}
	return false
}

func (m *MTA) isLocalDomain(domain string) bool { return m.router.isLocalDomain(domain) }

// localPart returns the local part of addr when its domain is local.
func (m *MTA) localPart(addr string) (string, bool) {
	if !m.isLocalDomain(mailaddr.Domain(addr)) {
		return "", false
	}
	return mda.Login(addr), true
}

// hasUser reports whether a login has a mailbox here.
func (m *MTA) hasUser(login string) bool {
	login = strings.ToLower(login)
	if login == "postmaster" || slices.Contains(m.cfg.LocalUsers, login) {
		return true
	}
	_, ok := m.cfg.Users[login]
	return ok
}

// ErrUnknownUser is the RCPT reply for a local address without mailbox.
var ErrUnknownUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Recipient address rejected: User unknown in local recipient table"}

// expandLocal resolves a local recipient through the aliases into
// mailboxes ("login@domain") and the remote addresses that the alias
// table names; an unknown mailbox is ErrUnknownUser, an alias loop
// 554 5.4.6. The local part is only ever a mailbox or alias name: one
// holding '@', '%' or '!' is looked up as such, never routed.
func (m *MTA) expandLocal(addr string) ([]string, error) {
	domain := mailaddr.Domain(addr)
	targets, err := m.cfg.Aliases.Expand(mda.Login(addr), m.localPart)
	if errors.Is(err, ErrAliasLoop) {
		return nil, &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 4, 6}, Message: "Alias loop"}
	}
	var out []string
	for _, t := range targets {
		if t.Remote {
			out = append(out, t.Name)
			continue
		}
		if !m.hasUser(t.Name) {
			return nil, ErrUnknownUser
		}
		out = append(out, mailbox(t.Name, domain))
	}
	return out, nil
}

// mailbox returns the address of a local mailbox, its name quoted when
// it is not a dot-atom, so that mda.Login gives the name back.
func mailbox(login, domain string) string {
	return mailaddr.Address{Local: login, Domain: domain}.Addr()
}

// isSelfHost reports whether a host name is this host.
func (r *Router) isSelfHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == r.cfg.Hostname || slices.Contains(r.cfg.MyNames, host)
}

// isSelfIP reports whether ip is one this MTA listens on.
func (r *Router) isSelfIP(ip netip.Addr) bool {
	return slices.Contains(r.selfIPs, ip.Unmap())
}

func (m *MTA) isSelfHost(host string) bool { return m.router.isSelfHost(host) }
func (m *MTA) isSelfIP(ip netip.Addr) bool { return m.router.isSelfIP(ip) }

// isBackupMX reports whether this host is an MX of domain (then it
// accepts mail for it without relay permission: the course's secondary MX).
func (m *MTA) isBackupMX(ctx context.Context, domain string) (bool, error) {
	res, err := m.resolver.MX(ctx, domain)
	if err != nil {
		if errors.Is(err, dnsmx.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if res.Implicit {
		return false, nil
	}
	for _, mx := range res.Records {
		if m.isSelfHost(mx.Host) {
			return true, nil
		}
	}
	return false, nil
}
