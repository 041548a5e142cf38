package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
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
