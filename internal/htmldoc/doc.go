// Package htmldoc reads the HTML of mail into a neutral document that both
// the text conversion (search indexing, quoting in replies, the command
// line) and the window's renderer use.
//
// Parsing follows the HTML5 tree-building rules (WHATWG HTML, "Parsing
// HTML documents", as golang.org/x/net/html implements them), so broken
// real-world markup gives the tree a browser would build. The tree is then
// sanitized by allow-lists (Sanitize): elements, attributes, URL schemes
// (RFC 3986 schemes; cid: of RFC 2392 for the message's own parts) and the
// few CSS properties that matter for reading; scripts, styles, frames,
// forms, comments and every other kind of active or remote content are
// dropped. Finally the tree is converted (Parse) into blocks (paragraphs,
// headings, quotes, lists, preformatted text, rules, simple tables) of
// styled runs (bold, italic, underline, strike, monospace, a colour, a link,
// an image). Layout tables, as newsletters use, are flattened into blocks.
//
// Nothing here fetches anything: images are reported (Document.Images) with
// their source; whether and how to load them is the caller's choice.
package htmldoc

// Kind is the kind of a Block.
type Kind uint8

// The kinds of block.
const (
	// Paragraph is running text: Inlines, whose text may hold "\n" (line
	// breaks).
	Paragraph Kind = iota
	// Heading is a title of Level 1 to 6: Inlines.
	Heading
	// Preformatted is text whose blanks and line breaks count (<pre>):
	// Inlines.
	Preformatted
	// Quote is quoted text (<blockquote>, or the bordered divisions of
	// Outlook's replies): Children.
	Quote
	// List is an ordered or unordered list: Items, each a list of blocks.
	List
	// Rule is a horizontal rule.
	Rule
	// Table is a simple table of data: Rows.
	Table
)

// Align is the alignment of a paragraph: AlignStart and AlignEnd follow
// the direction of the text, AlignLeft and AlignRight do not.
type Align uint8

// The alignments.
const (
	AlignStart Align = iota
	AlignCenter
	AlignEnd
	AlignLeft
	AlignRight
)

// Block is one block of a document.
type Block struct {
	Kind     Kind
	Level    int // Heading: 1 to 6
	Inlines  []Inline
	Children []Block   // Quote
	Items    [][]Block // List
	Ordered  bool      // List: numbered
	Start    int       // List: the number of the first item (ordered)
	Rows     []Row     // Table
	Align    Align
	// RTL is set for right-to-left text (dir="rtl", or Arabic or Hebrew
	// text without a direction given).
	RTL bool
}

// Row is a row of a Table.
type Row struct {
	Cells []Cell
}

// Cell is a cell of a Table: blocks (usually one paragraph).
type Cell struct {
	Blocks []Block
	Header bool // <th>
}

// Style is a set of text styles.
type Style uint8

// The text styles.
const (
	Bold Style = 1 << iota
	Italic
	Underline
	Strike
	Mono
)

// Color is an sRGB colour the HTML gave to text; Set is false when it gave
// none.
type Color struct {
	R, G, B uint8
	Set     bool
}

// Inline is a run of text of one style, or an image.
type Inline struct {
	Text  string // "\n" is a line break
	Style Style
	Color Color
	// Link is the target of the link the run is part of ("" for none):
	// an http, https, mailto, ftp or tel URL.
	Link string
	// Image, when not nil, is an image shown in the text (Text is then
	// empty).
	Image *Image
}

// Image is an <img> of the document.
type Image struct {
	// Src is the source: "cid:..." (a part of the message, RFC 2392),
	// "http://..." or "https://..." (remote content), or "data:image/...".
	Src           string
	Alt           string
	Width, Height int // from the attributes or the style, in CSS pixels; 0 when not given
	// Tracking is set for an image that is there to tell the sender that
	// the message was read: 1×1 or 2×2 pixels, or hidden.
	Tracking bool
}

// Remote reports whether the image is fetched over the network.
func (im *Image) Remote() bool {
	return hasScheme(im.Src, "http") || hasScheme(im.Src, "https")
}

// Document is what Parse read of an HTML document.
type Document struct {
	Blocks []Block
	// Links are the targets of the links, in order, once each, at most
	// MaxLinks.
	Links []string
	// Images are the images of the document, in order, tracking images
	// included (they are not in Blocks).
	Images []*Image
	// Truncated is set when Options.MaxText stopped the conversion.
	Truncated bool
}

// MaxLinks bounds Document.Links.
const MaxLinks = 500

// RemoteImages counts the images that would be fetched over the network,
// tracking images included.
func (d *Document) RemoteImages() int {
	n := 0
	for _, im := range d.Images {
		if im.Remote() {
			n++
		}
	}
	return n
}

// TrackingImages counts the tracking images.
func (d *Document) TrackingImages() int {
	n := 0
	for _, im := range d.Images {
		if im.Tracking {
			n++
		}
	}
	return n
}
