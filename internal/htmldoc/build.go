package htmldoc

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Options tune Parse.
type Options struct {
	// MaxText stops the conversion once the text of the document reaches
	// this many bytes (0: no limit): indexing needs no more.
	MaxText int
}

// maxQuoteDepth bounds the nesting of quotes and lists in the document:
// deeper ones go on at the last level.
const maxQuoteDepth = 24

// Parse reads an HTML document (UTF-8) into a Document, through the
// HTML5 parser and the sanitizer.
func Parse(src []byte, opt Options) *Document {
	b := &builder{doc: &Document{}, max: opt.MaxText}
	b.push(false)
	b.children(parseClean(src), ctx{})
	b.doc.Blocks = b.pop()
	b.doc.Truncated = b.full
	return b.doc
}

// ctx is what an element passes on to its content.
type ctx struct {
	style Style
	color Color
	link  string
	align Align
	dir   int8 // 0 not given, 1 left to right, 2 right to left
	depth int  // quotes and lists around
}

// builder converts a sanitized tree into blocks. Running text goes into
// the paragraph of the flow on top of the stack; quotes, list items and
// table cells push a flow of their own.
type builder struct {
	doc   *Document
	flows []*flow
	max   int  // Options.MaxText
	n     int  // bytes of text so far
	full  bool // max reached
	links map[string]bool
}

// flow is a sequence of blocks being filled, with its open paragraph.
type flow struct {
	blocks []Block
	para   []Inline
	brk    int    // line ends due before the next text: 1 a line, 2 a paragraph
	space  bool   // a blank due before the next text
	pre    bool   // blanks and line ends are kept
	tail   []byte // the text of the last run of para, until seal
	align  Align
	dir    int8
}

func (b *builder) top() *flow { return b.flows[len(b.flows)-1] }

func (b *builder) push(pre bool) {
	b.flows = append(b.flows, &flow{pre: pre})
}

// pop ends the flow on top and returns its blocks.
func (b *builder) pop() []Block {
	f := b.top()
	b.endPara()
	b.flows = b.flows[:len(b.flows)-1]
	return f.blocks
}

// add appends a block to the flow on top, ending its paragraph.
func (b *builder) add(blk Block) {
	b.endPara()
	f := b.top()
	f.blocks = append(f.blocks, blk)
}

// endPara ends the open paragraph of the flow on top.
func (b *builder) endPara() {
	f := b.top()
	f.brk, f.space = 0, false
	f.seal()
	para := trimBreaks(f.para)
	f.para = nil
	if len(para) == 0 {
		return
	}
	f.blocks = append(f.blocks, Block{Kind: Paragraph, Inlines: para, Align: f.align, RTL: isRTL(f.dir, para)})
}

// breakLine asks for n line ends (1 a line, 2 a paragraph) before the
// next text.
func (b *builder) breakLine(n int) {
	f := b.top()
	switch {
	case n <= 0:
		return
	case n >= 2:
		b.endPara()
		return
	}
	f.brk = max(f.brk, n)
	f.space = false
}

// children converts the children of n.
func (b *builder) children(n *html.Node, c ctx) {
	for ch := n.FirstChild; ch != nil && !b.full; ch = ch.NextSibling {
		switch ch.Type {
		case html.TextNode:
			b.text(ch.Data, c)
		case html.ElementNode:
			b.element(ch, c)
		}
	}
}

// element converts one element; its attributes are already sanitized.
func (b *builder) element(n *html.Node, c ctx) {
	si := readStyle(attr(n, "style"))
	if si.hidden {
		return
	}
	parentDir := c.dir
	c = b.inherit(n, c, si)
	if b.structure(n, c, si) {
		return
	}
	switch n.Data {
	case "br":
		b.lineBreak()
	case "img":
		b.image(n, c, si)
	case "a", "area":
		b.link(n, &c)
		b.children(n, c)
	case "p", "table", "dl":
		b.breakLine(2)
		b.children(n, c)
		b.breakLine(2)
	case "td", "th":
		b.top().space = true
		b.children(n, c)
		b.top().space = true
	default:
		brk := blockBreak(n.Data)
		if brk > 0 && c.dir != parentDir {
			brk = 2 // a block of another direction is a paragraph of its own, aligned as it reads
		}
		b.breakLine(brk)
		b.children(n, c)
		b.breakLine(brk)
	}
}

