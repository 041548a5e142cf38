package app

import (
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Geometry of the route diagram, in Fyne units. From left to right: the
// times, the path with a dot per host, the text.
const (
	routePad      = 12  // around the drawing
	routeDot      = 9   // radius of a host's dot
	routeGap      = 6   // between blocks
	routeIndent   = 18  // from the path to the text
	routeBarMax   = 320 // width of the longest delay bar
	routeBarH     = 10  // height of a delay bar
	routeRawWidth = 760 // an unreadable field is wrapped at this width
)

// routeDiagram draws a routeModel: a custom widget, its drawing in
// routeRenderer.
type routeDiagram struct {
	widget.BaseWidget
	model routeModel
}

func newRouteDiagram() *routeDiagram {
	d := &routeDiagram{}
	d.ExtendBaseWidget(d)
	return d
}

// setModel replaces what the diagram draws.
func (d *routeDiagram) setModel(m routeModel) {
	d.model = m
	d.Refresh()
}

func (d *routeDiagram) CreateRenderer() fyne.WidgetRenderer {
	r := &routeRenderer{d: d}
	r.rebuild()
	return r
}

// placed is one drawn object at its place. Lines keep their two points in
// the line itself.
type placed struct {
	obj  fyne.CanvasObject
	pos  fyne.Position
	size fyne.Size
}

type routeRenderer struct {
	d       *routeDiagram
	items   []placed
	objects []fyne.CanvasObject
	min     fyne.Size
	laneX   float32        // x of the path's centre line
	textX   float32        // where the text column starts
	texts   []*canvas.Text // every text, in drawing order (tests read them)
}

func (r *routeRenderer) Destroy() {}

func (r *routeRenderer) MinSize() fyne.Size { return r.min }

func (r *routeRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *routeRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.d.Size())
	canvas.Refresh(r.d)
}

// Layout places the objects; the drawing does not depend on the width.
func (r *routeRenderer) Layout(fyne.Size) {
	for _, it := range r.items {
		if _, ok := it.obj.(*canvas.Line); ok {
			continue
		}
		it.obj.Move(it.pos)
		it.obj.Resize(it.size)
	}
}

// rebuild makes the objects for the model, in the colours of the theme.
func (r *routeRenderer) rebuild() {
	r.items, r.objects, r.texts = nil, nil, nil
	m := r.d.model
	timeW := float32(0)
	for _, n := range m.nodes {
		timeW = max(timeW, fyne.MeasureText(n.when, textSize(), fyne.TextStyle{Monospace: true}).Width)
	}
	r.laneX = routePad + timeW + 2*routeGap + routeDot
	r.textX = r.laneX + routeDot + routeIndent
	y, width := float32(routePad), float32(0)
	var dots []float32 // centre y of each node
	for i, n := range m.nodes {
		var w float32
		dots = append(dots, y+lineHeight()/2)
		y, w = r.node(n, y)
		width = max(width, w)
		if i < len(m.edges) {
			y, w = r.edge(m.edges[i], y, m.maxDelay())
			width = max(width, w)
		}
	}
	r.lanes(m, dots)
	r.min = fyne.NewSize(width+routePad, y+routePad)
	for _, it := range r.items {
		r.objects = append(r.objects, it.obj)
	}
}

// lanes draws the path between the nodes, under the dots.
func (r *routeRenderer) lanes(m routeModel, dots []float32) {
	var lines []placed
	for i := 1; i < len(dots); i++ {
		l := canvas.NewLine(themeColor(theme.ColorNameDisabled))
		l.StrokeWidth = 2
		l.Position1 = fyne.NewPos(r.laneX, dots[i-1]+routeDot)
		l.Position2 = fyne.NewPos(r.laneX, dots[i]-routeDot)
		lines = append(lines, placed{obj: l})
	}
	var shapes []placed
	for i, n := range m.nodes {
		shapes = append(shapes, r.dotFor(n, dots[i]))
	}
	r.items = append(append(lines, shapes...), r.items...)
}

// dotFor is a node's mark on the path: a dot for a host, a square for the
// mailbox.
func (r *routeRenderer) dotFor(n routeNode, cy float32) placed {
	pos := fyne.NewPos(r.laneX-routeDot, cy-routeDot)
	size := fyne.NewSquareSize(2 * routeDot)
	if n.mailbox {
		rect := canvas.NewRectangle(themeColor(theme.ColorNamePrimary))
		rect.CornerRadius = 3
		return placed{obj: rect, pos: pos, size: size}
	}
	c := canvas.NewCircle(themeColor(theme.ColorNamePrimary))
	c.StrokeColor = themeColor(theme.ColorNameBackground)
	c.StrokeWidth = 2
	return placed{obj: c, pos: pos, size: size}
}

// node draws a host: its time on the left of the path, name and detail, then
// its role and marks. It returns the next y and the width used.
func (r *routeRenderer) node(n routeNode, y float32) (float32, float32) {
	if n.when != "" {
		w := fyne.MeasureText(n.when, textSize(), fyne.TextStyle{Monospace: true}).Width
		r.text(n.when, r.laneX-routeDot-2*routeGap-w, y, textSize(), fyne.TextStyle{Monospace: true}, theme.ColorNamePlaceHolder)
	}
	x := r.text(n.name, r.textX, y, textSize(), fyne.TextStyle{Bold: true}, theme.ColorNameForeground)
	if n.detail != "" {
		x = r.text(n.detail, x+routeGap*2, y, textSize(), fyne.TextStyle{}, theme.ColorNamePlaceHolder)
	}
	y += lineHeight()
	x2 := r.text(n.role, r.textX, y, captionSize(), fyne.TextStyle{Italic: true}, theme.ColorNamePrimary)
	x2 = r.marks(n.marks, x2+routeGap, y)
	return y + captionHeight() + routeGap*2, max(x, x2)
}

