package inspect

import (
	"strings"
	"unicode"

	"facteur/internal/ascii"
)

// comment classifies one comment of a Received field: TLS details,
// authentication, envelope sender, a from clause written in parentheses,
// the client's TCP-info after "from" (RFC 5321 §4.4), the receiver's IP or
// software after "by"; anything else is kept in Comments.
func (p *hopParser) comment(t token) {
	h, c := p.h, t.text
	if c == "" {
		return
	}
	if p.cur == clNone && !p.seen[clFrom] && !p.seen[clBy] && hasPrefixFold(c, "from ") {
		p.parenthesisedFrom(t)
		return
	}
	if tls, ok := tlsFrom(c); ok {
		p.tls(tls)
		if strings.Contains(c, "AUTH: ") || strings.HasSuffix(c, "authenticated") {
			h.authComment(c)
		}
		return
	}
	if h.authComment(c) || h.envelopeComment(c) {
		return
	}
	if inner, ok := nestedComment(c); ok {
		h.Comments = p.add(h.Comments, inner)
		c = strings.TrimSpace(stripComments(c))
	}
	if p.more < 0 {
		switch p.cur {
		case clFrom:
			if p.tcpInfo(c) || p.fromNameComment(c) {
				return
			}
		case clBy, clWith, clTLS:
			if p.byComment(c) {
				return
			}
		}
	}
	h.Comments = p.add(h.Comments, c)
}

