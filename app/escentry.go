package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// escEntry is an entry of a dialog-like window (the Add account wizard)
// where Escape closes the window, as it does in GTK's and Windows' dialogs:
// a focused widget.Entry keeps every key, so the window's own Escape
// (closeOnEscape) never saw it while the user was typing.
type escEntry struct {
	widget.Entry
	onEscape func()
}

// newEscEntry is a one-line entry as widget.NewEntry's, or as
// widget.NewPasswordEntry's with a button that shows the password when
// password is true, whose Escape runs onEscape.
func newEscEntry(password bool, onEscape func()) *escEntry {
	e := &escEntry{onEscape: onEscape}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	if password {
		e.Password = true
		var reveal *widget.Button
		reveal = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), func() {
			e.Password = !e.Password
			if e.Password {
				reveal.SetIcon(theme.VisibilityOffIcon())
			} else {
				reveal.SetIcon(theme.VisibilityIcon())
			}
			e.Refresh()
		})
		reveal.Importance = widget.LowImportance
		e.ActionItem = reveal
	}
	return e
}

// TypedKey gives Escape to onEscape, every other key to the entry.
func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}
