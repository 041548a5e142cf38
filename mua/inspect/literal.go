package inspect

import (
	"net/netip"
	"strconv"
	"strings"
)

// netipAddr is an IP with the port written beside it, 0 when none.
type netipAddr struct {
	addr netip.Addr
	port uint16
}

// parseAddrLiteral reads the ways Received fields write an IP:
// "[192.0.2.1]", "[IPv6:2001:db8::1]", "IPv6:2001:db8::1", "[ip]:port",
// "[ip:port]", "192.0.2.1:port", the dotted port of Exim 3
// "[192.0.2.1.63559]", "[[192.0.2.1:12140]" (ecelerity), "[(192.0.2.1)]",
// "192.0.2.1", "2001:db8::1", "fe80::1%4".
func parseAddrLiteral(s string) (ip netip.Addr, port uint16, ok bool) {
	if strings.HasPrefix(s, "[") {
		end := strings.LastIndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, 0, false
		}
		if rest := s[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return netip.Addr{}, 0, false
			}
			port = parsePort(rest[1:])
		}
		s = strings.Trim(s[:end], "[()")
	}
	if hasPrefixFold(s, "IPv6:") {
		s = s[5:]
	}
	s = strings.TrimSuffix(s, ".")
	if !maybeIP(s) {
		return netip.Addr{}, 0, false // a host name: no costly failed parse
	}
	// Only these shapes can be an IP: others would fail, and allocate.
	if colons := strings.Count(s, ":"); colons >= 2 || colons == 0 && strings.Count(s, ".") == 3 {
		if ip, err := netip.ParseAddr(s); err == nil {
			return ip, port, true
		}
	}
	return addrWithPort(s, port)
}

// maybeIP tells whether s has only the characters of an IP address (and
// of a port or an IPv6 zone after it), so that host names are turned away
// without the allocation of a parse error.
func maybeIP(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			return i > 0
		case c >= '0' && c <= '9' || c == '.' || c == ':':
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// addrWithPort reads an IPv4 address followed by ":port" or ".port".
func addrWithPort(s string, port uint16) (netip.Addr, uint16, bool) {
	i := strings.LastIndexAny(s, ":.")
	if i < 0 || strings.Count(s, ":") > 1 || strings.IndexByte(s[:i], ':') >= 0 || strings.Count(s[:i], ".") != 3 {
		return netip.Addr{}, 0, false // no dotted quad before the port: no failed parse (and its allocation)
	}
	ip, err := netip.ParseAddr(s[:i])
	p := parsePort(s[i+1:])
	if err != nil || !ip.Is4() || p == 0 {
		return netip.Addr{}, 0, false
	}
	if port == 0 {
		port = p
	}
	return ip, port, true
}

func parsePort(s string) uint16 {
	if !allDecimal(s) {
		return 0
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0
	}
	return uint16(n)
}

// cutLast cuts s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// isNameWord tells whether s is one word that can name a host or a user:
// letters, digits, dots, dashes and underscores, at least one letter, and
// not an IP.
func isNameWord(s string) bool {
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_':
		default:
			return false
		}
	}
	if !letter {
		return false
	}
	if !maybeIP(s) {
		return true // letters beyond a-f: no IP, without the cost of a failed parse
	}
	_, err := netip.ParseAddr(s)
	return err != nil
}
