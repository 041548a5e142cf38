package message

import (
	"bytes"
	"strings"
)

// Get returns the raw value of the first field named key (any case), or "".
func (h Header) Get(key string) string {
	for i := range h {
		if strings.EqualFold(h[i].Key, key) {
			return h[i].Value
		}
	}
	return ""
}

// Text returns the decoded value of the first field named key, or "".
func (h Header) Text(key string) string {
	for i := range h {
		if strings.EqualFold(h[i].Key, key) {
			return h[i].Decoded
		}
	}
	return ""
}

// Values returns the raw values of every field named key, in order.
func (h Header) Values(key string) []string {
	var v []string
	for i := range h {
		if strings.EqualFold(h[i].Key, key) {
			v = append(v, h[i].Value)
		}
	}
	return v
}

// Has reports whether a field named key is present.
func (h Header) Has(key string) bool {
	for i := range h {
		if strings.EqualFold(h[i].Key, key) {
			return true
		}
	}
	return false
}

// span locates a field in the header scratch buffer.
type span struct{ k0, k1, v0, v1 int }

// readHeader reads header fields up to the blank line (consumed), a
// boundary line or a line that cannot be a header field (both left for the
// body), or the end. RFC 5322 section 2.2: "name: value", continued on lines
// starting with a blank; section 4.5 allows blanks before the colon. Lines
// without a colon end the header (a missing blank line); a line with a
// colon but a bad name is skipped. At the top of a message, a leading mbox
// "From " line is skipped.
func (p *parser) readHeader(path string, top bool) Header {
	p.hbuf, p.spans = p.hbuf[:0], p.spans[:0]
	first, tooLarge := true, false
	for {
		c, ok := p.readLine()
		if !ok {
			break
		}
		if p.hasBoundary(c) {
			p.unread(c)
			break
		}
		line, ok := p.fullLine(c)
		if !ok {
			continue // a long line is being gathered
		}
		content, _ := splitEOL(line)
		if len(content) == 0 {
			break // the blank line
		}
		if len(p.hbuf) > maxHeaderBytes {
			if !tooLarge {
				p.problem(path, "", ErrHeaderTooLarge)
				tooLarge = true
			}
			continue
		}
		if !p.headerLine(path, content, top && first) {
			if c.more || len(line) != len(c.b) {
				p.problem(path, "", withDetail(ErrMalformedHeader, "(long line without colon)"))
				continue // a gathered line cannot be pushed back
			}
			p.problem(path, "", withDetail(ErrMalformedHeader, "(no blank line before the body)"))
			p.unread(c)
			break
		}
		first = false
	}
	return p.header()
}

// hasBoundary reports whether c is a boundary line of an open multipart.
func (p *parser) hasBoundary(c chunk) bool {
	level, _ := p.boundary(c)
	return level >= 0
}

// fullLine gathers the chunks of a long line; ok is false until the last
// chunk. Lines are cut at maxLineBytes.
func (p *parser) fullLine(c chunk) (line []byte, ok bool) {
	if c.start && !c.more {
		return c.b, true
	}
	if c.start {
		p.lbuf = p.lbuf[:0]
	}
	if room := maxLineBytes - len(p.lbuf); room > 0 {
		p.lbuf = append(p.lbuf, c.b[:min(room, len(c.b))]...)
	}
	if c.more {
		return nil, false
	}
	return p.lbuf, true
}

// headerLine adds one line (without its line end) to the header being
// read: a continuation, or a new field. It returns false for a line that is
// not a header field and has no colon.
func (p *parser) headerLine(path string, line []byte, first bool) bool {
	if line[0] == ' ' || line[0] == '\t' {
		if len(p.spans) == 0 {
			p.problem(path, "", withDetail(ErrMalformedHeader, "(continuation line first)"))
			return true
		}
		p.hbuf = append(p.hbuf, line...)
		p.spans[len(p.spans)-1].v1 = len(p.hbuf)
		return true
	}
	colon := bytes.IndexByte(line, ':')
	if first && isFromLine(line) {
		return true // an mbox From_ line
	}
	if colon < 0 {
		return false
	}
	key := bytes.TrimRight(line[:colon], " \t")
	if !validKey(key) {
		p.problem(path, "", withDetail(ErrMalformedHeader, "(bad field name)"))
		return true
	}
	s := span{k0: len(p.hbuf)}
	p.hbuf = append(p.hbuf, key...)
	s.k1 = len(p.hbuf)
	s.v0 = len(p.hbuf)
	p.hbuf = append(p.hbuf, line[colon+1:]...)
	s.v1 = len(p.hbuf)
	p.spans = append(p.spans, s)
	return true
}

// isFromLine reports whether line is an mbox From_ line ("From sender
// date"), not a From field written "From : addr" (RFC 5322 section 4.5).
func isFromLine(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("From "))
	return ok && len(bytes.TrimLeft(rest, " \t")) > 0 && bytes.TrimLeft(rest, " \t")[0] != ':'
}

// validKey reports whether key is a field name: printable ASCII but ':'.
func validKey(key []byte) bool {
	if len(key) == 0 {
		return false
	}
	for _, c := range key {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// header makes the Header of the fields read, all strings sharing one
// allocation. Decoded is set to Value; decodeHeader fills it in.
func (p *parser) header() Header {
	if len(p.spans) == 0 {
		return nil
	}
	hs := string(p.hbuf)
	h := make(Header, len(p.spans))
	for i, s := range p.spans {
		v := strings.TrimSpace(hs[s.v0:s.v1])
		h[i] = Field{Key: hs[s.k0:s.k1], Value: v, Decoded: v}
	}
	return h
}

// decodeHeader sets the Decoded text of every field.
func (p *parser) decodeHeader(h Header) {
	for i := range h {
		h[i].Decoded = p.decodeText(h[i].Value, "", h[i].Key)
	}
}
