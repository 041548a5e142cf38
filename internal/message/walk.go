package message

import (
	"bytes"
	"strings"
)

// entity is what the walk knows of one MIME entity (RFC 2045 section 2.4).
type entity struct {
	path        string
	mediaType   string // lower case, "text/plain"
	params      params
	disposition string // lower case: "inline", "attachment" or ""
	filename    string // from Content-Disposition, else Content-Type name
	cte         string // lower case Content-Transfer-Encoding
	contentID   string // without <>
	depth       int
}

// context is what a part needs to know of its ancestors.
type context struct {
	related  bool // inside multipart/related: images are inline
	digest   bool // inside multipart/digest: default type message/rfc822
	needText bool // false when a text/plain alternative was already found
}

// textResult is the body text found in an entity.
type textResult struct {
	text []byte
	html bool   // from HTML
	ok   bool   // a text part was found (maybe empty)
	src  []byte // the HTML source (Options.KeepHTML)
}

// plain reports whether r is text not from HTML, blanks aside (an empty
// text/plain alternative does not hide the HTML one).
func (r textResult) plain() bool {
	return r.ok && !r.html && len(bytes.TrimSpace(r.text)) > 0
}

// newEntity reads the MIME fields of a header (RFC 2045, RFC 2183).
func (p *parser) newEntity(h Header, path string, depth int, c context) *entity {
	e := &entity{path: path, depth: depth}
	for i := range h {
		f := &h[i]
		switch {
		case strings.EqualFold(f.Key, "Content-Type") && e.mediaType == "":
			e.mediaType, e.params = p.parseMediaType(f.Value, path, "Content-Type")
		case strings.EqualFold(f.Key, "Content-Disposition") && e.disposition == "":
			var dp params
			e.disposition, dp = p.parseMediaType(f.Value, path, "Content-Disposition")
			e.filename = dp.filename
		case strings.EqualFold(f.Key, "Content-Transfer-Encoding") && e.cte == "":
			e.cte = strings.ToLower(strings.Trim(f.Value, " \t\"'"))
		case strings.EqualFold(f.Key, "Content-Id") && e.contentID == "":
			e.contentID = cleanContentID(f.Value)
		}
	}
	if e.filename == "" {
		e.filename = e.params.name
	}
	e.filename = cleanFilename(e.filename)
	e.mediaType = p.checkType(e.mediaType, path, c)
	return e
}

// checkType applies the defaults of RFC 2045 section 5.2 and RFC 2046
// section 5.1.5, and repairs types without subtype.
func (p *parser) checkType(t, path string, c context) string {
	switch {
	case t == "" && c.digest:
		return "message/rfc822"
	case t == "":
		return "text/plain"
	case t == "text":
		return "text/plain"
	case strings.Count(t, "/") != 1 || strings.HasPrefix(t, "/") || strings.HasSuffix(t, "/"):
		p.problem(path, "Content-Type", withDetail(ErrBadMediaType, "\""+t+"\""))
		return "application/octet-stream"
	}
	return t
}

// parse reads the whole message.
func (p *parser) parse() (*Message, error) {
	h := p.readHeader("", true)
	if p.n == 0 {
		if len(p.problems) > 0 {
			return nil, p.problems[0]
		}
		return nil, ErrEmpty
	}
	m := &Message{Header: h}
	p.msg = m
	e := p.newEntity(h, "", 0, context{needText: true})
	if charsetClass(e.params.charset) == csOther {
		p.cs8 = e.params.charset
	}
	p.decodeHeader(h)
	p.envelope(m)
	res := p.walk(e, context{needText: true})
	p.finish(m, res)
	return m, nil
}

// walk reads the body of entity e.
func (p *parser) walk(e *entity, c context) textResult {
	if strings.HasPrefix(e.mediaType, "multipart/") {
		switch {
		case e.params.boundary == "":
			p.problem(e.path, "Content-Type", ErrNoBoundary) // read as text
		case e.depth >= maxDepth:
			p.problem(e.path, "", ErrTooComplex) // kept as an attachment
		default:
			return p.multipart(e, c)
		}
	}
	return p.leaf(e, c)
}

