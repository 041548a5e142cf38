package message

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxLinks bounds Message.Links.
const maxLinks = 500

// htmlConv reduces HTML to readable text in one pass over the bytes: tags
// dropped, block elements as line breaks, list items as "- ", entities
// decoded, blanks collapsed (but in <pre>), script, style, title and
// similar elements skipped, comments skipped. Links are reported, never
// followed; images and other remote content are ignored.
type htmlConv struct {
	out      []byte
	max      int  // bound of out (0: none)
	wantText bool // out is wanted (and not full)
	link     func(string)
	space    bool // a blank is due before the next text
	nl       int  // line ends due before the next text
	pre      int  // depth of <pre>
}

// htmlToText converts src (UTF-8 HTML) to text, at most max bytes (0: no
// limit) when wantText; link, if not nil, gets every link target.
func htmlToText(src []byte, wantText bool, max int, link func(string)) []byte {
	c := htmlConv{wantText: wantText, max: max, link: link}
	for i := 0; i < len(src); {
		if !c.wantText && c.link == nil {
			break
		}
		lt := bytes.IndexByte(src[i:], '<')
		if lt < 0 {
			c.text(src[i:])
			break
		}
		c.text(src[i : i+lt])
		i = c.tag(src, i+lt)
	}
	return bytes.TrimRight(c.out, " \n")
}

// text adds character data.
func (c *htmlConv) text(b []byte) {
	for i := 0; i < len(b) && c.wantText; i++ {
		ch := b[i]
		switch {
		case c.pre > 0 && (ch == '\n' || ch == '\r'):
			if ch == '\n' {
				c.flush()
				c.out = append(c.out, '\n')
			}
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f':
			if c.pre > 0 {
				c.write(ch)
			} else {
				c.space = true
			}
		case ch == '&':
			i += c.entity(b[i:]) - 1
		case ch >= 0x80:
			r, size := utf8.DecodeRune(b[i:])
			c.writeRune(r)
			i += size - 1
		default:
			c.write(ch)
		}
	}
}

// entity decodes the character reference at the start of b and returns its
// length; a lone '&' is text.
func (c *htmlConv) entity(b []byte) int {
	end := 1
	for end < len(b) && end < 33 && (isAlnum(b[end]) || end == 1 && b[end] == '#') {
		end++
	}
	if end == 1 || end >= len(b) || b[end] != ';' {
		c.write('&')
		return 1
	}
	name := b[1:end]
	switch string(name) {
	case "nbsp":
		c.space = true
	case "amp":
		c.write('&')
	case "lt":
		c.write('<')
	case "gt":
		c.write('>')
	case "quot":
		c.write('"')
	case "apos":
		c.write('\'')
	default:
		if name[0] == '#' {
			c.writeRune(numericRef(name[1:]))
			break
		}
		if r, ok := commonEntities[string(name)]; ok {
			c.writeRune(r)
			break
		}
		s := html.UnescapeString(string(b[:end+1]))
		for _, r := range s {
			c.writeRune(r)
		}
	}
	return end + 1
}

// commonEntities are the named references of French and English mail,
// decoded without allocation.
var commonEntities = map[string]rune{
	"eacute": 'é', "egrave": 'è', "ecirc": 'ê', "euml": 'ë', "agrave": 'à', "acirc": 'â',
	"ccedil": 'ç', "icirc": 'î', "iuml": 'ï', "ocirc": 'ô', "ugrave": 'ù', "ucirc": 'û',
	"uuml": 'ü', "ouml": 'ö', "auml": 'ä', "szlig": 'ß', "oelig": 'œ',
	"Eacute": 'É', "Egrave": 'È', "Ecirc": 'Ê', "Agrave": 'À', "Ccedil": 'Ç',
	"laquo": '«', "raquo": '»', "lsquo": '‘', "rsquo": '’', "ldquo": '“', "rdquo": '”',
	"hellip": '…', "ndash": '–', "mdash": '—', "euro": '€', "copy": '©', "reg": '®',
	"trade": '™', "middot": '·', "bull": '•', "deg": '°', "times": '×', "shy": 0xAD,
	"zwnj": 0x200C, "zwj": 0x200D,
}

