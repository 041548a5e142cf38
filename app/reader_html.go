package app

import (
	"fmt"
	"image/color"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/htmldoc"
)

// maxImageWidth bounds the width an image of a message takes, in pixels.
const maxImageWidth = 560

// docRender lays out an htmldoc.Document as Fyne widgets: paragraphs and
// headings as RichText, quotes with a bar per level, lists with their
// markers, simple tables as grids, images from resources. It never fetches
// anything: images are those of images, the others show their alternative
// text.
type docRender struct {
	images map[string]*loadedImage // by Image.Src
	open   func(*url.URL)          // a tapped link
	colors bool                    // the theme draws htmlColorName colours
	// stripped counts the tracking parameters taken out of links; hints
	// the links whose text names another address than their target.
	stripped, hints int
}

// render returns the widgets of a document.
func (r *docRender) render(d *htmldoc.Document) fyne.CanvasObject {
	return container.NewVBox(r.blocks(d.Blocks, 0)...)
}

func (r *docRender) blocks(blocks []htmldoc.Block, depth int) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, b := range blocks {
		out = append(out, r.block(b, depth)...)
	}
	return out
}

// block lays out one block.
func (r *docRender) block(b htmldoc.Block, depth int) []fyne.CanvasObject {
	switch b.Kind {
	case htmldoc.Heading:
		return r.paragraph(b, headingStyle(b.Level))
	case htmldoc.Preformatted:
		return r.paragraph(b, widget.RichTextStyle{TextStyle: fyne.TextStyle{Monospace: true}})
	case htmldoc.Quote:
		return []fyne.CanvasObject{quoteBar(depth, container.NewVBox(r.blocks(b.Children, depth+1)...))}
	case htmldoc.List:
		return []fyne.CanvasObject{r.list(b, depth)}
	case htmldoc.Rule:
		return []fyne.CanvasObject{widget.NewSeparator()}
	case htmldoc.Table:
		return []fyne.CanvasObject{r.table(b, depth)}
	}
	return r.paragraph(b, widget.RichTextStyle{})
}

// headingStyle is the text style of a heading level.
func headingStyle(level int) widget.RichTextStyle {
	s := widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}
	switch level {
	case 1:
		s.SizeName = theme.SizeNameHeadingText
	case 2:
		s.SizeName = theme.SizeNameSubHeadingText
	}
	return s
}

// paragraph lays out the runs of a block as RichText, cut where an image
// stands.
func (r *docRender) paragraph(b htmldoc.Block, base widget.RichTextStyle) []fyne.CanvasObject {
	base.Alignment = alignment(b)
	var out []fyne.CanvasObject
	var runs []htmldoc.Inline
	flush := func() {
		if segs := r.segments(runs, base); len(segs) > 0 {
			out = append(out, richText(segs, b.Kind == htmldoc.Preformatted))
		}
		runs = nil
	}
	for _, in := range b.Inlines {
		if in.Image == nil {
			runs = append(runs, in)
			continue
		}
		flush()
		if img := r.image(in.Image, base.Alignment); img != nil {
			out = append(out, img)
		}
	}
	flush()
	return out
}

// alignment is the Fyne alignment of a block: right-to-left text starts
// on the right, unless the message says left.
func alignment(b htmldoc.Block) fyne.TextAlign {
	switch b.Align {
	case htmldoc.AlignCenter:
		return fyne.TextAlignCenter
	case htmldoc.AlignLeft:
		return fyne.TextAlignLeading
	case htmldoc.AlignRight:
		return fyne.TextAlignTrailing
	case htmldoc.AlignEnd:
		if b.RTL {
			return fyne.TextAlignLeading
		}
		return fyne.TextAlignTrailing
	}
	if b.RTL {
		return fyne.TextAlignTrailing
	}
	return fyne.TextAlignLeading
}

// richText is the widget of a paragraph's segments; one that holds links
// breaks its rows itself (linkText).
func richText(segs []widget.RichTextSegment, pre bool) fyne.CanvasObject {
	if !pre && slices.ContainsFunc(segs, func(s widget.RichTextSegment) bool { _, ok := s.(*widget.HyperlinkSegment); return ok }) {
		return newLinkText(segs)
	}
	t := widget.NewRichText(segs...)
	t.Wrapping = fyne.TextWrapWord
	if pre {
		t.Wrapping = fyne.TextWrapBreak
	}
	return t
}

