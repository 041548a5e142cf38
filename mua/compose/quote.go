package compose

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"

	"facteur/internal/quotemark"
)

// quoteWidth is the length of a quoted line, quote marks included: the
// 72 columns that leave room for a few more levels of quoting within the
// 78 of RFC 5322 §2.1.1.
const quoteWidth = 72

// Quote quotes text for a reply in fixed lines: "> " before every line,
// one more ">" for a line already quoted (">> ", "> > " read the same),
// each line longer than 72 columns cut at spaces into several quoted
// lines of the same level; a blank line is ">" alone, trailing blank
// lines are dropped. A word longer than a line stays whole.
func Quote(text string) string {
	return quoteEach(text, func(b *strings.Builder, prefix, rest string) {
		for _, piece := range cutWords(rest, quoteWidth-len(prefix)-1) {
			b.WriteString(prefix + " " + strings.TrimRight(piece, " ") + "\n")
		}
	})
}

// QuoteFlowed quotes the logical lines of a format=flowed original (what
// the reader unflowed) one level deeper without cutting them: the
// draft is sent flowed, and Build cuts them with soft line breaks
// (RFC 3676 §4.5: quote marks, then a space, then the text).
func QuoteFlowed(text string) string {
	return quoteEach(text, func(b *strings.Builder, prefix, rest string) {
		b.WriteString(prefix + " " + rest + "\n")
	})
}

// quoteEach quotes every line one level deeper: a blank one as the marks
// alone, the others through write, given the marks and the text.
func quoteEach(text string, write func(b *strings.Builder, prefix, rest string)) string {
	var b strings.Builder
	for _, line := range quoteLines(text) {
		depth, rest := quotemark.Split(line)
		prefix := strings.Repeat(">", depth+1)
		if rest == "" {
			b.WriteString(prefix + "\n")
			continue
		}
		write(&b, prefix, rest)
	}
	return b.String()
}

// quoteLines are the lines of text, LF or CRLF, trailing blank lines
// and trailing spaces dropped.
func quoteLines(text string) []string {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n \t")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return lines
}

// cutWords cuts a line into pieces of at most width characters (runes) at
// spaces; each piece but the last keeps the space it was cut at. A word
// longer than width makes a longer piece.
func cutWords(line string, width int) []string {
	width = max(width, 1)
	var out []string
	for utf8.RuneCountInString(line) > width {
		cut := lastSpaceWithin(line, width)
		if cut < 0 {
			cut = strings.IndexByte(line, ' ')
		}
		if cut <= 0 || cut == len(line)-1 {
			break
		}
		out = append(out, line[:cut+1])
		line = line[cut+1:]
	}
	return append(out, line)
}

// lastSpaceWithin is the byte index of the last space among the first
// width+1 runes of s (a space right after width characters still makes a
// piece of width), or -1; a space at index 0 does not count.
func lastSpaceWithin(s string, width int) int {
	last, n := -1, 0
	for i, r := range s {
		if n > width {
			break
		}
		if r == ' ' && i > 0 {
			last = i
		}
		n++
	}
	return last
}

// isFlowed tells whether the text of a message is format=flowed (RFC
// 3676): its first text/plain part says so.
func isFlowed(raw []byte) bool {
	e, _ := gomessage.Read(bytes.NewReader(raw)) // an unknown charset still gives the header
	if e == nil {
		return false
	}
	flowed := false
	_ = e.Walk(func(_ []int, part *gomessage.Entity, err error) error {
		if err != nil {
			return err
		}
		t, params, _ := part.Header.ContentType()
		if t == "text/plain" || t == "" && part.MultipartReader() == nil {
			flowed = strings.EqualFold(params["format"], "flowed")
			return errFound
		}
		return nil
	})
	return flowed
}

// errFound stops a walk.
var errFound = errors.New("found")
