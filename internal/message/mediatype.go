package message

import (
	"sort"
	"strconv"
	"strings"
)

// params are the parameters of Content-Type and Content-Disposition that
// Parse uses.
type params struct {
	charset, boundary, name, filename, format, delsp string
}

// piece is one RFC 2231 section of a parameter value: "name*1*=...".
type piece struct {
	attr string // base name, "filename"
	idx  int    // section number, -1 without one
	enc  bool   // charset'language'%XX encoded
	val  string
}

const maxPieces = 64

// parseMediaType reads "type/subtype; attr=value; ..." leniently (RFC 2045
// section 5.1, RFC 2183): quoted or bare values, bare values with blanks,
// missing or doubled semicolons, RFC 2231 continuations and charsets, and
// RFC 2047 words in name and filename (a common violation). typ is lower
// case, "" if absent.
func (p *parser) parseMediaType(v, path, field string) (typ string, ps params) {
	typ, rest, _ := strings.Cut(v, ";")
	typ = strings.ToLower(strings.TrimSpace(typ))
	if i := strings.IndexAny(typ, " \t("); i >= 0 {
		typ = typ[:i] // "text/plain (comment)"
	}
	var pieces []piece
	for rest != "" && len(pieces) < maxPieces {
		var attr, val string
		var ok bool
		attr, val, rest, ok = nextParam(rest)
		if ok {
			pieces = addPiece(pieces, attr, val)
		}
	}
	ps.charset = strings.ToLower(strings.Trim(p.paramValue(pieces, "charset", path, field), " \t\"'"))
	ps.boundary = rawParam(pieces, "boundary")
	ps.name = p.paramValue(pieces, "name", path, field)
	ps.filename = p.paramValue(pieces, "filename", path, field)
	ps.format = strings.ToLower(rawParam(pieces, "format"))
	ps.delsp = strings.ToLower(rawParam(pieces, "delsp"))
	return typ, ps
}

// nextParam reads one "attr=value" from s; ok is false for an entry
// without '='.
func nextParam(s string) (attr, val, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t;")
	end := strings.IndexAny(s, "=;")
	if end < 0 || s[end] == ';' {
		if end < 0 {
			return "", "", "", false
		}
		return "", "", s[end:], false
	}
	attr = strings.ToLower(strings.TrimSpace(s[:end]))
	s = strings.TrimLeft(s[end+1:], " \t")
	if strings.HasPrefix(s, "\"") {
		val, rest = quoted(s[1:])
		return attr, val, rest, attr != ""
	}
	val, rest, _ = strings.Cut(s, ";")
	return attr, strings.TrimSpace(val), rest, attr != ""
}

// quoted reads a quoted string whose opening quote was read, up to the
// closing quote (or the end), backslash escapes removed.
func quoted(s string) (val, rest string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			if b.Len() == 0 {
				return s[:i], s[i+1:]
			}
			return b.String(), s[i+1:]
		case '\\':
			if b.Len() == 0 {
				b.WriteString(s[:i])
			}
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			if b.Len() > 0 {
				b.WriteByte(c)
			}
		}
	}
	if b.Len() == 0 {
		return s, ""
	}
	return b.String(), ""
}

// addPiece records attr=val if attr is one Parse uses.
func addPiece(pieces []piece, attr, val string) []piece {
	base, sect, star := strings.Cut(attr, "*")
	switch base {
	case "charset", "boundary", "name", "filename", "format", "delsp":
	default:
		return pieces
	}
	pc := piece{attr: base, idx: -1, val: val}
	if star {
		pc.enc = strings.HasSuffix(sect, "*") || sect == ""
		num := strings.TrimSuffix(sect, "*")
		if num != "" {
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n >= maxPieces {
				return pieces
			}
			pc.idx = n
		}
	}
	return append(pieces, pc)
}

// rawParam returns the first plain value of attr, as written.
func rawParam(pieces []piece, attr string) string {
	for _, pc := range pieces {
		if pc.attr == attr && pc.idx < 0 && !pc.enc {
			return pc.val
		}
	}
	for _, pc := range pieces {
		if pc.attr == attr {
			return pc.val
		}
	}
	return ""
}

// paramValue returns the decoded value of attr: RFC 2231 sections and
// encoding if any, else the plain value with RFC 2047 words decoded.
func (p *parser) paramValue(pieces []piece, attr, path, field string) string {
	var sects []piece
	for _, pc := range pieces {
		if pc.attr == attr && (pc.enc || pc.idx >= 0) {
			sects = append(sects, pc)
		}
	}
	if len(sects) == 0 {
		return p.decodeText(rawParam(pieces, attr), path, field)
	}
	sort.SliceStable(sects, func(i, j int) bool { return sects[i].idx < sects[j].idx })
	var raw []byte
	cs := ""
	for i, pc := range sects {
		if i > 0 && pc.idx == sects[i-1].idx {
			continue // a repeated section
		}
		val := pc.val
		if pc.enc {
			if i == 0 {
				cs, val = splitCharset(val)
			}
			raw = appendPercentDecoded(raw, val)
		} else {
			raw = append(raw, val...)
		}
	}
	return string(p.appendText(nil, raw, cs, path, field))
}

// splitCharset splits "charset'language'value" (RFC 2231 section 4).
func splitCharset(s string) (cs, val string) {
	i := strings.IndexByte(s, '\'')
	if i < 0 {
		return "", s
	}
	j := strings.IndexByte(s[i+1:], '\'')
	if j < 0 {
		return "", s
	}
	return strings.ToLower(strings.TrimSpace(s[:i])), s[i+1+j+1:]
}

// appendPercentDecoded appends s with %XX escapes decoded; a bad escape is
// kept as is.
func appendPercentDecoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		dst = append(dst, s[i])
	}
	return dst
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// cleanFilename keeps the last element of a path ("C:\dir\a.pdf", "../a")
// and drops control characters, so that the name is safe to offer when
// saving.
func cleanFilename(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if s == "." || s == ".." {
		return ""
	}
	return s
}

// cleanContentID reads a Content-ID field (RFC 2045 section 7, a msg-id of
// RFC 5322): the id without its angle brackets and blanks; bytes that
// cannot be in one (controls, invalid UTF-8) are dropped.
func cleanContentID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	v = strings.ToValidUTF8(v, "")
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v)
}
