package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// rawView is the raw message of a View source window: monospace, read
// only; the user selects it with the mouse or the keyboard and copies it,
// and Escape closes the window wherever the focus is. Fyne's selectable
// Label, used before, took the focus on a click and then kept every key
// for itself, Escape included: the window no longer closed on Escape.
type rawView struct {
	widget.Entry
	onEscape func()
}

func newRawView(text string, onEscape func()) *rawView {
	e := &rawView{onEscape: onEscape}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapOff
	e.TextStyle.Monospace = true
	e.ExtendBaseWidget(e)
	e.SetText(text)
	return e
}

// TypedRune ignores what is typed: the source is not edited.
func (e *rawView) TypedRune(rune) {}

// TypedKey closes the window on Escape and moves the cursor (Shift held:
// the selection) with the keys that move; the keys that edit do nothing.
func (e *rawView) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		if e.onEscape != nil {
			e.onEscape()
		}
	case fyne.KeyUp, fyne.KeyDown, fyne.KeyLeft, fyne.KeyRight,
		fyne.KeyHome, fyne.KeyEnd, fyne.KeyPageUp, fyne.KeyPageDown:
		e.Entry.TypedKey(k)
	}
}

// TypedShortcut copies and selects all; cut, paste and undo do nothing.
func (e *rawView) TypedShortcut(s fyne.Shortcut) {
	switch s.(type) {
	case *fyne.ShortcutCopy, *fyne.ShortcutSelectAll:
		e.Entry.TypedShortcut(s)
	}
}

// TappedSecondary shows the menu of a read-only text: Copy, Select all.
func (e *rawView) TappedSecondary(ev *fyne.PointEvent) {
	a := fyne.CurrentApp()
	cv := a.Driver().CanvasForObject(e)
	if cv == nil {
		return
	}
	cb := a.Clipboard()
	m := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Copy"), func() { e.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb}) }),
		fyne.NewMenuItem(lang.L("Select all"), func() { e.TypedShortcut(&fyne.ShortcutSelectAll{}) }))
	widget.ShowPopUpMenuAtPosition(m, cv, ev.AbsolutePosition)
}
