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
