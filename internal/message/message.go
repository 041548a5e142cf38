// Package message parses one Internet message for indexing and for the
// reader view: the header fields of RFC 5322 (with the obsolete syntax of
// its section 4 that real mail still carries), MIME (RFC 2045 to 2049:
// structure, multiparts, transfer encodings, charsets), non-ASCII header
// text (RFC 2047 encoded words, and raw 8-bit text as seen in the wild),
// parameter values and filenames (RFC 2231, RFC 2183 Content-Disposition),
// format=flowed text (RFC 3676).
//
// Parse reads the message as a stream, line by line, and never panics nor
// gives up on bad input: broken header lines, unknown charsets, bad base64,
// multiparts cut short or without their closing boundary give a partial
// Message whose Problems say what could not be read. Charsets are those of
// github.com/emersion/go-message/charset (every IANA charset that
// golang.org/x/text knows), with fast paths for UTF-8, US-ASCII,
// ISO-8859-1 and windows-1252 (ISO-8859-1 is read as windows-1252, as mail
// clients and browsers do). Body text is always valid UTF-8 with LF line
// ends.
//
// The body text prefers text/plain; without it, HTML is reduced to readable
// text by package facteur/internal/htmldoc (the HTML5 parser of
// golang.org/x/net/html, a sanitizer by allow-list, a document of blocks),
// links (a and area href) are collected, and nothing is ever fetched: no
// image, no style sheet, no remote content of any kind.
//
// Addresses go through github.com/emersion/go-message/mail (net/mail with
// RFC 2047 and charsets) and, when that strict parser refuses them, through
// a lenient one that reads the legacy forms of the course: comments as
// names ("paul@uvsq.fr (Paul Ochon)"), blanks around '@', source routes
// ("<@a,@b:u@c>"), missing domains, groups.
//
// Dates are read by ParseDate, more lenient than net/mail.ParseDate: day of
// week optional or misspelt, two- and three-digit years, named zones, no
// zone, no seconds, comments, asctime order.
package message

import (
	"io"
	"time"
)

// Address is a mailbox: Name decoded (RFC 2047), Addr "local@domain".
type Address struct{ Name, Addr string }

// String returns "Name <addr>", or "addr" without a name. The name is shown
// as is, not quoted: String is for display, not for a header field.
func (a Address) String() string {
	if a.Name == "" {
		return a.Addr
	}
	if a.Addr == "" {
		return a.Name
	}
	return a.Name + " <" + a.Addr + ">"
}

// Part is an attachment (or an inline image...) of a message.
type Part struct {
	// Path is the MIME part path, as IMAP numbers parts (RFC 3501 section
	// 6.4.5): "1", "2.1"...; "" for a single-part message.
	Path        string
	ContentType string // lower case, "application/pdf"
	Charset     string // lower case charset parameter; set by OpenPart only
	Filename    string // decoded (RFC 2231 / RFC 2047); may be empty
	Size        int64  // decoded size in bytes; -1 when unknown (OpenPart)
	Inline      bool   // Content-Disposition: inline, or an inline image of multipart/related
	// ContentID is the Content-ID of the part without <> (RFC 2045
	// section 7), which cid: URLs name (RFC 2392); "" when none.
	ContentID string
}

// Field is one header field, in the order of the message.
type Field struct {
	Key     string // as written, "Received"
	Value   string // raw (not decoded), unfolded, blanks around trimmed
	Decoded string // Value with RFC 2047 words and raw 8-bit text decoded to UTF-8
}

// Header is the list of the header fields of a message, in order.
type Header []Field

// Message is what Parse read of a message.
type Message struct {
	Header    Header
	MessageID string // without <>
	Subject   string // decoded
	From      []Address
	Sender    []Address
	ReplyTo   []Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	Date      time.Time // zero when missing or unreadable
	InReplyTo []string  // message ids without <>
	// References are the message ids of the References field, oldest
	// first, without <>.
	References []string
	// Text is the body as text: text/plain parts preferred, else HTML
	// reduced to text; at most Options.MaxText bytes.
	Text     string
	FromHTML bool     // Text came from an HTML part
	Links    []string // links found in HTML parts (never fetched)
	// HTML is the source of the HTML body (the HTML alternative, or the
	// first HTML part), decoded to UTF-8, when Options.KeepHTML; the
	// reader renders it (package facteur/internal/htmldoc).
	HTML string
	// Attachments are the parts that are not body text, in order.
	Attachments []Part
	// Problems say what could not be read: each one is an *Error wrapping
	// one of the Err values of this package. The rest of the Message is
	// what could be read.
	Problems []error
}

// Options tunes Parse.
type Options struct {
	// MaxText bounds Message.Text in bytes (0: no limit). Body text beyond
	// it is not decoded. Indexing uses e.g. 64 KiB.
	MaxText int
	// NoLinks skips the collection of Links when the HTML is not needed for
	// the text (indexing): an HTML alternative to a text/plain part is then
	// not even decoded.
	NoLinks bool
	// KeepHTML keeps the source of the HTML body in Message.HTML, even
	// when a text/plain alternative gives the Text.
	KeepHTML bool
}

// Parse reads one message from r. It returns an error only when nothing at
// all could be read (empty input, or a read error before the first byte);
// otherwise the Message holds what could be read and its Problems say what
// could not.
func Parse(r io.Reader, opt Options) (*Message, error) {
	p := newParser(r, opt)
	defer p.release()
	return p.parse()
}
