package message

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	gmcharset "github.com/emersion/go-message/charset"
)

// Charset classes with a fast path.
const (
	csOther = iota
	csUTF8  // utf-8, and us-ascii or no charset (8-bit text read as UTF-8 if valid, else windows-1252)
	csASCII // us-ascii or no charset
	cs1252  // iso-8859-1 and windows-1252, read as windows-1252
)

// charsetClass classifies a lower-case charset label.
func charsetClass(cs string) int {
	switch cs {
	case "utf-8", "utf8":
		return csUTF8
	case "", "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968", "iso-646-us", "default", "unknown", "unknown-8bit", "x-unknown":
		return csASCII
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "windows-1252", "cp1252", "x-cp1252", "iso-8859-1:1987":
		return cs1252
	}
	return csOther
}

// cp1252High maps windows-1252 bytes 0x80 to 0x9F (ISO-8859-1 maps them to
// C1 controls, which are never meant in mail).
var cp1252High = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

// appendCP1252 appends windows-1252 text b as UTF-8.
func appendCP1252(dst, b []byte) []byte {
	for _, c := range b {
		switch {
		case c < 0x80:
			dst = append(dst, c)
		case c < 0xA0:
			dst = utf8.AppendRune(dst, cp1252High[c-0x80])
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}

// appendLF appends b with CRLF and lone CR made LF and NUL bytes dropped.
func appendLF(dst, b []byte) []byte {
	if bytes.IndexByte(b, 0) >= 0 {
		b = bytes.ReplaceAll(b, []byte{0}, nil)
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		if i+1 < len(b) && b[i+1] == '\n' {
			b = b[i+1:] // the LF is copied with the next run
			continue
		}
		dst = append(dst, '\n')
		b = b[i+1:]
	}
	return dst
}

// appendText appends b, text in charset cs (lower case), to dst as valid
// UTF-8 with LF line ends. An unknown charset is a problem; the text is
// then read as UTF-8 if valid, else as windows-1252.
func (p *parser) appendText(dst, b []byte, cs, path, field string) []byte {
	start := len(dst)
	switch charsetClass(cs) {
	case csUTF8:
		if !utf8.Valid(b) {
			b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
		}
		return appendLF(dst, b)
	case csASCII:
		if utf8.Valid(b) {
			return appendLF(dst, b)
		}
		return appendLF(dst, appendCP1252(nil, b))
	case cs1252:
		if !hasHigh(b) {
			return appendLF(dst, b)
		}
		return appendLF(dst, appendCP1252(nil, b))
	}
	r, err := gmcharset.Reader(cs, bytes.NewReader(b))
	if err == nil {
		var out []byte
		out, err = io.ReadAll(r)
		if err == nil {
			if !utf8.Valid(out) {
				out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
			}
			return appendLF(dst, out)
		}
	}
	p.problem(path, field, &causeError{kind: ErrUnknownCharset, detail: "\"" + cs + "\"", cause: err})
	return p.appendText(dst[:start], b, "", path, field)
}

// hasHigh reports whether b has bytes above 0x7F.
func hasHigh(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// needsDecoding reports whether a header value has 8-bit bytes or may have
// RFC 2047 encoded words.
func needsDecoding(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == '=' && i+1 < len(s) && s[i+1] == '?' {
			return true
		}
	}
	return false
}

// wordDecoder decodes RFC 2047 encoded words in any charset known to
// go-message/charset; lenientWords never fails (unknown charsets read as
// windows-1252).
var (
	wordDecoder  = &mime.WordDecoder{CharsetReader: wordCharset}
	lenientWords = &mime.WordDecoder{CharsetReader: lenientCharset}
)

func wordCharset(cs string, in io.Reader) (io.Reader, error) {
	if charsetClass(cs) == cs1252 {
		b, err := io.ReadAll(in)
		return bytes.NewReader(appendCP1252(nil, b)), err
	}
	return gmcharset.Reader(cs, in)
}

func lenientCharset(cs string, in io.Reader) (io.Reader, error) {
	r, err := wordCharset(cs, in)
	if err != nil {
		b, _ := io.ReadAll(in)
		return bytes.NewReader(appendCP1252(nil, b)), nil
	}
	return r, nil
}

// decodeText decodes a header value: raw 8-bit text (read in the charset of
// the message, or as UTF-8 / windows-1252), then RFC 2047 encoded words.
func (p *parser) decodeText(v, path, field string) string {
	if !needsDecoding(v) {
		return v
	}
	if !utf8.ValidString(v) {
		v = string(p.appendText(nil, []byte(v), p.cs8, path, field))
	}
	if !strings.Contains(v, "=?") {
		return v
	}
	s, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		p.problem(path, field, withCause(ErrUnknownCharset, err))
		s, _ = lenientWords.DecodeHeader(v)
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// oneLine makes a decoded value fit on one line: control characters
// (line ends and tabs included) become spaces.
func oneLine(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
