package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// foldBar is a row of buttons that fits any width: the buttons that do not
// fit fold into a "⋯" button whose menu holds them, in order. Its minimum
// width is the overflow button's, so the pane around it keeps the width the
// user gives it, in any language.
type foldBar struct {
	buttons []*widget.Button
	more    *widget.Button
	row     *fyne.Container
	hidden  []*widget.Button // the buttons folded by the last layout
	canvas  func() fyne.Canvas
	// extra, when set, are menu items that are always behind "⋯", after
	// the folded buttons.
	extra func() []*fyne.MenuItem
}

// newFoldBar lays buttons out in a folding row; cv is the canvas of the
// window, where the menu of the folded buttons opens.
func newFoldBar(cv func() fyne.Canvas, buttons ...*widget.Button) *foldBar {
	f := &foldBar{buttons: buttons, canvas: cv}
	f.more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), f.showMore)
	f.more.Importance = widget.LowImportance
	objs := make([]fyne.CanvasObject, 0, len(buttons)+1)
	for _, b := range buttons {
		objs = append(objs, b)
	}
	f.row = container.New(&foldLayout{bar: f}, append(objs, f.more)...)
	return f
}

// showMore opens the menu of the folded buttons under the "⋯" button.
func (f *foldBar) showMore() {
	var items []*fyne.MenuItem
	for _, b := range f.hidden {
		item := fyne.NewMenuItem(b.Text, b.OnTapped)
		item.Icon = b.Icon
		item.Disabled = b.Disabled()
		items = append(items, item)
	}
	if f.extra != nil {
		if len(items) > 0 {
			items = append(items, fyne.NewMenuItemSeparator())
		}
		items = append(items, f.extra()...)
	}
	if len(items) == 0 {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.more)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), f.canvas(), pos.AddXY(0, f.more.Size().Height))
}

// foldLayout places the buttons left to right while they fit, the overflow
// button last when some do not.
type foldLayout struct{ bar *foldBar }

func (l *foldLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f := l.bar
	pad := theme.Padding()
	moreW := f.more.MinSize().Width
	total := float32(0)
	for _, b := range f.buttons {
		total += b.MinSize().Width + pad
	}
	room := size.Width
	if f.extra != nil || total-pad > size.Width {
		room = size.Width - moreW - pad // some fold: keep room for ⋯
	}
	f.hidden = f.hidden[:0]
	x := float32(0)
	for _, b := range f.buttons {
		w := b.MinSize().Width
		if len(f.hidden) > 0 || x+w > room {
			f.hidden = append(f.hidden, b)
			b.Hide()
			continue
		}
		b.Show()
		b.Resize(fyne.NewSize(w, size.Height))
		b.Move(fyne.NewPos(x, 0))
		x += w + pad
	}
	if len(f.hidden) == 0 && f.extra == nil {
		f.more.Hide()
		return
	}
	f.more.Show()
	f.more.Resize(fyne.NewSize(moreW, size.Height))
	f.more.Move(fyne.NewPos(x, 0))
}

func (l *foldLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := l.bar.more.MinSize().Height
	for _, b := range l.bar.buttons {
		h = max(h, b.MinSize().Height)
	}
	return fyne.NewSize(l.bar.more.MinSize().Width, h)
}

// paneMin keeps a pane at least w wide, whatever its content would accept,
// so that a split gives it a sensible share at any window width.
type paneMin struct{ w float32 }

func (l paneMin) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l paneMin) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return fyne.NewSize(max(s.Width, l.w), s.Height)
}

// Minimum widths of the panes of the main window: together they fit an
// 800 px wide window.
const (
	folderPaneMin = 220
	listPaneMin   = 250
	readerPaneMin = 300
)