// numericRef reads "123" or "x1F" (HTML numeric character reference).
func numericRef(b []byte) rune {
	base := 10
	if len(b) > 0 && (b[0] == 'x' || b[0] == 'X') {
		base, b = 16, b[1:]
	}
	n, err := strconv.ParseUint(string(b), base, 32)
	if err != nil || n == 0 || n > utf8.MaxRune || n >= 0xD800 && n <= 0xDFFF {
		return utf8.RuneError
	}
	return rune(n)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// writeRune writes r, dropping invisible characters that newsletters use
// as padding, and making no-break spaces blanks.
func (c *htmlConv) writeRune(r rune) {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0xFEFF, 0x034F, 0x00AD, 0x2060:
		return
	case 0x00A0, 0x2007, 0x202F:
		if c.pre == 0 {
			c.space = true
			return
		}
	}
	if r < utf8.RuneSelf {
		c.write(byte(r))
		return
	}
	c.flush()
	c.out = utf8.AppendRune(c.out, r)
	c.checkMax()
}

// write writes one ASCII byte, after the line ends or blank due.
func (c *htmlConv) write(ch byte) {
	c.flush()
	c.out = append(c.out, ch)
	c.checkMax()
}

func (c *htmlConv) checkMax() {
	if c.max > 0 && len(c.out) >= c.max {
		c.wantText = false
	}
}

// flush writes the line ends or blank due.
func (c *htmlConv) flush() {
	if c.nl > 0 {
		c.out = bytes.TrimRight(c.out, " ")
		have := 0
		for have < len(c.out) && have < c.nl && c.out[len(c.out)-1-have] == '\n' {
			have++
		}
		if len(c.out) > 0 {
			for ; have < c.nl; have++ {
				c.out = append(c.out, '\n')
			}
		}
		c.nl, c.space = 0, false
		return
	}
	if c.space {
		if n := len(c.out); n > 0 && c.out[n-1] != ' ' && c.out[n-1] != '\n' {
			c.out = append(c.out, ' ')
		}
		c.space = false
	}
}

// newline asks for n line ends before the next text (1: line break, 2:
// paragraph).
func (c *htmlConv) newline(n int) {
	c.nl = max(c.nl, n)
	c.space = false
}

// tag handles the markup at src[i] == '<' and returns the index after it.
func (c *htmlConv) tag(src []byte, i int) int {
	rest := src[i+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("!--")):
		end := bytes.Index(rest[3:], []byte("-->"))
		if end < 0 {
			return len(src)
		}
		return i + 1 + 3 + end + 3
	case len(rest) > 0 && (rest[0] == '!' || rest[0] == '?'):
		return skipPast(src, i+1, '>')
	}
	closing := len(rest) > 0 && rest[0] == '/'
	if closing {
		rest = rest[1:]
	}
	n := 0
	for n < len(rest) && (isAlnum(rest[n]) || rest[n] == ':' || rest[n] == '-') {
		n++
	}
	if n == 0 || !isLetter(rest[0]) {
		c.text(src[i : i+1])
		return i + 1
	}
	var nameBuf [16]byte
	name := nameBuf[:0]
	if n <= len(nameBuf) {
		name = lowerInto(nameBuf[:0], rest[:n])
	}
	attrsStart := i + 1 + n
	if closing {
		attrsStart++
	}
	end := tagEnd(src, attrsStart)
	if !closing && skippedElement(name) {
		return skipElement(src, end, name)
	}
	attrsEnd := end
	if end > attrsStart && src[end-1] == '>' {
		attrsEnd = end - 1
	}
	c.element(name, closing, src[attrsStart:max(attrsStart, attrsEnd)])
	return end
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// lowerInto appends b in lower case to dst.
func lowerInto(dst, b []byte) []byte {
	for _, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst
}

// tagEnd returns the index after the '>' that ends a tag whose attributes
// start at i, quotes respected.
func tagEnd(src []byte, i int) int {
	var quote byte
	for ; i < len(src); i++ {
		switch ch := src[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '>':
			return i + 1
		}
	}
	return len(src)
}

func skipPast(src []byte, i int, ch byte) int {
	j := bytes.IndexByte(src[i:], ch)
	if j < 0 {
		return len(src)
	}
	return i + j + 1
}

// skippedElement reports elements whose content is not text to read.
func skippedElement(name []byte) bool {
	switch string(name) {
	case "script", "style", "title", "template", "xml", "svg", "object", "noscript":
		return true
	}
	return false
}

// skipElement skips the content of element name up to its end tag.
func skipElement(src []byte, i int, name []byte) int {
	for i < len(src) {
		j := bytes.Index(src[i:], []byte("</"))
		if j < 0 {
			return len(src)
		}
		i += j + 2
		if len(src)-i >= len(name) && bytes.EqualFold(src[i:i+len(name)], name) {
			return skipPast(src, i, '>')
		}
	}
	return len(src)
}