// parenthesisedFrom reads a from clause written as a comment:
// Sendmail's "(from alice@localhost) by host (8.12.11/8.12.11/Submit)",
// Norton's "(from KRYPTIK [192.0.2.7]) by host (NAVGW 2.5.2.12)".
// Its tokens keep their offsets in the whole field.
func (p *hopParser) parenthesisedFrom(t token) {
	var buf [8]token
	p.parenFrom = true
	in := p.raw[t.start+1 : t.end]
	off := t.start + 1 + len(in) - len(strings.TrimLeftFunc(in, unicode.IsSpace)) // as tokenize trimmed it
	toks := tokenize(buf[:0], t.text)
	for i := range toks {
		toks[i].start += off
		toks[i].end += off
	}
	p.walk(toks)
	p.cur, p.fresh, p.more = clNone, false, -1
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
// "authenticated bits=0" and "authenticated as alice" (Sendmail, Critical
// Path), "authenticated user alice" (Kerio) and "SquirrelMail
// authenticated user alice", Courier's "AUTH: LOGIN alice, ..." and
// qmail's "..., authenticated".
func (h *Hop) authComment(c string) bool {
	switch {
	case indexFold(c, "auth") < 0:
		return false // every form below says it
	case hasPrefixFold(c, "Authenticated sender:"):
		h.Auth = strings.TrimSpace(c[len("Authenticated sender:"):])
	case hasPrefixFold(c, "authenticated as "):
		h.Auth = firstField(c[len("authenticated as "):])
	case indexFold(c, "authenticated user ") >= 0:
		i := indexFold(c, "authenticated user ")
		h.Auth = firstField(c[i+len("authenticated user "):])
	case hasPrefixFold(c, "authenticated"):
	case strings.HasPrefix(c, "AUTH: "):
		f := strings.Fields(strings.TrimSuffix(strings.SplitN(c, ",", 2)[0], ","))
		switch {
		case len(f) >= 3:
			h.Auth = f[2]
		case len(f) == 2:
			h.Auth = f[1]
		}
	case strings.HasSuffix(c, ", authenticated"):
	default:
		return false
	}
	h.Authenticated = true
	return true
}

// firstField returns the first word of s, without angle brackets.
func firstField(s string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return strings.Trim(f, "<>,")
}

// envelopeComment reads "envelope-from <alice@example.org>" (Exim,
// Postfix), "envelope-sender <...>" (qmail-ldap) and qmail-scanner's
// "envelope-from <...>, uid 502".
func (h *Hop) envelopeComment(c string) bool {
	var rest string
	switch {
	case !hasPrefixFold(c, "envelope-"):
		return false
	case hasPrefixFold(c, "envelope-from"):
		rest = c[len("envelope-from"):]
	case hasPrefixFold(c, "envelope-sender"):
		rest = c[len("envelope-sender"):]
	default:
		return false
	}
	if h.EnvelopeFrom == "" {
		h.EnvelopeFrom = strings.TrimLeft(firstField(strings.TrimLeft(rest, " =")), "<")
	}
	return true
}

// tcpInfo is what a comment after "from" says about the client.
type tcpInfo struct {
	helo, rdns, ident, auth string
	ip                      netipAddr
	explicitHELO            bool // HELO/EHLO/LHLO or helo= was written
	exim                    bool // Exim's key=value items were seen
	bare                    bool // the IP was written without brackets
	verified                bool // CommuniGate's "verified"
	account                 bool // CommuniGate's "account x"
}

// tcpInfo reads the client's details after "from": "rdns [ip]",
// "user@rdns [ip]", "unknown [ip]", "[ip]", a bare IP "(192.0.2.7)", an IP
// with a port, qmail's "HELO name" and "user@ip", Exim's "[ip]:port
// helo=name", ZMailer's "[ip]:port "EHLO name" rhost-flags-...",
// CommuniGate's "account user HELO name" and "[ip] verified", smap's "ip,
// HELO name". It changes nothing and reports false when the comment is
// something else.
func (p *hopParser) tcpInfo(c string) bool {
	var buf [16]string
	info, ok := readTCPInfo(appendInfoFields(buf[:0], c))
	if !ok {
		return false
	}
	h := p.h
	if info.explicitHELO {
		h.HELO, h.HELOSource, p.explicitHELO = info.helo, HELOFromComment, true
		if info.helo == "" {
			h.HELOSource = ""
		}
	}
	if info.account {
		h.Authenticated, h.Auth = true, info.auth
	}
	p.exim = p.exim || info.exim
	p.verified = p.verified || info.verified
	h.setRDNS(info.rdns, true)
	if h.Ident == "" {
		h.Ident = info.ident
	}
	if info.ip.addr.IsValid() && !h.IP.IsValid() {
		h.IP, h.Port, p.bareIP = info.ip.addr, info.ip.port, info.bare
	}
	if h.Port == 0 {
		h.Port = info.ip.port
	}
	return true
}

// appendInfoFields appends to dst the words of a TCP-info comment, split
// at spaces, tabs, commas and double quotes: strings.FieldsFunc's split,
// byte by byte, since the separators are ASCII and no byte of a multi-byte
// UTF-8 sequence is.
func appendInfoFields(dst []string, c string) []string {
	start := -1
	for i := 0; i < len(c); i++ {
		if isInfoSeparator(c[i]) {
			if start >= 0 {
				dst = append(dst, c[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, c[start:])
	}
	return dst
}

func isInfoSeparator(c byte) bool {
	return c == ' ' || c == ',' || c == '"' || c == '\t'
}

// readTCPInfo reads the fields of a TCP-info comment; ok is false unless
// every field fits and an IP, a HELO name, an account or a user@host was
// found.
func readTCPInfo(fields []string) (info tcpInfo, ok bool) {
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case isHELOWord(f):
			info.explicitHELO = true
			if i+1 < len(fields) {
				i++
				info.helo = fields[i]
			}
		case strings.EqualFold(f, "account") && i+1 < len(fields):
			i++
			info.account, info.auth = true, strings.Trim(fields[i], "<>")
		case strings.EqualFold(f, "with") && i+1 < len(fields):
			i++ // Yahoo's "(user@ip with plain)": the AUTH mechanism
		case ignoredInfoWord(f):
			info.verified = info.verified || strings.EqualFold(f, "verified")
		case info.eximField(f):
		case info.clientAddr(f):
		case i == 0 && len(fields) > 1:
			info.rdnsWord(f)
		case len(fields) == 1 && strings.Contains(f, "@"):
			info.rdnsWord(f) // Sendmail's "(alice@localhost)"
		default:
			return info, false
		}
	}
	return info, info.ip.addr.IsValid() || info.explicitHELO || info.account || info.ident != ""
}

func isHELOWord(f string) bool {
	return strings.EqualFold(f, "HELO") || strings.EqualFold(f, "EHLO") || strings.EqualFold(f, "LHLO")
}

// ignoredInfoWord tells whether f is one of the words that servers put
// beside the IP without meaning for the fields: "verified",
// "unverified", "RDNS failed", ZMailer's "rhost-flags-OK-OK-OK-OK".
func ignoredInfoWord(f string) bool {
	if !ascii.Is(f) { // no fold outside ASCII ("ſ" for "s"), as strings.ToLower
		return hasPrefixFold(f, "rhost-flags")
	}
	return strings.EqualFold(f, "verified") || strings.EqualFold(f, "unverified") || strings.EqualFold(f, "rdns") ||
		strings.EqualFold(f, "failed") || hasPrefixFold(f, "rhost-flags")
}

// eximField reads Exim's key=value items: helo=, port=, ident=.
func (t *tcpInfo) eximField(f string) bool {
	k, v, ok := strings.Cut(f, "=")
	if !ok {
		return false
	}
	switch strings.ToLower(k) {
	case "helo":
		t.helo, t.explicitHELO = v, true
	case "port":
		t.ip.port = parsePort(v)
	case "ident":
		t.ident = v
	default:
		return false
	}
	t.exim = true
	return true
}

// clientAddr reads "[ip]", "[ip]:port", a bare IP, "ip:port", qmail's
// "user@ip", and a name glued to its literal: "rdns[ip]",
// "<unknown.domain>[ip]".
func (t *tcpInfo) clientAddr(f string) bool {
	ip, port, ok := parseAddrLiteral(f)
	switch {
	case ok:
		t.bare = t.bare || !strings.HasPrefix(f, "[")
	case strings.Contains(f, "@"):
		user, rest, _ := cutLast(f, "@")
		if ip, port, ok = parseAddrLiteral(strings.TrimSuffix(rest, "_trustedrelay")); !ok {
			return false
		}
		t.ident, t.bare = user, !strings.HasPrefix(rest, "[")
	case strings.HasSuffix(f, "]") && strings.IndexByte(f, '[') > 0:
		i := strings.IndexByte(f, '[')
		if ip, port, ok = parseAddrLiteral(f[i:]); !ok {
			return false
		}
		t.rdnsWord(f[:i])
	default:
		return false
	}
	if !t.ip.addr.IsValid() {
		t.ip = netipAddr{ip, port}
	}
	return true
}

// rdnsWord reads the name before "[ip]": "rdns", "user@rdns",
// "IDENT:user@rdns"; "unknown", "softdnserr" (Courier), "[unknown]" (Sun)
// and "<unknown.domain>" name nothing.
func (t *tcpInfo) rdnsWord(f string) {
	if user, host, ok := cutLast(f, "@"); ok {
		t.ident, f = strings.TrimPrefix(user, "IDENT:"), host
	}
	if f == "" || strings.EqualFold(f, "unknown") || strings.EqualFold(f, "softdnserr") ||
		strings.HasPrefix(f, "[") || strings.HasPrefix(f, "<") {
		return
	}
	t.rdns = f
}

// fromNameComment reads a comment of one host name in the from clause:
// before a bare "[ip]" it is Exim 3's HELO name, otherwise the reverse DNS
// name ("from DL1GSPMX02 (dl1gspmx02.example.com)"); after the "[ip]",
// Exim 3's ident ("(mail)").
func (p *hopParser) fromNameComment(c string) bool {
	if !isNameWord(c) || p.h.From == "" {
		return false
	}
	if ignoredInfoWord(c) {
		return true // "(unverified)": no name
	}
	switch {
	case p.sawLiteral && p.h.Ident == "":
		p.h.Ident = c
	case p.nameComment == "" && !p.sawLiteral:
		p.nameComment = c
	default:
		return false
	}
	return true
}

// byComment reads the receiver's comment: its IP (Microsoft "(2603:...)",
// amavisd "(host [127.0.0.1])", MDaemon "(IPv6:...)", XMail
// "(192.0.2.1:25)") or its software when none was seen yet.
func (p *hopParser) byComment(c string) bool {
	h := p.h
	n, last := 0, ""
	for f := range strings.FieldsSeq(c) {
		if n++; n > 2 {
			break
		}
		last = f
	}
	if ip, _, ok := parseAddrLiteral(last); ok && n <= 2 {
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
