package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Keyboard: j/k and Down/Up open the next and previous message, Delete moves it
// to the Trash, u toggles read, s or f toggles the flag, Ctrl+F (or /) goes to
// the search entry, Ctrl+I imports, Ctrl+H (or i) opens the header inspector,
// Ctrl+N writes a new message, r (or Ctrl+R) replies, Shift+R or a replies to all,
// F5 (or Ctrl+Shift+R) checks mail. The list and the tree forward their keys
// here while they have the focus; the search entry keeps its letters.

var (
	shortcutSearch = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutImport = &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutQuit   = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
	// shortcutCheck is shown in the menu; F5 does the same.
	shortcutCheck = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	shortcutNew   = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	// shortcutReply is shown in the menu; the r key does the same.
	shortcutReply = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
)

// installShortcuts binds the keys on the window's canvas. The menu carries the
// same Ctrl shortcuts, which the desktop driver checks first.
func (c *controller) installShortcuts() {
	cv := c.win.Canvas()
	cv.SetOnTypedRune(func(r rune) { c.typedRune(r) })
	cv.SetOnTypedKey(func(e *fyne.KeyEvent) { c.typedKey(e) })
	cv.AddShortcut(shortcutSearch, func(fyne.Shortcut) { c.focusSearch() })
	cv.AddShortcut(shortcutImport, func(fyne.Shortcut) { c.showImport() })
	cv.AddShortcut(shortcutInspect, func(fyne.Shortcut) { c.inspectSelected() })
	cv.AddShortcut(shortcutNew, func(fyne.Shortcut) { c.newMessage() })
	cv.AddShortcut(shortcutCheck, func(fyne.Shortcut) { c.checkMail() })
	cv.AddShortcut(shortcutReply, func(fyne.Shortcut) { c.composeFromSelected(composeReply) })
	c.win.SetOnDropped(c.dropped)
}

// typedRune handles a letter typed outside the search entry.
func (c *controller) typedRune(r rune) bool {
	switch r {
	case 'j':
		c.step(1)
	case 'k':
		c.step(-1)
	case 'u':
		c.toggleRead()
	case 's', 'f':
		c.toggleFlag()
	case '/':
		c.focusSearch()
	case 'i':
		c.inspectSelected()
	case 'r':
		c.composeFromSelected(composeReply)
	case 'R', 'a':
		c.composeFromSelected(composeReplyAll)
	default:
		return false
	}
	return true
}

// typedKey handles a key typed outside the search entry.
func (c *controller) typedKey(e *fyne.KeyEvent) bool {
	switch e.Name {
	case fyne.KeyDown:
		c.step(1)
	case fyne.KeyUp:
		c.step(-1)
	case fyne.KeyDelete:
		c.deleteSelected()
	case fyne.KeyF5:
		c.checkMail()
	case fyne.KeyEscape:
		if c.listing.kind != listSearch {
			return false
		}
		c.escapeSearch()
	default:
		return false
	}
	return true
}