// element applies the layout of an element.
func (c *htmlConv) element(name []byte, closing bool, attrs []byte) {
	switch string(name) {
	case "br":
		c.newline(1)
		c.flushBreak()
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote", "hr":
		c.newline(2)
	case "pre":
		c.newline(2)
		if closing {
			c.pre = max(0, c.pre-1)
		} else {
			c.pre++
		}
	case "div", "tr", "section", "article", "header", "footer", "center", "dt", "dd",
		"form", "fieldset", "address", "figure", "figcaption", "main", "nav", "aside",
		"details", "summary", "caption", "tbody", "thead", "tfoot":
		c.newline(1)
	case "li":
		c.newline(1)
		if !closing && c.wantText {
			c.flush()
			c.out = append(c.out, '-', ' ')
		}
	case "td", "th":
		c.space = true
	case "a", "area":
		if !closing && c.link != nil {
			if href, ok := attrValue(attrs, "href"); ok {
				c.link(href)
			}
		}
	}
}

// flushBreak writes a <br> at once (several <br> make several line ends).
func (c *htmlConv) flushBreak() {
	if c.wantText && len(c.out) > 0 {
		c.out = bytes.TrimRight(c.out, " ")
		c.out = append(c.out, '\n')
	}
	c.nl = 0
}

// attrValue returns the value of attribute name (lower case) in attrs,
// entities decoded.
func attrValue(attrs []byte, name string) (string, bool) {
	for i := 0; i < len(attrs); {
		for i < len(attrs) && !isAttrChar(attrs[i]) {
			i++
		}
		start := i
		for i < len(attrs) && isAttrChar(attrs[i]) && attrs[i] != '=' {
			i++
		}
		key := attrs[start:i]
		for i < len(attrs) && (attrs[i] == ' ' || attrs[i] == '\t' || attrs[i] == '\n' || attrs[i] == '\r') {
			i++
		}
		if i >= len(attrs) || attrs[i] != '=' {
			continue
		}
		i++
		for i < len(attrs) && (attrs[i] == ' ' || attrs[i] == '\t' || attrs[i] == '\n' || attrs[i] == '\r') {
			i++
		}
		var val []byte
		if i < len(attrs) && (attrs[i] == '"' || attrs[i] == '\'') {
			q := attrs[i]
			j := bytes.IndexByte(attrs[i+1:], q)
			if j < 0 {
				j = len(attrs) - i - 1
			}
			val = attrs[i+1 : i+1+j]
			i += j + 2
		} else {
			start := i
			for i < len(attrs) && attrs[i] != ' ' && attrs[i] != '\t' && attrs[i] != '\n' && attrs[i] != '>' {
				i++
			}
			val = attrs[start:i]
		}
		if bytes.EqualFold(key, []byte(name)) {
			if bytes.IndexByte(val, '&') < 0 {
				return string(val), true
			}
			return html.UnescapeString(string(val)), true
		}
	}
	return "", false
}

func isAttrChar(c byte) bool {
	return c > ' ' && c != '"' && c != '\'' && c != '>' && c != '/' && c != 0x7f
}

// addLink keeps web and mail links, once each.
func (p *parser) addLink(href string) {
	href = strings.TrimSpace(href)
	lower := strings.ToLower(href[:min(len(href), 8)])
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") &&
		!strings.HasPrefix(lower, "mailto:") && !strings.HasPrefix(lower, "ftp://") {
		return
	}
	if p.links == nil {
		p.links = make(map[string]bool)
	}
	if p.links[href] || len(p.msg.Links) >= maxLinks {
		return
	}
	p.links[href] = true
	p.msg.Links = append(p.msg.Links, strings.ToValidUTF8(href, "\uFFFD"))
}

// metaCharset finds the charset of a <meta> in the first KiB of an HTML
// document without declared charset.
func metaCharset(b []byte) string {
	b = b[:min(len(b), 1024)]
	for i := 0; i+8 < len(b); i++ {
		if b[i]|0x20 != 'c' || !strings.EqualFold(string(b[i:i+7]), "charset") {
			continue
		}
		j := i + 7
		for j < len(b) && (b[j] == ' ' || b[j] == '=' || b[j] == '"' || b[j] == '\'') {
			j++
		}
		k := j
		for k < len(b) && (isAlnum(b[k]) || b[k] == '-' || b[k] == '_' || b[k] == ':' || b[k] == '.') {
			k++
		}
		if k > j {
			return strings.ToLower(string(b[j:k]))
		}
	}
	return ""
}
