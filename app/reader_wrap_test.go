package app

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"facteur/internal/htmldoc"
)

// A link that does not fit in what is left of its row goes to the next
// one, and one wider than a row is cut into its words: at every width,
// nothing of a paragraph is drawn past its edges (nor below: its height
// holds its rows), and its text is all there (Fyne 2.7 put such a link past the edge and cut the text after
// it).
func TestLinksWrapInTheirRow(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("wrap")
	pages := []string{
		`<p>This purchase will appear as “[Credit Card Statement Name]” on your credit card statement for your Visa ending in 4242. Need to <a href="https://example.com/billing">update your payment information</a>?</p>`,
		`<p align=center>This purchase will appear as “[Credit Card Statement Name]” on your credit card statement. Need to <a href="https://example.com/billing">update your payment information</a>? Thanks.</p>`,
		`<p>See <a href="https://example.com/a">a link whose text is much longer than a whole row of the reader at this width</a> and <a href="https://example.com/b">another</a> then the end.</p>`,
	}
	for _, width := range []float32{300, 420, 500, 700} {
		for _, page := range pages {
			d := htmldoc.Parse([]byte(page), htmldoc.Options{})
			obj := (&docRender{open: func(*url.URL) {}}).render(d)
			w.SetContent(container.NewVScroll(obj))
			w.Resize(fyne.NewSize(width, 600))
			w.Content().Refresh() // the layout pass a frame makes once the rows are known
			var para *linkText
			walk(obj, func(o fyne.CanvasObject) {
				if lt, ok := o.(*linkText); ok && para == nil {
					para = lt
				}
			})
			if para == nil {
				t.Fatalf("%s: no paragraph with links", page)
			}
			size := para.Size()
			leaves(para, fyne.Position{}, func(o fyne.CanvasObject, p fyne.Position) {
				if s := o.Size(); p.X < -0.5 || s.Width < 0 || p.X+s.Width > size.Width+0.5 || p.Y+s.Height > size.Height+0.5 {
					t.Errorf("width %v: %T at %v, %v, past the paragraph's %v in\n%s", width, o, p, s, size, page)
				}
			})
			got := strings.Join(strings.Fields(segmentText(para.Segments)), " ")
			if want := strings.Join(strings.Fields(d.Text()), " "); got != want {
				t.Errorf("width %v: text %q, want %q", width, got, want)
			}
		}
	}
}

// leaves calls fn on each visible object drawn under o that has no
// children, with its position relative to o's parent (o at off).
func leaves(o fyne.CanvasObject, off fyne.Position, fn func(fyne.CanvasObject, fyne.Position)) {
	if o == nil || !o.Visible() {
		return
	}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	}
	if len(children) == 0 {
		fn(o, off)
		return
	}
	for _, c := range children {
		leaves(c, off.Add(c.Position()), fn)
	}
}
