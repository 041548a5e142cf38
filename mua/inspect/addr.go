package inspect

import (
	"strings"

	"facteur/internal/mailaddr"
)

// Mailbox is one address of a header field: display name and addr-spec.
type Mailbox struct {
	Name string `json:"name,omitempty"` // RFC 2047 decoded
	Addr string `json:"addr"`           // "local@domain"
	// Group is the group the address belongs to ("undisclosed-recipients").
	Group string `json:"group,omitempty"`
}

// String returns "Name <addr>" or "addr".
func (m Mailbox) String() string {
	if m.Name == "" {
		return m.Addr
	}
	return m.Name + " <" + m.Addr + ">"
}

// parseMailboxes reads the address list of a header field with
// internal/mailaddr, which takes the legacy forms of the course. What it
// cannot read is skipped; an empty group gives a Mailbox with only Group.
func parseMailboxes(v string) []Mailbox {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if m, ok := simpleMailbox(v); ok {
		return []Mailbox{m}
	}
	return parseMailboxesFull(v)
}

// parseMailboxesFull reads any address list with internal/mailaddr.
func parseMailboxesFull(v string) []Mailbox {
	list, _ := mailaddr.ParseList(v)
	out := make([]Mailbox, 0, len(list))
	for _, a := range list {
		out = append(out, Mailbox{Name: a.Name, Addr: a.Addr(), Group: a.Group})
	}
	return out
}

// simpleMailbox reads the usual mailbox, "Name <local@host.example>"
// with a name of plain words (letters and digits, single spaces), or the
// bare "local@host.example", with the plain path of simplePath; it gives
// what internal/mailaddr gives (FuzzSimpleMailbox checks it), without its
// allocations. ok is false for any other form.
func simpleMailbox(v string) (Mailbox, bool) {
	if !strings.HasSuffix(v, ">") {
		addr, ok := simplePath(v)
		return Mailbox{Addr: addr}, ok && !strings.HasPrefix(v, "<")
	}
	i := strings.LastIndexByte(v, '<')
	if i < 2 || v[i-1] != ' ' || !isPlainPhrase(v[:i-1]) {
		return Mailbox{}, false
	}
	addr, ok := simplePath(v[i:])
	return Mailbox{Name: v[:i-1], Addr: addr}, ok
}

// isPlainPhrase tells whether s is words of ASCII letters and digits
// separated by single spaces.
func isPlainPhrase(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDecimal(c):
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			return false
		}
	}
	return s != ""
}

// parsePath reads a reverse-path or forward-path as MDAs write it in
// Return-Path or Delivered-To: "<a@b>", "a@b", a source route
// "<@relay:a@b>", and the null path "<>" (RFC 5321 §4.1.2), which gives ""
// and ok.
func parsePath(v string) (addr string, ok bool) {
	if a, ok := simplePath(v); ok {
		return a, true
	}
	return parsePathFull(v)
}

// simplePath reads the common path, "<local@host.example>" or
// "local@host.example" with a plain dot-atom local part and a host name,
// which parsePathFull gives back as written (FuzzParsePath checks it),
// without its allocations. ok is false for any other form.
func simplePath(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '<' && v[len(v)-1] == '>' {
		v = v[1 : len(v)-1]
	}
	local, domain, ok := strings.Cut(v, "@")
	if !ok || len(local) > 64 || !isPlainDotAtom(local) || !isPlainHostName(domain) {
		return "", false
	}
	return v, true
}

// isPlainDotAtom tells whether s is a dot-atom (RFC 5322 §3.2.3) of
// letters, digits and "+-_=", the usual local part.
func isPlainDotAtom(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDecimal(c) || c == '+' || c == '-' || c == '_' || c == '=':
		case c == '.' && i > 0 && i < len(s)-1 && s[i-1] != '.':
		default:
			return false
		}
	}
	return s != ""
}

// isPlainHostName tells whether s is a host name of at least two labels
// of letters, digits and inner hyphens (RFC 1123 §2.1), the last one with
// a letter: never an IP, an address literal or an IDN.
func isPlainHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	labels, letter := 0, false
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		letter = false
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
				letter = true
			case isDecimal(c) || c == '-':
			default:
				return false
			}
		}
		labels++
	}
	return labels >= 2 && letter && !containsFold(s, "xn--")
}

// parsePathFull reads any path with internal/mailaddr, and what it cannot
// read leniently.
func parsePathFull(v string) (addr string, ok bool) {
	v = strings.TrimSpace(stripComments(v))
	if v == "" {
		return "", false
	}
	if strings.ReplaceAll(v, " ", "") == "<>" {
		return "", true
	}
	if p, err := mailaddr.ParsePath(v); err == nil {
		if p.Null {
			return "", true
		}
		return p.Address.Addr(), true
	}
	if a, err := mailaddr.Parse(v); err == nil {
		return a.Addr(), true
	}
	v = strings.Trim(v, "<>")
	if strings.Contains(v, "@") && !strings.ContainsAny(v, " \t<>") {
		return v, true
	}
	return "", false
}

// domainOf returns the lower-case domain of an address, without a
// trailing dot; "" for an address literal or no domain.
func domainOf(addr string) string {
	d := mailaddr.Domain(addr)
	if strings.HasPrefix(d, "[") {
		return ""
	}
	return d
}

// sameAddr compares two addresses; the local part is compared without
// case too, as nearly every server does.
func sameAddr(a, b string) bool {
	return a != "" && strings.EqualFold(a, b)
}

// containsAddr tells whether addr is among the mailboxes.
func containsAddr(list []Mailbox, addr string) bool {
	for _, m := range list {
		if sameAddr(m.Addr, addr) {
			return true
		}
	}
	return false
}
