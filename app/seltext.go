package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// selLabel is a selectable label (widget.Label with Selectable set) that
// leaves the window its keys.
//
// Fyne 2.7's Label does its selection in an object of its own (the
// unexported focusSelectable of widget/label.go): a click gives that object
// the focus, and its TypedKey and TypedRune are empty, so after a click on
// the subject, an address or a plain text body the window's letters and
// keys (j, k, u, s, Delete, Escape…) went nowhere, and its shortcuts other
// than Copy as well. selLabel puts a grip in the selection's place in the
// label's tree: the grip passes the mouse on to Fyne's selection (which
// keeps drawing and copying the text) and takes the focus itself. Focused,
// it copies (Ctrl+C, and Copy in its menu), selects all the text (Ctrl+A,
// Select all in its menu), and hands every other key, letter and shortcut
// to the window: the canvas's OnTypedKey, OnTypedRune and shortcuts, as if
// nothing had the focus.
type selLabel struct {
	widget.Label
}

// newSelLabel is widget.NewLabel(text) with Selectable set.
func newSelLabel(text string) *selLabel {
	l := &selLabel{}
	l.Text = text
	l.Selectable = true
	l.ExtendBaseWidget(l)
	return l
}

// selection is what selLabel uses of the Label's selection object; every
// method is one of Fyne's exported interfaces.
type selection interface {
	fyne.Widget
	fyne.Focusable
	fyne.Shortcutable
	fyne.Tappable
	fyne.DoubleTappable
	fyne.Draggable
	desktop.Mouseable
	SelectedText() string
}

// CreateRenderer is the Label's renderer with the grip in place of the
// selection object, or the Label's own if its objects are not as expected
// (another Fyne version).
func (l *selLabel) CreateRenderer() fyne.WidgetRenderer {
	inner := l.Label.CreateRenderer()
	objs := inner.Objects()
	if len(objs) != 2 {
		return inner
	}
	sel, ok := objs[0].(selection)
	if !ok {
		return inner
	}
	g := &selGrip{sel: sel, drawn: sel.CreateRenderer()}
	g.ExtendBaseWidget(g)
	return &selLabelRenderer{WidgetRenderer: inner, grip: g}
}

// selLabelRenderer is the Label's renderer, the grip in the selection's
// place.
type selLabelRenderer struct {
	fyne.WidgetRenderer
	grip *selGrip
}

func (r *selLabelRenderer) Layout(s fyne.Size) {
	r.WidgetRenderer.Layout(s)
	r.grip.Resize(s)
}

func (r *selLabelRenderer) Objects() []fyne.CanvasObject {
	objs := r.WidgetRenderer.Objects()
	if len(objs) != 2 { // no longer Selectable: the text alone
		return objs
	}
	return []fyne.CanvasObject{r.grip, objs[1]}
}

func (r *selLabelRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	r.grip.Refresh()
}

// selGrip stands in the label's tree where Fyne's selection object was:
// it is what the mouse finds and what takes the focus. The selection
// object is out of the tree (no canvas knows it, so it never takes the
// focus); the grip draws the selection with a renderer of its own.
type selGrip struct {
	widget.BaseWidget
	sel   selection
	drawn fyne.WidgetRenderer // the selection's rectangles
}

func (g *selGrip) CreateRenderer() fyne.WidgetRenderer {
	return &selGripRenderer{g: g}
}

// selGripRenderer draws the selection's rectangles.
type selGripRenderer struct {
	g *selGrip
}

func (r *selGripRenderer) Destroy()                     {}
func (r *selGripRenderer) Layout(fyne.Size)             {}
func (r *selGripRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *selGripRenderer) Objects() []fyne.CanvasObject { return r.g.drawn.Objects() }

func (r *selGripRenderer) Refresh() {
	r.g.drawn.Refresh()
	canvas.Refresh(r.g)
}

// Cursor is the text cursor, as over the Label's text.
func (g *selGrip) Cursor() desktop.Cursor { return desktop.TextCursor }

// MouseDown starts a selection and takes the focus.
func (g *selGrip) MouseDown(e *desktop.MouseEvent) {
	g.sel.MouseDown(e)
	g.focus()
}

func (g *selGrip) MouseUp(e *desktop.MouseEvent) {
	g.sel.MouseUp(e)
	g.Refresh()
}

func (g *selGrip) Dragged(e *fyne.DragEvent) {
	g.sel.Dragged(e)
	g.focus()
}

func (g *selGrip) DragEnd() {
	g.sel.DragEnd()
	g.Refresh()
}

// DoubleTapped selects a word.
func (g *selGrip) DoubleTapped(e *fyne.PointEvent) {
	g.sel.DoubleTapped(e)
	g.focus()
}

func (g *selGrip) Tapped(e *fyne.PointEvent) {
	g.sel.Tapped(e)
	g.Refresh()
}

// TappedSecondary shows the menu of a read-only text: Copy, Select all.
func (g *selGrip) TappedSecondary(e *fyne.PointEvent) {
	a := fyne.CurrentApp()
	cv := a.Driver().CanvasForObject(g)
	if cv == nil {
		return
	}
	cb := a.Clipboard()
	m := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Copy"), func() { g.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb}) }),
		fyne.NewMenuItem(lang.L("Select all"), func() { g.TypedShortcut(&fyne.ShortcutSelectAll{}) }))
	widget.ShowPopUpMenuAtPosition(m, cv, e.AbsolutePosition)
}

// focus gives the grip the keyboard (the selection is drawn while it has
// it) and redraws the selection.
func (g *selGrip) focus() {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(g); cv != nil && cv.Focused() != g {
		cv.Focus(g)
	}
	g.Refresh()
}

// FocusGained shows the selection.
func (g *selGrip) FocusGained() {
	g.sel.FocusGained()
	g.Refresh()
}

// FocusLost hides the selection.
func (g *selGrip) FocusLost() {
	g.sel.FocusLost()
	g.Refresh()
}

// SelectedText is the text selected.
func (g *selGrip) SelectedText() string { return g.sel.SelectedText() }

// TypedKey goes to the window, as when nothing has the focus.
func (g *selGrip) TypedKey(e *fyne.KeyEvent) {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(g); cv != nil {
		if on := cv.OnTypedKey(); on != nil {
			on(e)
		}
	}
}

// TypedRune goes to the window, as when nothing has the focus.
func (g *selGrip) TypedRune(r rune) {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(g); cv != nil {
		if on := cv.OnTypedRune(); on != nil {
			on(r)
		}
	}
}

// TypedShortcut copies, selects all the text, and gives every other
// shortcut to the window.
func (g *selGrip) TypedShortcut(s fyne.Shortcut) {
	switch s.(type) {
	case *fyne.ShortcutCopy:
		g.sel.TypedShortcut(s)
		return
	case *fyne.ShortcutSelectAll:
		g.selectAll()
		return
	}
	if cv, ok := fyne.CurrentApp().Driver().CanvasForObject(g).(fyne.Shortcutable); ok {
		cv.TypedShortcut(s)
	}
}

// selectAll selects the whole text as a drag from its start to past its
// end does: Fyne's selection has no other way in.
func (g *selGrip) selectAll() {
	const far = 1e9 // below the last line, right of any text
	end := fyne.NewPos(far, far)
	g.sel.DragEnd() // a new drag starts a new selection
	g.sel.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: end}, Dragged: fyne.NewDelta(far, far)})
	g.sel.DragEnd()
	g.focus()
}
