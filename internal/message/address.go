package message

import (
	"strings"
	"unicode/utf8"

	gmmail "github.com/emersion/go-message/mail"
)

// maxAddresses bounds the addresses read from one field.
const maxAddresses = 1000

// addresses reads the address list of a field (RFC 5322 section 3.4):
// with go-message/mail first, then, if it refuses the value, leniently.
func (p *parser) addresses(f *Field) []Address {
	v := f.Value
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if utf8.ValidString(v) {
		if list, err := gmmail.ParseAddressList(v); err == nil {
			out := make([]Address, 0, len(list))
			for _, a := range list {
				out = append(out, Address{Name: cleanName(p.decodeText(a.Name, "", f.Key)), Addr: a.Address})
			}
			return out
		}
	}
	out := p.lenientAddresses(v, f.Key)
	if len(out) == 0 {
		p.problem("", f.Key, ErrBadAddress)
	}
	return out
}

// cleanName makes a decoded display name one line of valid UTF-8 without
// surrounding blanks.
func cleanName(s string) string {
	return strings.TrimSpace(oneLine(strings.ToValidUTF8(s, "\uFFFD")))
}

// lenientAddresses reads what it can of an address list: legacy comments
// as names, blanks around '@', source routes, groups, missing brackets or
// quotes, raw 8-bit names.
func (p *parser) lenientAddresses(v, field string) []Address {
	var out []Address
	for _, item := range splitAddressList(v) {
		if len(out) >= maxAddresses {
			break
		}
		item = dropGroupName(item)
		if a := p.lenientAddress(item, field); a.Addr != "" || a.Name != "" {
			out = append(out, a)
		}
	}
	return out
}

// scanState tracks quotes, comments and brackets while scanning an
// address list.
type scanState struct {
	quoted  bool
	comment int
	angle   bool
	escape  bool
}

// step updates the state with c and reports whether c is at top level
// (outside quotes, comments and brackets) and not itself a delimiter of
// them.
func (s *scanState) step(c byte) bool {
	switch {
	case s.escape:
		s.escape = false
	case c == '\\' && (s.quoted || s.comment > 0):
		s.escape = true
	case s.quoted:
		s.quoted = c != '"'
	case c == '(':
		s.comment++
	case s.comment > 0:
		if c == ')' {
			s.comment--
		}
	case c == '"':
		s.quoted = true
	case c == '<':
		s.angle = true
	case s.angle:
		s.angle = c != '>'
	default:
		return true
	}
	return false
}

// splitAddressList splits at top-level commas and semicolons.
func splitAddressList(v string) []string {
	var items []string
	var st scanState
	start := 0
	for i := 0; i < len(v); i++ {
		if st.step(v[i]) && (v[i] == ',' || v[i] == ';') {
			items = append(items, v[start:i])
			start = i + 1
		}
	}
	return append(items, v[start:])
}

// dropGroupName removes "group name:" before the first member of a group
// (RFC 5322 section 3.4), but not a source route inside brackets.
func dropGroupName(item string) string {
	var st scanState
	for i := 0; i < len(item); i++ {
		top := st.step(item[i])
		if top && item[i] == '@' {
			return item
		}
		if top && item[i] == ':' {
			return item[i+1:]
		}
	}
	return item
}

// lenientAddress reads one "Name <addr>", "addr (Name)" or "addr". An
// unterminated quoted string loses its quote.
func (p *parser) lenientAddress(item, field string) Address {
	if (strings.Count(item, "\"")-strings.Count(item, "\\\""))%2 == 1 {
		item = strings.ReplaceAll(item, "\"", "")
	}
	var st scanState
	lt := -1
	for i := 0; i < len(item); i++ {
		c := item[i]
		wasAngle := st.angle
		if !st.step(c) && c == '<' && !wasAngle && lt < 0 && !st.quoted && st.comment == 0 {
			lt = i
		}
	}
	var name, addr, comments string
	if lt >= 0 {
		inner := item[lt+1:]
		if gt := strings.IndexByte(inner, '>'); gt >= 0 {
			inner = inner[:gt]
		}
		addr, _ = stripCFWS(inner)
		name, comments = stripComments(item[:lt])
	} else {
		addr, comments = stripCFWS(item)
	}
	addr = dropSourceRoute(addr)
	name = unquote(strings.TrimSpace(name))
	if name == "" {
		name = strings.TrimSpace(comments)
	}
	if lt < 0 && !strings.Contains(addr, "@") && strings.ContainsAny(strings.TrimSpace(item), " \t") && comments == "" {
		name, addr = strings.TrimSpace(item), "" // a name alone
	}
	return Address{
		Name: cleanName(p.decodeText(name, "", field)),
		Addr: strings.ToValidUTF8(addr, "\uFFFD"),
	}
}

// stripCFWS removes comments and blanks outside quoted strings, and
// returns the text of the comments.
func stripCFWS(s string) (rest, comments string) {
	return splitComments(s, false)
}

// stripComments removes comments from a display name, returning them.
func stripComments(s string) (name, comments string) {
	if !strings.Contains(s, "(") {
		return s, ""
	}
	return splitComments(s, true)
}

// splitComments separates the text of s from its comments (nested,
// with quoted pairs); blanks outside quotes are kept if keepBlanks.
func splitComments(s string, keepBlanks bool) (text, comments string) {
	var b, cb strings.Builder
	depth, quoted, escape := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escape:
			escape = false
			if depth > 0 {
				cb.WriteByte(c)
			} else {
				b.WriteByte(c)
			}
		case c == '\\' && (quoted || depth > 0):
			escape = true
			if quoted {
				b.WriteByte(c)
			}
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				if depth--; depth == 0 {
					continue
				}
			}
			cb.WriteByte(c)
		case quoted:
			b.WriteByte(c)
			quoted = c != '"'
		case c == '"':
			quoted = true
			b.WriteByte(c)
		case c == '(':
			depth = 1
			if cb.Len() > 0 {
				cb.WriteByte(' ')
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if keepBlanks {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), cb.String()
}

// dropSourceRoute removes an obsolete route "@a,@b:" (RFC 5322 section 4.4).
func dropSourceRoute(addr string) string {
	if strings.HasPrefix(addr, "@") {
		if i := strings.LastIndexByte(addr, ':'); i >= 0 {
			return addr[i+1:]
		}
	}
	return addr
}

// unquote removes the quotes and backslashes of a quoted string, and the
// quotes of several quoted words.
func unquote(s string) string {
	if !strings.ContainsAny(s, "\"\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
