package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// linkSlack is the room kept at the end of a row for the difference
// between linkText's measure of the text before a link and Fyne's.
const linkSlack = 12

// linkText is a paragraph that holds links. Fyne 2.7's RichText never
// moves a hyperlink segment to the next row (fyne-io/fyne#3393, fixed
// after 2.7): a link that does not fit in what is left of its row runs
// past the edge, and the text after it is cut. linkText ends the row
// before such a link (an empty segment that is not inline), and cuts a
// link wider than a whole row into its words, each time it is given a new
// width; Fyne still wraps the text between the links.
type linkText struct {
	widget.RichText
	source []widget.RichTextSegment // as built, every segment inline
	width  float32                  // the width the rows were broken for
	links  map[string]float32       // the width of a link by its text
}

func newLinkText(segs []widget.RichTextSegment) *linkText {
	t := &linkText{source: segs}
	t.Segments = segs
	t.Wrapping, t.Scroll = fyne.TextWrapWord, container.ScrollNone
	t.ExtendBaseWidget(t)
	return t
}

// Resize breaks the rows for the new width, then lays them out.
func (t *linkText) Resize(size fyne.Size) {
	if size.Width > 0 && size.Width != t.width {
		t.width = size.Width
		th := t.Theme()
		t.Segments = t.breakRows(size.Width-2*th.Size(theme.SizeNameInnerPadding), th)
	}
	t.RichText.Resize(size)
}

// linkWidth is the width Fyne gives a link of that text.
func (t *linkText) linkWidth(s *widget.HyperlinkSegment) float32 {
	w, ok := t.links[s.Text]
	if !ok {
		if t.links == nil {
			t.links = map[string]float32{}
		}
		w = s.Visual().MinSize().Width
		t.links[s.Text] = w
	}
	return w
}

// breakRows returns the segments with a row end before each link that
// would not fit in a row of width max (the text between links measured as
// Fyne wraps it: at blanks, a word that does not fit starting a new row).
func (t *linkText) breakRows(max float32, th fyne.Theme) []widget.RichTextSegment {
	segs := t.source
	out := make([]widget.RichTextSegment, 0, len(segs)+2)
	x := float32(0)
	place := func(s widget.RichTextSegment, w float32) {
		if x > 0 && x+w > max-linkSlack {
			out = append(out, &widget.TextSegment{}) // not inline: the row ends here
			x = 0
		}
		out = append(out, s)
		x += w
	}
	for _, s := range segs {
		switch s := s.(type) {
		case *widget.HyperlinkSegment:
			w := t.linkWidth(s)
			if w <= max-linkSlack {
				place(s, w)
				continue
			}
			for i, word := range strings.Fields(s.Text) {
				if i > 0 {
					out = append(out, &widget.TextSegment{Text: " ", Style: widget.RichTextStyle{Inline: true}})
					x += fyne.MeasureText(" ", th.Size(theme.SizeNameText), fyne.TextStyle{}).Width
				}
				part := &widget.HyperlinkSegment{Text: word, URL: s.URL, Alignment: s.Alignment, OnTapped: s.OnTapped}
				place(part, t.linkWidth(part))
			}
		case *widget.TextSegment:
			x = textEnd(s, x, max, th)
			out = append(out, s)
		default:
			out = append(out, s)
		}
	}
	return out
}

// textEnd is where text segment s ends on its last row when it starts at
// x in rows of width max.
func textEnd(s *widget.TextSegment, x, max float32, th fyne.Theme) float32 {
	name := s.Style.SizeName
	if name == "" {
		name = theme.SizeNameText
	}
	size := th.Size(name)
	measure := func(text string) float32 { return fyne.MeasureText(text, size, s.Style.TextStyle).Width }
	for i, line := range strings.Split(s.Text, "\n") {
		if i > 0 {
			x = 0
		}
		for _, word := range strings.SplitAfter(line, " ") {
			w := measure(strings.TrimRight(word, " "))
			if x > 0 && x+w > max {
				x = 0
			}
			x += measure(word)
		}
	}
	if !s.Style.Inline {
		return 0
	}
	return x
}
