package mailaddr

import (
	"mime"
	"strings"

	"github.com/emersion/go-message/charset"
)

// group reads display-name ":" [group-list] ";" (RFC 5322 §3.4), with the
// empty members of obs-group-list; a missing ";" at the end of the input is
// forgiven.
func (p *parser) group(start int, words []token) ([]Address, error) {
	name, _ := phrase(words)
	p.next() // ':'
	var out []Address
	for {
		j := p.afterComments(p.i)
		t := p.peekAt(j)
		if t.kind == tokEOF || t.is(';') || t.is(',') {
			p.i = j
			if p.next(); !t.is(',') {
				break
			}
			continue
		}
		list, err := p.address(false)
		if err == nil {
			err = p.expectSeparator(",;")
		}
		if err != nil && p.strict {
			return nil, err
		}
		if err != nil {
			p.note(err)
			p.skipTo(",;")
			continue
		}
		out = append(out, list...)
	}
	for p.peek().kind == tokComment {
		p.next()
	}
	return p.members(out, name, start), nil
}

// members marks the addresses of a group, or stands for an empty group.
func (p *parser) members(out []Address, name string, start int) []Address {
	for i := range out {
		out[i].Group = name
		out[i].Forms.add(FormGroup)
	}
	if len(out) > 0 {
		return out
	}
	a := Address{Group: name, Raw: p.raw(start)}
	a.Forms.add(FormEmptyGroup)
	return []Address{a}
}

// wordDecoder decodes RFC 2047 encoded-words in any charset go-message knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeWord decodes s when it is one RFC 2047 encoded-word; otherwise, or
// when its charset is unknown, it returns s unchanged and false.
func decodeWord(s string) (string, bool) {
	if !strings.HasPrefix(s, "=?") || !strings.HasSuffix(s, "?=") {
		return s, false
	}
	d, err := wordDecoder.Decode(s)
	if err != nil {
		return s, false
	}
	return d, true
}

// phrase returns the text of a display name: its words joined by single
// spaces, comments left out, quoted strings unquoted, encoded-words decoded
// and joined without the space between them (RFC 2047 §6.2). It reports
// whether there was an encoded-word. This is what net/mail returns too.
func phrase(words []token) (string, bool) {
	var b strings.Builder
	encoded, prev := false, false
	for _, w := range words {
		if w.kind != tokAtom && w.kind != tokQuoted {
			continue
		}
		d, ok := w.val, false
		if w.kind == tokAtom {
			d, ok = decodeWord(w.val)
		}
		writeWord(&b, d, ok && prev)
		prev, encoded = ok, encoded || ok
	}
	return clean(b.String()), encoded
}

// writeWord appends a word, after a space unless it is the first or glued
// to the previous one.
func writeWord(b *strings.Builder, w string, glued bool) {
	if b.Len() > 0 && !glued {
		b.WriteByte(' ')
	}
	b.WriteString(w)
}

// commentText returns the text of a comment for display: its words joined by
// single spaces, encoded-words decoded (RFC 2047 §5 (2)).
func commentText(s string) string {
	var b strings.Builder
	prev := false
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' }) {
		d, ok := decodeWord(w)
		writeWord(&b, d, ok && prev)
		prev = ok
	}
	return clean(b.String())
}

// clean makes decoded text safe to show: invalid UTF-8 and control
// characters other than tab become U+FFFD.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// isControl reports whether r is a C0 control other than tab, or DEL.
func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }
