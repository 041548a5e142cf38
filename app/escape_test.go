package app

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// Escape closes every secondary window, whichever way it was opened (a
// menu item or a button). The main window and the composer stay open: the
// composer holds text that Escape must not throw away.
func TestEscapeClosesSecondaryWindows(t *testing.T) {
	cases := []struct {
		name string
		open func(h *harness)
	}{
		{"Accounts", func(h *harness) { h.menuItemOf("File", "Accounts…").Action() }},
		{"Add account", func(h *harness) { h.menuItemOf("File", "Add account…").Action() }},
		{"Filters", func(h *harness) { h.menuItemOf("File", "Filters…").Action() }},
		{"Local MTA", func(h *harness) { h.menuItemOf("Mail system", "Local MTA…").Action() }},
		{"Source", func(h *harness) {
			h.open("test itineraire")
			test.Tap(h.c.ui.reader.sourceBtn)
		}},
		{"Inspector", func(h *harness) {
			h.open("test itineraire")
			h.menuItemOf("View", "Inspect headers").Action()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			before := h.c.app.Driver().AllWindows()
			tc.open(h)
			h.settle()
			w := h.newWindow(before)
			if w.Canvas().Focused() != nil {
				// a focused entry keeps Escape (it is the entry's key):
				// the user leaves it first, as with a click on the window
				w.Canvas().Unfocus()
			}
			onKey := w.Canvas().OnTypedKey()
			if onKey == nil {
				t.Fatalf("the %s window takes no key: Escape does nothing", tc.name)
			}
			onKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			h.settle()
			if slices.Contains(h.c.app.Driver().AllWindows(), w) {
				t.Fatalf("Escape left the %s window open", tc.name)
			}
			if !slices.Contains(h.c.app.Driver().AllWindows(), h.w) {
				t.Fatal("Escape closed the main window")
			}
		})
	}
}

// newWindow is the one window opened since before.
func (h *harness) newWindow(before []fyne.Window) fyne.Window {
	h.t.Helper()
	var opened []fyne.Window
	for _, w := range h.c.app.Driver().AllWindows() {
		if !slices.Contains(before, w) {
			opened = append(opened, w)
		}
	}
	if len(opened) != 1 {
		h.t.Fatalf("%d windows opened, want 1", len(opened))
	}
	return opened[0]
}

// TestEscapeInWizardEntries: Escape typed in any entry of the Add account
// wizard (the focus is in one from the start) closes it, as in GTK's and
// Windows' dialogs; other keys still reach the entry.
func TestEscapeInWizardEntries(t *testing.T) {
	entries := map[string]func(w *wizard) *escEntry{
		"address":  func(w *wizard) *escEntry { return w.address },
		"password": func(w *wizard) *escEntry { return w.password },
		"manual IMAP host": func(w *wizard) *escEntry {
			test.Tap(w.manual.toggle) // "Set the servers by hand"
			return w.manual.inHost
		},
	}
	for name, entry := range entries {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			wz := h.c.showWizard()
			h.settle()
			e := entry(wz)
			wz.win.Canvas().Focus(e)
			test.Type(e, "ab")
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
			if e.Text != "a" {
				t.Fatalf("typing then Backspace left %q, want \"a\"", e.Text)
			}
			focused, ok := wz.win.Canvas().Focused().(fyne.Focusable)
			if !ok || focused != fyne.Focusable(e) {
				t.Fatalf("focus on %T, want the %s entry", wz.win.Canvas().Focused(), name)
			}
			focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			h.settle()
			if slices.Contains(h.c.app.Driver().AllWindows(), wz.win) {
				t.Fatalf("Escape in the %s entry left the wizard open", name)
			}
		})
	}
}

// A click in the text of a View source window gives it the keyboard, as
// the desktop driver does: the text is selected and copied but not
// edited, and Escape still closes the window (Fyne's selectable Label
// kept Escape).
func TestEscapeAfterAClickInTheSource(t *testing.T) {
	h := newHarness(t)
	h.open("test itineraire")
	before := h.c.app.Driver().AllWindows()
	test.Tap(h.c.ui.reader.sourceBtn)
	h.settle()
	w := h.newWindow(before)
	// the object a click lands on: the deepest one that takes the mouse
	var clicked desktop.Mouseable
	walk(w.Content(), func(o fyne.CanvasObject) {
		if m, ok := o.(desktop.Mouseable); ok {
			if _, ok := o.(fyne.Focusable); ok {
				clicked = m
			}
		}
	})
	if clicked == nil {
		t.Fatal("nothing in the source window takes a click")
	}
	clicked.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	clicked.MouseUp(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	if tp, ok := clicked.(fyne.Tappable); ok {
		tp.Tapped(&fyne.PointEvent{})
	}
	focused := w.Canvas().Focused()
	if focused == nil {
		t.Fatal("a click in the source gave the keyboard to nothing")
	}
	text := func() string {
		var s string
		walk(w.Content(), func(o fyne.CanvasObject) {
			if v, ok := o.(*rawView); ok {
				s = v.Text
			}
		})
		return s
	}
	raw := text()
	focused.TypedRune('x')
	cb := h.c.app.Clipboard()
	cb.SetContent("pasted")
	if sc, ok := focused.(fyne.Shortcutable); ok {
		sc.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
		sc.TypedShortcut(&fyne.ShortcutSelectAll{})
		sc.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb})
	}
	if got := text(); got != raw || !strings.Contains(raw, "Received: from mahonia.w-n-doo.fr") {
		t.Errorf("the source was edited or is not shown: %.80q", got)
	}
	if !strings.Contains(cb.Content(), "Received: from mahonia.w-n-doo.fr") {
		t.Errorf("Select all then Copy put %.80q on the clipboard", cb.Content())
	}
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.settle()
	if slices.Contains(h.c.app.Driver().AllWindows(), w) {
		t.Fatalf("Escape after a click in the source (focus on %T) left the window open", focused)
	}
}
