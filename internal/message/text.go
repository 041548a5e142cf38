package message

import (
	"bytes"
	"unicode/utf8"

	"facteur/internal/htmldoc"
)

// textLimit is how many decoded bytes of a text part to read.
func (p *parser) textLimit() int {
	if p.opt.MaxText <= 0 {
		return -1
	}
	return min(p.opt.MaxText+utf8.UTFMax, p.budget)
}

// spend takes n bytes from the text budget.
func (p *parser) spend(n int) {
	if p.budget >= 0 {
		p.budget = max(0, p.budget-n)
	}
}

// readText reads a text/plain part: transfer encoding, charset, and format
// flowed (RFC 3676).
func (p *parser) readText(e *entity, c context) textResult {
	if !c.needText {
		p.skipBody(nil)
		return textResult{}
	}
	if p.budget == 0 {
		p.skipBody(nil)
		return textResult{ok: true}
	}
	raw := p.readDecoded(e, p.textLimit())
	p.spend(len(raw))
	text := p.appendText(nil, raw, e.params.charset, e.path, "")
	if e.params.format == "flowed" {
		text = unflow(text, e.params.delsp == "yes")
	}
	return textResult{text: text, ok: true}
}

// readHTML reads a text/html part: its text if needed (package
// facteur/internal/htmldoc: the HTML5 parser, the sanitizer, the text of
// the document), its links unless Options.NoLinks, its source with
// Options.KeepHTML.
func (p *parser) readHTML(e *entity, c context) textResult {
	wantText := c.needText && p.budget != 0
	wantLinks := !p.opt.NoLinks
	if !wantText && !wantLinks && !p.opt.KeepHTML {
		p.skipBody(nil)
		return textResult{ok: c.needText}
	}
	limit := maxHTMLBytes
	if p.opt.MaxText > 0 && wantText && !wantLinks && !p.opt.KeepHTML {
		limit = min(limit, 16*p.opt.MaxText+64<<10)
	}
	raw := p.readDecoded(e, limit)
	cs := e.params.charset
	if cs == "" {
		cs = metaCharset(raw)
	}
	src := p.appendText(nil, raw, cs, e.path, "")
	var keep []byte
	if p.opt.KeepHTML {
		keep = src
	}
	if !wantText && !wantLinks {
		return textResult{ok: c.needText, src: keep}
	}
	opt := htmldoc.Options{}
	if wantText && !wantLinks {
		opt.MaxText = max(p.opt.MaxText, 0)
	}
	doc := htmldoc.Parse(src, opt)
	if wantLinks {
		for _, l := range doc.Links {
			p.addLink(l)
		}
	}
	if !wantText {
		return textResult{ok: c.needText, src: keep}
	}
	text := []byte(doc.Text())
	p.spend(len(text))
	return textResult{text: text, html: true, ok: true, src: keep}
}

// unflow joins the lines of format=flowed text (RFC 3676 section 4): a
// line ending in a space goes on in the next line, unless it is the
// signature separator "-- "; space-stuffing is removed; quote marks are
// kept.
func unflow(b []byte, delsp bool) []byte {
	out := make([]byte, 0, len(b))
	inLine := false
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		b = rest
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := line[depth:]
		if len(content) > 0 && content[0] == ' ' {
			content = content[1:]
		}
		flowed := len(content) > 0 && content[len(content)-1] == ' ' && string(content) != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		if !inLine && depth > 0 {
			out = append(out, bytes.Repeat([]byte(">"), depth)...)
			out = append(out, ' ')
		}
		out = append(out, content...)
		inLine = flowed && len(b) > 0
		if !inLine && len(b) > 0 {
			out = append(out, '\n')
		}
	}
	return out
}

// finish fills the body text and the problems of m.
func (p *parser) finish(m *Message, res textResult) {
	text := bytes.TrimRight(res.text, " \t\n")
	for len(text) > 0 && text[0] == '\n' {
		text = text[1:]
	}
	if max := p.opt.MaxText; max > 0 && len(text) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	m.Text = string(text)
	m.FromHTML = res.html && len(text) > 0
	m.HTML = string(res.src)
	m.Problems = p.problems
}