// multipart reads the parts of a multipart entity (RFC 2046 section 5.1):
// preamble, parts, epilogue. A missing close delimiter (the end of the
// input, or a boundary of an enclosing multipart) is a problem; the parts
// read are kept.
func (p *parser) multipart(e *entity, c context) textResult {
	level := len(p.bounds)
	p.bounds = append(p.bounds, append([]byte("--"), e.params.boundary...))
	sub := strings.TrimPrefix(e.mediaType, "multipart/")
	cc := context{related: sub == "related", digest: sub == "digest", needText: c.needText}
	var results []textResult
	p.skipBody(nil) // preamble
	for n := 1; ; n++ {
		if p.hit != level {
			p.problem(e.path, "", ErrTruncated)
			break
		}
		if p.hitClose {
			p.hit = -1
			p.bounds = p.bounds[:level]
			p.skipBody(nil) // epilogue
			return combine(sub, results)
		}
		p.hit = -1
		if p.parts++; p.parts > maxParts {
			if p.parts == maxParts+1 {
				p.problem(e.path, "", ErrTooComplex)
			}
			p.skipBody(nil)
			continue
		}
		path := childPath(e.path, n)
		h := p.readHeader(path, false)
		r := p.walk(p.newEntity(h, path, e.depth+1, cc), cc)
		results = append(results, r)
		if sub == "alternative" && r.plain() {
			cc.needText = false
		}
		if p.hit == -1 && (!p.eof || p.hasBack) {
			p.skipBody(nil) // a part that stopped early
		}
	}
	p.bounds = p.bounds[:level]
	return combine(sub, results)
}

// combine gathers the text of the parts of a multipart: the best
// alternative (non-empty text/plain first, else the last HTML one), or all
// of them. The HTML source kept is that of the last HTML alternative, or
// the first one of the other multiparts.
func combine(sub string, results []textResult) textResult {
	if sub == "alternative" {
		best := textResult{}
		var src []byte
		for _, r := range results {
			if r.src != nil {
				src = r.src
			}
		}
		for _, r := range results {
			if r.plain() {
				best = r
				break
			}
			if r.ok && (r.html || !best.ok) {
				best = r
			}
		}
		best.src = src
		return best
	}
	var out textResult
	for _, r := range results {
		if out.src == nil {
			out.src = r.src
		}
		if !r.ok {
			continue
		}
		if out.ok && len(out.text) > 0 && len(r.text) > 0 {
			if !bytes.HasSuffix(out.text, []byte("\n")) {
				out.text = append(out.text, '\n')
			}
			out.text = append(out.text, '\n')
		}
		out.text = append(out.text, r.text...)
		out.html = out.html || r.html
		out.ok = true
	}
	return out
}

// leaf reads a part that is not a multipart: body text, or an attachment.
func (p *parser) leaf(e *entity, c context) textResult {
	switch p.classify(e) {
	case kindText:
		return p.readText(e, c)
	case kindHTML:
		return p.readHTML(e, c)
	case kindMessage:
		p.readAttachedMessage(e)
	default:
		inline := e.disposition == "inline" || e.disposition == "" && c.related && e.contentID != ""
		p.addAttachment(e, inline, p.decodedSize(e.cte))
	}
	return textResult{}
}

const (
	kindAttachment = iota
	kindText
	kindHTML
	kindMessage
)

// classify tells body text from attachments: text/plain and text/html
// parts without filename that are not marked as attachments are text, and
// so is a multipart without boundary; a multipart nested too deep is an
// attachment.
func (p *parser) classify(e *entity) int {
	switch {
	case e.mediaType == "message/rfc822" || e.mediaType == "message/global":
		return kindMessage
	case e.disposition == "attachment" || e.filename != "":
		return kindAttachment
	case e.mediaType == "text/plain":
		return kindText
	case strings.HasPrefix(e.mediaType, "multipart/"): // unreadable multipart
		if e.params.boundary == "" {
			return kindText
		}
		return kindAttachment
	case e.mediaType == "text/html":
		return kindHTML
	}
	return kindAttachment
}

// addAttachment records an attachment.
func (p *parser) addAttachment(e *entity, inline bool, size int64) {
	p.msg.Attachments = append(p.msg.Attachments, Part{
		Path: e.path, ContentType: e.mediaType, Filename: e.filename, Size: size, Inline: inline,
		ContentID: e.contentID,
	})
}

// readAttachedMessage records a message/rfc822 part as an attachment. Its
// filename, if none is given, is the subject of the attached message
// followed by ".eml".
func (p *parser) readAttachedMessage(e *entity) {
	if e.filename != "" || !isIdentity(e.cte) {
		if e.filename == "" {
			e.filename = "message.eml"
		}
		p.addAttachment(e, e.disposition == "inline", p.decodedSize(e.cte))
		return
	}
	start := p.n
	if p.hasBack {
		start -= int64(len(p.back.b))
	}
	h := p.readHeader(e.path, false)
	headerSize := p.n - start
	if p.hasBack {
		headerSize -= int64(len(p.back.b))
	}
	name := "message"
	if s := cleanFilename(oneLine(p.decodeText(h.Get("Subject"), e.path, "Subject"))); s != "" {
		name = s
	}
	e.filename = name + ".eml"
	p.addAttachment(e, e.disposition == "inline", headerSize+p.decodedSize(e.cte))
}

// isIdentity reports whether a transfer encoding leaves bytes as they are.
func isIdentity(cte string) bool {
	switch cte {
	case "", "7bit", "8bit", "binary":
		return true
	}
	return false
}
