package htmldoc

import (
	"net/url"
	"strings"

	"facteur/internal/quotemark"
)

// FromPlain reads a plain-text body (format=flowed already joined, RFC
// 3676) into a Document, so that the window draws it as it draws HTML:
// quoted lines (their ">" marks, RFC 3676 section 4.5, spaces between marks
// allowed) become nested Quote blocks, blank lines end paragraphs, line
// breaks are kept, and web and mail addresses become links.
func FromPlain(text string) *Document {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var lines []quotedLine
	for _, l := range strings.Split(text, "\n") {
		lines = append(lines, splitQuote(l))
	}
	d := &Document{}
	d.Blocks = plainBlocks(d, lines, 0)
	return d
}

// quotedLine is a line of plain text without its quote marks.
type quotedLine struct {
	depth int
	text  string
}

// splitQuote counts the quote marks of a line and removes them, with the
// space after the last one (and one space before an unquoted line).
func splitQuote(l string) quotedLine {
	depth, text := quotemark.Split(l)
	if depth == 0 {
		text = strings.TrimPrefix(text, " ")
	}
	return quotedLine{depth, text}
}

// plainBlocks lays out lines at quote level depth: paragraphs of its own
// lines, a Quote for each run of deeper ones.
func plainBlocks(d *Document, lines []quotedLine, depth int) []Block {
	var out []Block
	var para []string
	flush := func() {
		if len(para) > 0 {
			runs := linkRuns(d, strings.Join(para, "\n"))
			out = append(out, Block{Kind: Paragraph, Inlines: runs, RTL: isRTL(0, runs)})
		}
		para = nil
	}
	for i := 0; i < len(lines); {
		l := lines[i]
		if l.depth > depth {
			flush()
			j := i
			for j < len(lines) && lines[j].depth > depth {
				j++
			}
			out = append(out, Block{Kind: Quote, Children: plainBlocks(d, lines[i:j], depth+1)})
			i = j
			continue
		}
		if strings.TrimSpace(l.text) == "" {
			flush()
		} else {
			para = append(para, l.text)
		}
		i++
	}
	flush()
	return out
}

// linkRuns cuts text into runs of text and links.
func linkRuns(d *Document, text string) []Inline {
	var out []Inline
	for text != "" {
		start, end, target := nextAddress(text)
		if start < 0 {
			break
		}
		if start > 0 {
			out = append(out, Inline{Text: text[:start]})
		}
		out = append(out, Inline{Text: text[start:end], Link: target})
		if len(d.Links) < MaxLinks && !containsString(d.Links, target) {
			d.Links = append(d.Links, target)
		}
		text = text[end:]
	}
	if text != "" {
		out = append(out, Inline{Text: text})
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addressStarts open the addresses that plain text makes links of.
var addressStarts = []string{"https://", "http://", "mailto:", "www."}

// nextAddress finds the first web or mail address of text: its bounds and
// the URL it links to; start is -1 when there is none. An address ends at
// a blank or at <>"; the punctuation that ends a sentence, and a closing
// bracket that it did not open, are not part of it.
func nextAddress(text string) (start, end int, target string) {
	lower := asciiLower(text) // same length as text: indexes hold for both
	start = -1
	for _, p := range addressStarts {
		i := strings.Index(lower, p)
		for i > 0 && p == "www." && isWordByte(lower[i-1]) {
			j := strings.Index(lower[i+1:], p)
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i >= 0 && (start < 0 || i < start) {
			start = i
		}
	}
	if start < 0 {
		return -1, 0, ""
	}
	end = start
	for end < len(text) && !strings.ContainsRune(" \t\n<>\"", rune(text[end])) {
		end++
	}
	end = trimAddressEnd(text[start:end]) + start
	target, ok := linkTarget(text[start:end])
	if !ok {
		return nextAfter(text, end)
	}
	return start, end, target
}

// linkTarget is the URL that an address of plain text links to: an http or
// https URL with a host, a mailto: URL with an address, a "www." host.
func linkTarget(addr string) (string, bool) {
	lower := strings.ToLower(addr)
	switch {
	case strings.HasPrefix(lower, "mailto:"):
		return addr, strings.Contains(addr, "@")
	case strings.HasPrefix(lower, "www."):
		return "https://" + addr, textHost(addr) != ""
	}
	u, err := url.Parse(addr)
	return addr, err == nil && u.Host != ""
}

// nextAfter looks for an address after text[:end], which held none.
func nextAfter(text string, end int) (int, int, string) {
	s, e, t := nextAddress(text[end:])
	if s < 0 {
		return -1, 0, ""
	}
	return s + end, e + end, t
}

// trimAddressEnd drops the trailing punctuation of an address.
func trimAddressEnd(a string) int {
	for len(a) > 0 {
		c := a[len(a)-1]
		switch {
		case strings.IndexByte(".,;:!?'*", c) >= 0:
		case c == ')' && strings.Count(a, "(") < strings.Count(a, ")"):
		case c == ']' && strings.Count(a, "[") < strings.Count(a, "]"):
		default:
			return len(a)
		}
		a = a[:len(a)-1]
	}
	return 0
}

// asciiLower lowers the ASCII letters of s only: strings.ToLower changes
// the length of text that is not valid UTF-8.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isWordByte(c byte) bool {
	return c == '.' || c == '/' || c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