// structure converts the elements that make blocks of their own; it
// reports false for the others.
func (b *builder) structure(n *html.Node, c ctx, si styleInfo) bool {
	switch n.Data {
	case "h1", "h2", "h3", "h4", "h5", "h6":
		b.heading(n, c, int(n.Data[1]-'0'))
	case "pre":
		b.pre(n, c)
	case "blockquote":
		b.quote(n, c)
	case "ul", "ol":
		b.list(n, c)
	case "li":
		b.list(n, c) // an item outside of any list: a list of one
	case "hr":
		b.add(Block{Kind: Rule})
	case "table":
		if !isDataTable(n) {
			return false
		}
		b.table(n, c)
	case "div":
		if !si.quoteBorder {
			return false
		}
		b.quote(n, c)
	default:
		return false
	}
	return true
}

// blockBreak is the line ends an element puts around itself: 1 for the
// block elements that do not separate paragraphs, 0 for inline ones.
func blockBreak(tag string) int {
	switch tag {
	case "div", "tr", "section", "article", "header", "footer", "center", "dt", "dd",
		"address", "figure", "figcaption", "main", "nav", "aside", "details", "summary",
		"caption", "tbody", "thead", "tfoot", "hgroup":
		return 1
	}
	return 0
}

// inherit computes the context of the content of n.
func (b *builder) inherit(n *html.Node, c ctx, si styleInfo) ctx {
	c.style |= tagStyle(n.Data)
	c.style = c.style&^si.remove | si.add
	if n.Data == "font" {
		if col, ok := parseColor(attr(n, "color")); ok {
			c.color = col
		}
		if monospaceFamily(strings.ToLower(attr(n, "face"))) {
			c.style |= Mono
		}
	}
	if si.color.Set {
		c.color = si.color
	}
	if a, ok := parseAlign(strings.ToLower(attr(n, "align"))); ok && n.Data != "table" && n.Data != "img" {
		c.align = a
	}
	if n.Data == "center" {
		c.align = AlignCenter
	}
	if si.alignSet {
		c.align = si.align
	}
	switch {
	case attr(n, "dir") == "rtl" || si.rtl:
		c.dir = 2
	case attr(n, "dir") == "ltr" || si.ltr:
		c.dir = 1
	}
	return c
}

// tagStyle is the style an element gives its text.
func tagStyle(tag string) Style {
	switch tag {
	case "b", "strong":
		return Bold
	case "i", "em", "cite", "var", "dfn":
		return Italic
	case "u", "ins":
		return Underline
	case "s", "strike", "del":
		return Strike
	case "code", "tt", "kbd", "samp":
		return Mono
	}
	return 0
}

// link sets the link of the content of an a or area element, and records
// it in Document.Links.
func (b *builder) link(n *html.Node, c *ctx) {
	href := attr(n, "href") // an allowed scheme: the sanitizer saw to it
	if href == "" {
		return
	}
	c.link = href
	if b.links == nil {
		b.links = map[string]bool{}
	}
	if !b.links[href] && len(b.doc.Links) < MaxLinks {
		b.links[href] = true
		b.doc.Links = append(b.doc.Links, href)
	}
}

// image records an image, and shows it in the text unless it is a
// tracking image.
func (b *builder) image(n *html.Node, c ctx, si styleInfo) {
	src := attr(n, "src")
	if src == "" {
		return
	}
	im := &Image{Src: src, Alt: strings.TrimSpace(attr(n, "alt")), Width: si.width, Height: si.height}
	if w := pixels(attr(n, "width")); w > 0 && im.Width == 0 {
		im.Width = w
	}
	if h := pixels(attr(n, "height")); h > 0 && im.Height == 0 {
		im.Height = h
	}
	im.Tracking = tiny(im.Width, im.Height)
	b.doc.Images = append(b.doc.Images, im)
	if im.Tracking {
		return
	}
	b.inline(Inline{Style: c.style, Color: c.color, Link: c.link, Image: im}, c)
}

// tiny reports the size of a tracking image: at most 2 pixels each way,
// one of them given.
func tiny(w, h int) bool {
	return (w > 0 || h > 0) && w <= 2 && h <= 2
}

// listStart reads the number of the first item of an ordered list.
func listStart(n *html.Node) int {
	if v, err := strconv.Atoi(strings.TrimSpace(attr(n, "start"))); err == nil && v > -1e6 && v < 1e6 {
		return v
	}
	return 1
}
