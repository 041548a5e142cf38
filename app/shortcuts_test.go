package app

import (
	"strings"
	"testing"
)

// Help > Keyboard shortcuts lists every key the window answers, from the
// same table that binds them.
func TestKeyboardHelpListsEveryBinding(t *testing.T) {
	h := newHarness(t)
	h.c.showKeys()
	h.settle()
	text := h.overlayText()
	for _, want := range []string{"j, ↓", "k, ↑", "u", "s, f", "Delete", "r, Ctrl+R", "a, R", "Ctrl+N",
		"i, Ctrl+H", "/, Ctrl+F", "Escape", "F5, Ctrl+Shift+R", "Ctrl+I", "Ctrl+Q"} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("the help lacks %q:\n%s", want, text)
		}
	}
	for _, b := range bindings() {
		if !strings.Contains(text, b.keysText()+"\n"+b.help+"\n") {
			t.Errorf("the help lacks the row %q %q", b.keysText(), b.help)
		}
	}
	// every letter and key of the table does something in the window
	for _, b := range bindings() {
		for _, r := range b.runes {
			if b.run == nil || !h.c.typedRune(r) {
				t.Errorf("%q is in the help but the window ignores it", r)
			}
		}
	}
}
