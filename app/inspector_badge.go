package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// badge is a short bold word on a coloured background: a verdict (pass,
// primary) or a flag, in the colours of its level and of the current theme.
type badge struct {
	widget.BaseWidget
	Text  string
	level markLevel
}

func newBadge(text string, level markLevel) *badge {
	b := &badge{Text: text, level: level}
	b.ExtendBaseWidget(b)
	return b
}

func (b *badge) CreateRenderer() fyne.WidgetRenderer {
	r := &badgeRenderer{b: b, bg: canvas.NewRectangle(nil), text: canvas.NewText("", nil)}
	r.bg.CornerRadius = 4
	r.text.TextStyle.Bold = true
	r.Refresh()
	return r
}

type badgeRenderer struct {
	b    *badge
	bg   *canvas.Rectangle
	text *canvas.Text
}

const badgePad = 6

func (r *badgeRenderer) Destroy() {}

func (r *badgeRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.text} }

func (r *badgeRenderer) MinSize() fyne.Size {
	ts := r.text.MinSize()
	return fyne.NewSize(ts.Width+2*badgePad, ts.Height+2)
}

func (r *badgeRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	ts := r.text.MinSize()
	r.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.text.Resize(ts)
}

func (r *badgeRenderer) Refresh() {
	r.bg.FillColor, r.bg.StrokeColor = badgeColors(r.b.level)
	r.bg.StrokeWidth = 1
	r.text.Color = themeColor(theme.ColorNameForeground)
	r.text.Text = r.b.Text
	r.text.TextSize = captionSize()
	r.bg.Refresh()
	r.text.Refresh()
}
