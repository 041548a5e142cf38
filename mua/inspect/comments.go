package inspect

import (
	"net/netip"
	"strconv"
	"strings"
)

// comment classifies one comment of a Received field: TLS details,
// authentication, envelope sender, the client's TCP-info after "from"
// (RFC 5321 §4.4), the receiver's IP or software after "by"; anything else
// is kept in Comments.
func (p *hopParser) comment(c string) {
	h := p.h
	if c == "" {
		return
	}
	if t, ok := tlsFrom(c); ok {
		h.tls(t)
		if strings.Contains(c, "AUTH: ") || strings.HasSuffix(c, "authenticated") {
			h.authComment(c)
		}
		return
	}
	if h.authComment(c) || h.envelopeComment(c) {
		return
	}
	if inner, ok := nestedComment(c); ok {
		h.Comments = append(h.Comments, inner)
		c = strings.TrimSpace(stripComments(c))
	}
	switch p.cur {
	case clFrom:
		if p.tcpInfo(c) {
			return
		}
	case clBy, clWith, clTLS:
		if p.byComment(c) {
			return
		}
	}
	h.Comments = append(h.Comments, c)
}

// nestedComment returns the first comment nested in c, such as Sendmail's
// "(may be forged)".
func nestedComment(c string) (string, bool) {
	i := strings.IndexByte(c, '(')
	if i < 0 {
		return "", false
	}
	inner, _ := commentEnd(c, i)
	return strings.TrimSpace(c[i+1 : inner]), true
}

// authComment reads "Authenticated sender: alice@example.org" (Postfix),
// "authenticated bits=0" and "authenticated as alice" (Sendmail), Courier's
// "AUTH: LOGIN alice, ..." and qmail's "..., authenticated".
func (h *Hop) authComment(c string) bool {
	switch {
	case hasPrefixFold(c, "Authenticated sender:"):
		h.Auth = strings.TrimSpace(c[len("Authenticated sender:"):])
	case hasPrefixFold(c, "authenticated as "):
		h.Auth, _, _ = strings.Cut(strings.TrimSpace(c[len("authenticated as "):]), " ")
	case hasPrefixFold(c, "authenticated"):
	case strings.HasPrefix(c, "AUTH: "):
		f := strings.Fields(strings.TrimSuffix(strings.SplitN(c, ",", 2)[0], ","))
		if len(f) >= 3 {
			h.Auth = f[2]
		}
	case strings.HasSuffix(c, ", authenticated"):
	default:
		return false
	}
	h.Authenticated = true
	return true
}

// envelopeComment reads "envelope-from <alice@example.org>".
func (h *Hop) envelopeComment(c string) bool {
	if !hasPrefixFold(c, "envelope-from") {
		return false
	}
	h.EnvelopeFrom = strings.Trim(strings.TrimSpace(c[len("envelope-from"):]), "<>")
	return true
}

// tcpInfo is what a comment after "from" says about the client.
type tcpInfo struct {
	helo, rdns, ident string
	ip                netip.Addr
	port              uint16
	exim              bool // Exim's key=value items were seen
}

// tcpInfo reads the client's details after "from": "rdns [ip]",
// "user@rdns [ip]", "unknown [ip]", "[ip]", a bare IP "(62.161.101.240)",
// qmail's "HELO name" and "user@ip", Exim's "[ip]:port helo=name port=n".
// It changes nothing and reports false when the comment is something else.
func (p *hopParser) tcpInfo(c string) bool {
	info, ok := readTCPInfo(strings.Fields(c))
	if !ok {
		return false
	}
	h := p.h
	if info.helo != "" {
		h.HELO, p.helo = info.helo, true
	}
	p.exim = p.exim || info.exim
	if h.RDNS == "" {
		h.RDNS = info.rdns
	}
	if h.Ident == "" {
		h.Ident = info.ident
	}
	if !h.IP.IsValid() {
		h.IP, h.Port = info.ip, info.port
	}
	if h.Port == 0 {
		h.Port = info.port
	}
	return true
}

// readTCPInfo reads the fields of a TCP-info comment; ok is false unless
// every field fits and an IP or a HELO name was found.
func readTCPInfo(fields []string) (info tcpInfo, ok bool) {
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case (strings.EqualFold(f, "HELO") || strings.EqualFold(f, "EHLO")) && i+1 < len(fields):
			i++
			info.helo = fields[i]
		case info.eximField(f):
		case info.clientAddr(f):
		case i == 0 && len(fields) > 1:
			info.rdnsWord(f)
		default:
			return info, false
		}
	}
	return info, info.ip.IsValid() || info.helo != ""
}

// eximField reads Exim's key=value items: helo=, port=, ident=.
func (t *tcpInfo) eximField(f string) bool {
	k, v, ok := strings.Cut(f, "=")
	if !ok {
		return false
	}
	switch strings.ToLower(k) {
	case "helo":
		t.helo = v
	case "port":
		t.port = parsePort(v)
	case "ident":
		t.ident = v
	default:
		return false
	}
	t.exim = true
	return true
}

// clientAddr reads "[ip]", "[ip]:port", a bare IP or qmail's "user@ip".
func (t *tcpInfo) clientAddr(f string) bool {
	ip, port, ok := parseAddrLiteral(f)
	if !ok {
		user, rest, found := cutLast(f, "@")
		if !found {
			return false
		}
		if ip, port, ok = parseAddrLiteral(rest); !ok {
			return false
		}
		t.ident = user
	}
	if !t.ip.IsValid() {
		t.ip, t.port = ip, port
	}
	return true
}

// rdnsWord reads the name before "[ip]": "rdns", "user@rdns" or "unknown".
func (t *tcpInfo) rdnsWord(f string) {
	if user, host, ok := cutLast(f, "@"); ok {
		t.ident, f = user, host
	}
	if !strings.EqualFold(f, "unknown") {
		t.rdns = f
	}
}

// byComment reads the receiver's comment: its IP (Microsoft "(2603:...)",
// amavisd "(host [127.0.0.1])") or its software when none was seen yet.
func (p *hopParser) byComment(c string) bool {
	h := p.h
	f := strings.Fields(c)
	if ip, ok := lastAddr(f); ok && len(f) <= 2 {
		if !h.ByIP.IsValid() {
			h.ByIP = ip
		}
		return true
	}
	if h.Software == "" {
		h.Software = c
		return true
	}
	return false
}

// lastAddr returns the IP of the last field, if it is one.
func lastAddr(f []string) (netip.Addr, bool) {
	if len(f) == 0 {
		return netip.Addr{}, false
	}
	ip, _, ok := parseAddrLiteral(f[len(f)-1])
	return ip, ok
}

// parseAddrLiteral reads "[192.0.2.1]", "[IPv6:2001:db8::1]", "[ip]:port",
// "192.0.2.1", "2001:db8::1", "fe80::1%4".
func parseAddrLiteral(s string) (ip netip.Addr, port uint16, ok bool) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, 0, false
		}
		if rest := s[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return netip.Addr{}, 0, false
			}
			port = parsePort(rest[1:])
		}
		s = s[1:end]
		if hasPrefixFold(s, "IPv6:") {
			s = s[5:]
		}
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(s, "."))
	if err != nil {
		return netip.Addr{}, 0, false
	}
	return ip, port, true
}

func parsePort(s string) uint16 {
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