// segments turns runs into RichText segments; blank runs alone give none.
func (r *docRender) segments(runs []htmldoc.Inline, base widget.RichTextStyle) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	blank := true
	for _, in := range runs {
		blank = blank && strings.TrimSpace(in.Text) == ""
		if in.Link != "" {
			segs = append(segs, r.link(in, base)...)
			continue
		}
		segs = append(segs, &widget.TextSegment{Text: strike(in), Style: r.runStyle(in, base)})
	}
	if blank {
		return nil
	}
	return segs
}

// runStyle is the RichText style of a run.
func (r *docRender) runStyle(in htmldoc.Inline, base widget.RichTextStyle) widget.RichTextStyle {
	s := base
	s.Inline = true
	s.TextStyle.Bold = s.TextStyle.Bold || in.Style&htmldoc.Bold != 0
	s.TextStyle.Italic = in.Style&htmldoc.Italic != 0
	s.TextStyle.Underline = in.Style&htmldoc.Underline != 0
	s.TextStyle.Monospace = s.TextStyle.Monospace || in.Style&htmldoc.Mono != 0
	if r.colors && htmldoc.Readable(in.Color, themeBackgrounds()...) {
		s.ColorName = htmlColorName(in.Color)
	}
	return s
}

// strike draws struck text with U+0336 (combining long stroke overlay):
// Fyne's text styles have no line-through.
func strike(in htmldoc.Inline) string {
	if in.Style&htmldoc.Strike == 0 {
		return in.Text
	}
	var b strings.Builder
	for _, c := range in.Text {
		b.WriteRune(c)
		if c != '\n' && c != ' ' {
			b.WriteRune('\u0336')
		}
	}
	return b.String()
}

// link lays out a linked run: the link, its tracking parameters taken
// out, and the real target beside it when the text names another one.
func (r *docRender) link(in htmldoc.Inline, base widget.RichTextStyle) []widget.RichTextSegment {
	target, n := htmldoc.StripTracking(in.Link)
	r.stripped += n
	u, err := url.Parse(target)
	if err != nil {
		return []widget.RichTextSegment{&widget.TextSegment{Text: in.Text, Style: r.runStyle(in, base)}}
	}
	var segs []widget.RichTextSegment
	blank := func() widget.RichTextSegment {
		return &widget.TextSegment{Text: " ", Style: r.runStyle(htmldoc.Inline{}, base)}
	}
	lines := strings.Split(in.Text, "\n")
	for i, line := range lines {
		if i > 0 {
			segs = append(segs, &widget.TextSegment{Text: "\n", Style: r.runStyle(htmldoc.Inline{}, base)})
		}
		word := strings.TrimSpace(line)
		if word == "" {
			continue
		}
		segs = append(segs, &widget.HyperlinkSegment{Text: word, URL: u, Alignment: base.Alignment,
			OnTapped: func() { r.open(u) }})
		if i < len(lines)-1 && strings.HasSuffix(line, " ") { // the blank after a link is not part of it
			segs = append(segs, blank())
		}
	}
	if hint := htmldoc.LinkHint(in.Text, target); hint != "" {
		r.hints++
		s := r.runStyle(htmldoc.Inline{}, base)
		s.ColorName, s.TextStyle.Italic = theme.ColorNameWarning, true
		// No blank after the hint but the message's own: none before
		// the punctuation that follows a link.
		segs = append(segs, &widget.TextSegment{Text: " " + lang.L("(goes to {{.Host}})", map[string]any{"Host": hint}), Style: s})
	}
	if strings.HasSuffix(in.Text, " ") {
		segs = append(segs, blank())
	}
	return segs
}

// quoteBar draws quoted content with a bar on its left, one colour per
// level, as quoted replies are drawn.
func quoteBar(depth int, content fyne.CanvasObject) fyne.CanvasObject {
	colors := []fyne.ThemeColorName{theme.ColorNamePrimary, theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameHyperlink}
	bar := canvas.NewRectangle(theme.Color(colors[depth%len(colors)]))
	bar.SetMinSize(fyne.NewSize(3, 0))
	left := container.New(layout.NewCustomPaddedLayout(0, 0, theme.Padding(), theme.Padding()), bar)
	return container.NewBorder(nil, nil, left, nil, content)
}

