package inspect

import "strings"

// Field is one header field of the message, in the order written.
type Field struct {
	Name string `json:"name"` // as written: "Received", "Message-ID"
	// Value is the field body unfolded (RFC 5322 §2.2.3: line breaks
	// removed), without the space after the colon.
	Value  string `json:"value"`
	Family Family `json:"family"`
}

// header is what readHeader finds at the top of a message.
type header struct {
	fields   []Field
	mboxFrom string   // the sender of an mbox "From " line, when the message starts with one
	bad      []string // lines that are neither a field nor a continuation
	size     int      // bytes of the header, blank line included
}

// readHeader reads the header of a raw message leniently: LF or CRLF line
// ends, an mbox "From " line on top, obsolete spaces before the colon
// (RFC 5322 §4.5). Lines that cannot be read are kept in bad. Field values
// are slices of raw, except the folded ones.
func readHeader(raw string) header {
	h := header{size: headerEnd(raw)}
	text := raw[:h.size]
	var spanBuf [64]fieldSpan // the fields of most headers: no allocation
	spans := spanBuf[:0]
	if n := fieldLines(text); n > len(spanBuf) {
		spans = make([]fieldSpan, 0, n)
	}
	for i := 0; i < len(text); {
		start, end, next := lineAt(text, i)
		i = next
		line := text[start:end]
		switch {
		case line == "":
			i = len(text)
		case start == 0 && isMboxFrom(line):
			h.mboxFrom = mboxSender(line)
		case line[0] == ' ' || line[0] == '\t':
			if n := len(spans); n > 0 {
				spans[n-1].end = end
			} else {
				h.bad = append(h.bad, line)
			}
		default:
			if sp, ok := newSpan(text, start, end); ok {
				spans = append(spans, sp)
			} else {
				h.bad = append(h.bad, line)
			}
		}
	}
	h.fields = make([]Field, len(spans))
	var buf strings.Builder // the folded values, unfolded: one allocation for all
	buf.Grow(foldedSize(text, spans))
	for k, sp := range spans {
		h.fields[k] = sp.field(text, &buf)
		if k > 0 && sp.name == spans[k-1].name {
			h.fields[k].Family = h.fields[k-1].Family // Received after Received: no look-up
		} else {
			h.fields[k].Family = FamilyOf(sp.name)
		}
	}
	return h
}

// foldedSize returns the bytes of the values that have line breaks.
func foldedSize(text string, spans []fieldSpan) int {
	n := 0
	for _, sp := range spans {
		if v := text[sp.start:sp.end]; hasLineBreak(v) {
			n += len(v)
		}
	}
	return n
}

// fieldLines counts the lines that do not start with white space: the
// fields, and more.
func fieldLines(text string) int {
	n := 0
	for i := 0; i < len(text); {
		if c := text[i]; c != ' ' && c != '\t' {
			n++
		}
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return n
}

// fieldSpan locates one field in the header text.
type fieldSpan struct {
	name       string
	start, end int // the value, continuation lines included
}

// newSpan reads "Name: value" at text[start:end].
func newSpan(text string, start, end int) (fieldSpan, bool) {
	line := text[start:end]
	colon := strings.IndexByte(line, ':')
	if colon < 0 {
		return fieldSpan{}, false
	}
	name := strings.TrimRight(line[:colon], " \t")
	if !validFieldName(name) {
		return fieldSpan{}, false
	}
	return fieldSpan{name: name, start: start + colon + 1, end: end}, true
}

// field unfolds the value (RFC 5322 §2.2.3: only the line breaks go),
// into buf when it has line breaks; buf was grown for all of them, so that
// what it holds never moves.
func (sp fieldSpan) field(text string, buf *strings.Builder) Field {
	v := strings.TrimLeft(text[sp.start:sp.end], " \t")
	if hasLineBreak(v) {
		start := buf.Len()
		writeWithoutLineBreaks(buf, v)
		v = buf.String()[start:]
	}
	return Field{Name: sp.name, Value: v} // its Family is the caller's
}

// headerEnd returns the length of the header, its blank line included.
func headerEnd(raw string) int {
	for i := 0; i < len(raw); {
		j := strings.IndexByte(raw[i:], '\n')
		if j < 0 {
			return len(raw)
		}
		line := raw[i : i+j]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return i + j + 1
		}
		i += j + 1
	}
	return len(raw)
}

// lineAt returns the line that starts at i, without its CR LF, and the
// index of the next line.
func lineAt(text string, i int) (start, end, next int) {
	j := strings.IndexByte(text[i:], '\n')
	if j < 0 {
		end, next = len(text), len(text)
	} else {
		end, next = i+j, i+j+1
	}
	if end > i && text[end-1] == '\r' {
		end--
	}
	return i, end, next
}

// validFieldName checks RFC 5322 §3.6.8: printable ASCII except colon.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 33 || name[i] > 126 {
			return false
		}
	}
	return true
}

// isMboxFrom tells an mbox "From sender date" line from a From field
// written with the obsolete space before the colon, "From : addr" (RFC 5322
// §4.5), the rule internal/message follows too.
func isMboxFrom(line string) bool {
	rest, ok := strings.CutPrefix(line, "From ")
	rest = strings.TrimLeft(rest, " \t")
	return ok && rest != "" && rest[0] != ':'
}

// mboxSender returns the envelope sender of an mbox "From sender date" line.
func mboxSender(line string) string {
	f := strings.Fields(line)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// all returns the values of every field named name, in header order.
func (h *header) all(name string) []string {
	n := 0
	for _, f := range h.fields {
		if len(f.Name) == len(name) && strings.EqualFold(f.Name, name) { // names are ASCII
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for _, f := range h.fields {
		if len(f.Name) == len(name) && strings.EqualFold(f.Name, name) { // names are ASCII
			out = append(out, f.Value)
		}
	}
	return out
}

// next returns the index of the first field named name at or after
// from, or -1: "for i := h.next(name, 0); i >= 0; i = h.next(name, i+1)"
// walks the fields named name, as all lists them, without a slice.
func (h *header) next(name string, from int) int {
	for i := from; i < len(h.fields); i++ {
		if f := h.fields[i].Name; len(f) == len(name) && strings.EqualFold(f, name) { // names are ASCII
			return i
		}
	}
	return -1
}

// get returns the value of the first field named name.
func (h *header) get(name string) string {
	for _, f := range h.fields {
		if len(f.Name) == len(name) && strings.EqualFold(f.Name, name) { // names are ASCII
			return f.Value
		}
	}
	return ""
}

// has tells whether a field named name exists.
func (h *header) has(name string) bool {
	for _, f := range h.fields {
		if len(f.Name) == len(name) && strings.EqualFold(f.Name, name) { // names are ASCII
			return true
		}
	}
	return false
}

// hasPrefix tells whether a field whose name starts with prefix exists.
func (h *header) hasPrefix(prefix string) bool {
	for _, f := range h.fields {
		if hasPrefixFold(f.Name, prefix) {
			return true
		}
	}
	return false
}

// hasLineBreak tells whether s has a CR or an LF.
func hasLineBreak(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}

// writeWithoutLineBreaks writes s to b without its CRs and LFs.
func writeWithoutLineBreaks(b *strings.Builder, s string) {
	for {
		i := indexEither(s, '\r', '\n')
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		s = s[i+1:]
	}
}