// edge draws a hop beside the path: label and marks, detail, the whole field
// when unreadable, and the delay bar.
func (r *routeRenderer) edge(e routeEdge, y float32, maxDelay float64) (float32, float32) {
	y += routeGap
	x := r.text(e.label, r.textX, y, captionSize(), fyne.TextStyle{}, theme.ColorNameForeground)
	x = r.marks(e.marks, x+routeGap, y)
	y += captionHeight()
	if e.detail != "" {
		x = max(x, r.text(e.detail, r.textX, y, captionSize(), fyne.TextStyle{}, theme.ColorNamePlaceHolder))
		y += captionHeight()
	}
	style := fyne.TextStyle{Monospace: true}
	for _, line := range wrapText(e.raw, captionSize(), style, routeRawWidth) {
		x = max(x, r.text(line, r.textX, y, captionSize(), style, theme.ColorNameError))
		y += captionHeight()
	}
	if e.delay != "" {
		y += routeGap / 2
		x = max(x, r.bar(e, y, maxDelay))
		y += lineHeight()
	}
	return y + routeGap, x
}

// bar draws the delay as a bar proportional to the longest delay, and its
// text after it.
func (r *routeRenderer) bar(e routeEdge, y float32, maxDelay float64) float32 {
	w := float32(0)
	if maxDelay > 0 {
		w = float32(math.Abs(e.secs) / maxDelay * routeBarMax)
	}
	if e.secs != 0 {
		w = max(w, 3)
	}
	name := theme.ColorNamePrimary
	switch {
	case e.secs < 0:
		name = theme.ColorNameError
	case e.outbox:
		name = theme.ColorNameDisabled
	}
	rect := canvas.NewRectangle(themeColor(name))
	rect.CornerRadius = 2
	barY := y + (lineHeight()-routeBarH)/2
	r.items = append(r.items, placed{obj: rect, pos: fyne.NewPos(r.textX, barY), size: fyne.NewSize(w, routeBarH)})
	return r.text(e.delay, r.textX+w+routeGap, y, textSize(), fyne.TextStyle{Bold: true}, theme.ColorNameForeground)
}

// marks draws badges from x on the line at y and returns where they end.
func (r *routeRenderer) marks(marks []routeMark, x, y float32) float32 {
	for _, m := range marks {
		fill, stroke := badgeColors(m.level)
		t := canvas.NewText(m.text, themeColor(theme.ColorNameForeground))
		t.TextSize = captionSize()
		t.TextStyle.Bold = true
		ts := t.MinSize()
		rect := canvas.NewRectangle(fill)
		rect.StrokeColor, rect.StrokeWidth = stroke, 1
		rect.CornerRadius = 4
		size := fyne.NewSize(ts.Width+2*badgePad, captionHeight()-2)
		r.items = append(r.items, placed{obj: rect, pos: fyne.NewPos(x, y+1), size: size},
			placed{obj: t, pos: fyne.NewPos(x+badgePad, y+1+(size.Height-ts.Height)/2), size: ts})
		r.texts = append(r.texts, t)
		x += size.Width + routeGap
	}
	return x
}

// text draws one line of text at (x, y) and returns where it ends.
func (r *routeRenderer) text(s string, x, y, size float32, style fyne.TextStyle, c fyne.ThemeColorName) float32 {
	t := canvas.NewText(s, themeColor(c))
	t.TextSize, t.TextStyle = size, style
	ts := t.MinSize()
	h := lineHeight()
	if size < textSize() {
		h = captionHeight()
	}
	r.items = append(r.items, placed{obj: t, pos: fyne.NewPos(x, y+(h-ts.Height)/2), size: ts})
	r.texts = append(r.texts, t)
	return x + ts.Width
}

// maxDelay is the longest delay of the route, in seconds, for the bars' scale.
func (m routeModel) maxDelay() float64 {
	var d float64
	for _, e := range m.edges {
		d = max(d, math.Abs(e.secs))
	}
	return d
}

// badgeColors are a badge's fill, a light tint of its level's colour, and
// its outline; the text stays in the foreground colour, readable in both
// themes.
func badgeColors(l markLevel) (fill, stroke color.Color) {
	name := theme.ColorNamePrimary
	switch l {
	case markGood:
		name = theme.ColorNameSuccess
	case markWarn:
		name = theme.ColorNameWarning
	case markBad:
		name = theme.ColorNameError
	}
	c := color.NRGBAModel.Convert(themeColor(name)).(color.NRGBA)
	stroke = c
	c.A = 0x40
	return c, stroke
}

func themeColor(n fyne.ThemeColorName) color.Color {
	return theme.Color(n)
}

func textSize() float32    { return theme.TextSize() }
func captionSize() float32 { return theme.CaptionTextSize() }

func lineHeight() float32    { return textSize() * 1.6 }
func captionHeight() float32 { return captionSize() * 1.75 }

// wrapText cuts s into lines no wider than width, at spaces when it can.
func wrapText(s string, size float32, style fyne.TextStyle, width float32) []string {
	fits := func(t string) bool { return fyne.MeasureText(t, size, style).Width <= width }
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		next := strings.TrimSpace(line + " " + word)
		if line != "" && !fits(next) {
			lines = append(lines, line)
			next = word
		}
		for rs := []rune(next); !fits(next) && len(rs) > 1; rs = []rune(next) {
			cut := len(rs) - 1
			for cut > 1 && !fits(string(rs[:cut])) {
				cut--
			}
			lines = append(lines, string(rs[:cut]))
			next = string(rs[cut:])
		}
		line = next
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
