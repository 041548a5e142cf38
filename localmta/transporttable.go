package localmta

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"facteur/internal/mailaddr"
	"facteur/localmta/tablefile"
)

// TransportKind is the transport of a transport-table entry.
type TransportKind string

// The transports Facteur knows.
const (
	TransportSMTP  TransportKind = "smtp"  // relay over SMTP (also "relay" and an empty transport)
	TransportLocal TransportKind = "local" // deliver with the MDA
	TransportError TransportKind = "error" // bounce with the given text
)

// Transport is the right-hand side of a transport-table entry, in
// Postfix's transport(5) syntax "transport:nexthop": "smtp:[host]:port"
// (brackets: no MX look-up), "smtp:host" (MX look-up of host), "smtp:"
// (the recipient's domain), "local:", "error:text".
type Transport struct {
	Kind TransportKind
	Host string // next hop; "" means the recipient's domain
	Port int    // 0 means the default port
	NoMX bool   // the host was in brackets
	Text string // the text of error:
}

// String returns the entry in transport(5) syntax.
func (t Transport) String() string {
	switch t.Kind {
	case TransportError:
		return "error:" + t.Text
	case TransportLocal:
		return "local:"
	}
	h := t.Host
	if t.NoMX {
		h = "[" + h + "]"
	}
	if t.Port != 0 {
		h += ":" + strconv.Itoa(t.Port)
	}
	return string(t.Kind) + ":" + h
}

// TransportTable maps recipients to transports, as Postfix's transport_maps
// (the course's "Tables de transport"): keys are a full address
// "user@domain", a domain "example.com", a ".domain" matching every
// subdomain, and "*" matching everything. Lookup tries them in that order,
// walking up the parent domains.
type TransportTable map[string]Transport

// ErrTransportSyntax is wrapped by the errors of ParseTransportTable.
var ErrTransportSyntax = errors.New("transport table: syntax error")

// LoadTransportTable reads a transport table file.
func LoadTransportTable(path string) (TransportTable, error) {
	return tablefile.Load(path, ParseTransportTable)
}

// ParseTransportTable reads "pattern transport:nexthop" lines; blank lines
// and '#' comments are skipped.
func ParseTransportTable(r io.Reader) (TransportTable, error) {
	t := TransportTable{}
	err := tablefile.EachEntry(r, func(n int, line string) error {
		key, value, ok := strings.Cut(strings.ReplaceAll(line, "\t", " "), " ")
		value = strings.TrimSpace(value)
		if !ok || value == "" || (!strings.HasPrefix(strings.ToLower(value), "error:") && strings.ContainsAny(value, " \t")) {
			return fmt.Errorf("%w: line %d: want \"pattern transport:nexthop\"", ErrTransportSyntax, n)
		}
		tr, err := ParseTransport(value)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		t[strings.ToLower(key)] = tr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ParseTransport reads the right-hand side of an entry.
func ParseTransport(s string) (Transport, error) {
	kind, next, ok := strings.Cut(s, ":")
	if !ok {
		return Transport{}, fmt.Errorf("%w: %q has no ':'", ErrTransportSyntax, s)
	}
	switch strings.ToLower(kind) {
	case "error":
		return Transport{Kind: TransportError, Text: next}, nil
	case "local":
		return Transport{Kind: TransportLocal}, nil
	case "smtp", "relay", "":
	default:
		return Transport{}, fmt.Errorf("%w: unknown transport %q", ErrTransportSyntax, kind)
	}
	t := Transport{Kind: TransportSMTP}
	host, port, err := splitNextHop(next)
	if err != nil {
		return Transport{}, fmt.Errorf("%w: %q: %v", ErrTransportSyntax, s, err)
	}
	t.Host, t.Port = host, port
	if strings.HasPrefix(host, "[") {
		t.Host, t.NoMX = strings.Trim(host, "[]"), true
		if t.Host == "" {
			return Transport{}, fmt.Errorf("%w: %q: empty brackets", ErrTransportSyntax, s)
		}
	}
	return t, nil
}

// splitNextHop splits "host", "host:port", "[host]", "[host]:port",
// "[2001:db8::1]:25".
func splitNextHop(s string) (host string, port int, err error) {
	rest := s
	if strings.HasPrefix(s, "[") {
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return "", 0, errors.New("unterminated '['")
		}
		host, rest = s[:i+1], s[i+1:]
		if inner := s[1:i]; strings.Contains(inner, ":") {
			if _, err := netip.ParseAddr(strings.TrimPrefix(strings.ToLower(inner), "ipv6:")); err != nil {
				return "", 0, err
			}
		}
		if rest == "" {
			return host, 0, nil
		}
		if rest[0] != ':' {
			return "", 0, errors.New("junk after ']'")
		}
		rest = rest[1:]
	} else {
		h, p, ok := strings.Cut(s, ":")
		host, rest = h, p
		if !ok {
			return host, 0, checkHost(host)
		}
	}
	if err := checkHost(strings.Trim(host, "[]")); err != nil {
		return "", 0, err
	}
	port, err = strconv.Atoi(rest)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", rest)
	}
	return host, port, nil
}

func checkHost(h string) error {
	if strings.ContainsAny(h, " \t/\\@[]") {
		return fmt.Errorf("bad host %q", h)
	}
	return nil
}

// Lookup returns the transport of a recipient address. Only the domain
// after the last '@' is looked up as a domain: an address without one
// (<postmaster>) matches its exact key or "*", never a domain entry.
func (t TransportTable) Lookup(addr string) (Transport, bool) {
	if len(t) == 0 {
		return Transport{}, false
	}
	domain := mailaddr.Domain(addr)
	if domain == "" {
		tr, ok := t["*"]
		return tr, ok
	}
	if tr, ok := t[strings.ToLower(addr)]; ok {
		return tr, true
	}
	if tr, ok := t[domain]; ok {
		return tr, true
	}
	for d := domain; ; {
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		if tr, ok := t[d[i:]]; ok {
			return tr, true
		}
		d = d[i+1:]
	}
	tr, ok := t["*"]
	return tr, ok
}
