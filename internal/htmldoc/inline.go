package htmldoc

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// text adds character data to the open paragraph: blanks collapsed (but
// in <pre>), invisible padding characters dropped, no-break spaces made
// blanks (the padding of newsletters).
func (b *builder) text(s string, c ctx) {
	f := b.top()
	var out strings.Builder
	for _, r := range s {
		switch {
		case f.pre && r == '\r':
		case f.pre && r == '\n':
			b.flushText(&out, c)
			b.appendText("\n", c)
		case f.pre && (r == ' ' || r == '\t'):
			out.WriteRune(r)
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f':
			b.flushText(&out, c)
			f.space = true
		case invisible(r):
		case r == 0x00A0 || r == 0x2007 || r == 0x202F:
			if f.pre {
				out.WriteByte(' ')
				break
			}
			b.flushText(&out, c)
			f.space = true
		case r == utf8.RuneError || r == 0:
			out.WriteRune(utf8.RuneError)
		default:
			out.WriteRune(r)
		}
	}
	b.flushText(&out, c)
}

// invisible reports characters that newsletters use as padding.
func invisible(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0xFEFF, 0x034F, 0x00AD, 0x2060:
		return true
	}
	return false
}

// flushText adds the word gathered in out.
func (b *builder) flushText(out *strings.Builder, c ctx) {
	if out.Len() == 0 {
		return
	}
	b.appendText(out.String(), c)
	out.Reset()
}

// appendText adds text after the line ends or blank due.
func (b *builder) appendText(s string, c ctx) {
	if b.full {
		return
	}
	f := b.top()
	if len(f.para) > 0 {
		switch {
		case f.brk > 0:
			b.ensureLineEnds(f.brk)
		case f.space && !endsBlank(f):
			f.appendSpace()
		}
	}
	f.brk, f.space = 0, false
	b.appendRun(s, c)
	b.n += len(s)
	if b.max > 0 && b.n >= b.max {
		b.full = true
	}
}

// inline adds a run that is not text (an image) to the open paragraph.
func (b *builder) inline(in Inline, c ctx) {
	f := b.top()
	if len(f.para) > 0 {
		switch {
		case f.brk > 0:
			b.ensureLineEnds(f.brk)
		case f.space && !endsBlank(f):
			f.appendSpace()
		}
	}
	f.brk, f.space = 0, false
	b.startPara(c)
	f.appendImage(in)
}

// startPara takes the alignment and direction of a paragraph from its
// first run.
func (b *builder) startPara(c ctx) {
	if f := b.top(); len(f.para) == 0 {
		f.align, f.dir = c.align, c.dir
	}
}

// appendRun appends text to the paragraph, to its last run when the style
// is the same. The text of the last run grows in the flow's tail, not by
// string concatenation.
func (b *builder) appendRun(s string, c ctx) {
	b.startPara(c)
	f := b.top()
	if n := len(f.para); n > 0 {
		last := &f.para[n-1]
		if last.Image == nil && last.Style == c.style && last.Color == c.color && last.Link == c.link {
			f.tail = append(f.tail, s...)
			return
		}
	}
	f.seal()
	f.para = append(f.para, Inline{Style: c.style, Color: c.color, Link: c.link})
	f.tail = append(f.tail[:0], s...)
}

// seal writes the tail into the text of the last run.
func (f *flow) seal() {
	if n := len(f.para); n > 0 && f.para[n-1].Image == nil {
		f.para[n-1].Text = string(f.tail)
	}
	f.tail = f.tail[:0]
}

// appendImage appends a run that is not text.
func (f *flow) appendImage(in Inline) {
	f.seal()
	f.para = append(f.para, in)
}

// appendSpace ends the last run with a blank: the blank between two runs
// belongs to the one before (the end of a link, of a bold word).
func (f *flow) appendSpace() {
	if f.lastIsImage() {
		f.appendImage(Inline{})
	}
	f.tail = append(f.tail, ' ')
}

// lastIsImage reports whether the paragraph ends with an image.
func (f *flow) lastIsImage() bool {
	return len(f.para) > 0 && f.para[len(f.para)-1].Image != nil
}

// lineBreak is a <br>: the line ends due, then one more. A <br> at the
// start of a paragraph is dropped.
func (b *builder) lineBreak() {
	f := b.top()
	if len(f.para) == 0 {
		return
	}
	if f.brk > 0 {
		b.ensureLineEnds(f.brk)
	}
	f.brk, f.space = 0, false
	f.addLineEnds(1)
}

// addLineEnds ends the paragraph's text with n more line ends, blanks
// before them dropped.
func (f *flow) addLineEnds(n int) {
	if f.lastIsImage() {
		f.appendImage(Inline{})
	}
	f.tail = bytes.TrimRight(f.tail, " ")
	for range n {
		f.tail = append(f.tail, '\n')
	}
}

// ensureLineEnds makes the paragraph end with at least n line ends.
func (b *builder) ensureLineEnds(n int) {
	f := b.top()
	have := 0
	if !f.lastIsImage() {
		for i := len(f.tail) - 1; i >= 0 && f.tail[i] == '\n'; i-- {
			have++
		}
	}
	if have < n {
		f.addLineEnds(n - have)
	}
}

// endsBlank reports whether the paragraph ends with a blank or line end.
func endsBlank(f *flow) bool {
	if f.lastIsImage() || len(f.tail) == 0 {
		return false
	}
	last := f.tail[len(f.tail)-1]
	return last == ' ' || last == '\n'
}

// trimBreaks drops the blanks and line ends at the end of a paragraph, and
// the runs left empty.
func trimBreaks(para []Inline) []Inline {
	for len(para) > 0 {
		last := &para[len(para)-1]
		if last.Image != nil {
			break
		}
		last.Text = strings.TrimRight(last.Text, " \n")
		if last.Text != "" {
			break
		}
		para = para[:len(para)-1]
	}
	return para
}

// isRTL tells the direction of a paragraph: the one given, else that of
// its first letter (Unicode's rule P2 of the bidirectional algorithm, in
// short).
func isRTL(dir int8, para []Inline) bool {
	if dir != 0 {
		return dir == 2
	}
	for _, in := range para {
		for _, r := range in.Text {
			switch {
			case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko):
				return true
			case unicode.IsLetter(r):
				return false
			}
		}
	}
	return false
}