// list lays out the items of a list after their markers.
func (r *docRender) list(b htmldoc.Block, depth int) fyne.CanvasObject {
	rows := container.NewVBox()
	n := b.Start
	for _, item := range b.Items {
		marker := "•"
		if b.Ordered {
			marker = strconv.Itoa(n) + "."
		}
		n++
		m := widget.NewLabel(marker)
		if b.RTL {
			rows.Add(container.NewBorder(nil, nil, nil, container.NewVBox(m), container.NewVBox(r.blocks(item, depth)...)))
			continue
		}
		rows.Add(container.NewBorder(nil, nil, container.NewVBox(m), nil, container.NewVBox(r.blocks(item, depth)...)))
	}
	return rows
}

// table lays out a simple table as a grid of equal columns.
func (r *docRender) table(b htmldoc.Block, depth int) fyne.CanvasObject {
	cols := 0
	for _, row := range b.Rows {
		cols = max(cols, len(row.Cells))
	}
	var cells []fyne.CanvasObject
	for _, row := range b.Rows {
		for i := range cols {
			if i >= len(row.Cells) {
				cells = append(cells, layout.NewSpacer())
				continue
			}
			blocks := row.Cells[i].Blocks
			if row.Cells[i].Header {
				blocks = bolden(blocks)
			}
			cells = append(cells, container.NewVBox(r.blocks(blocks, depth)...))
		}
	}
	return container.NewGridWithColumns(max(cols, 1), cells...)
}

// bolden sets the paragraphs of a header cell in bold.
func bolden(blocks []htmldoc.Block) []htmldoc.Block {
	out := make([]htmldoc.Block, len(blocks))
	for i, b := range blocks {
		runs := make([]htmldoc.Inline, len(b.Inlines))
		for j, in := range b.Inlines {
			in.Style |= htmldoc.Bold
			runs[j] = in
		}
		b.Inlines = runs
		out[i] = b
	}
	return out
}

// image shows an image whose resource is loaded, else its alternative
// text; nothing for an image without either.
func (r *docRender) image(im *htmldoc.Image, align fyne.TextAlign) fyne.CanvasObject {
	li := r.images[im.Src]
	if li == nil {
		if im.Alt == "" {
			return nil
		}
		l := widget.NewLabel("[" + im.Alt + "]")
		l.TextStyle.Italic = true
		l.Wrapping = fyne.TextWrapWord
		l.Alignment = align
		return l
	}
	img := canvas.NewImageFromResource(li.res)
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleSmooth
	img.SetMinSize(li.size(im))
	switch align {
	case fyne.TextAlignCenter:
		return container.NewHBox(layout.NewSpacer(), img, layout.NewSpacer())
	case fyne.TextAlignTrailing:
		return container.NewHBox(layout.NewSpacer(), img)
	}
	return container.NewHBox(img)
}

// htmlColorPrefix names the theme colours of text that HTML coloured:
// "facteur-html#rrggbb" (see facteurTheme.Color).
const htmlColorPrefix = "facteur-html#"

func htmlColorName(c htmldoc.Color) fyne.ThemeColorName {
	return fyne.ThemeColorName(fmt.Sprintf("%s%02x%02x%02x", htmlColorPrefix, c.R, c.G, c.B))
}

// htmlColor reads back a colour named by htmlColorName.
func htmlColor(n fyne.ThemeColorName) (color.Color, bool) {
	hex, ok := strings.CutPrefix(string(n), htmlColorPrefix)
	if !ok || len(hex) != 6 {
		return nil, false
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return nil, false
	}
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}, true
}

// themeBackgrounds are the backgrounds of the light and the dark theme: a
// text colour of a message is kept only when it reads on both.
func themeBackgrounds() []htmldoc.Color {
	var out []htmldoc.Color
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		r, g, b, _ := theme.DefaultTheme().Color(theme.ColorNameBackground, v).RGBA()
		out = append(out, htmldoc.Color{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), Set: true})
	}
	return out
}
