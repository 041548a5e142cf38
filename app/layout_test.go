package app

import (
	"testing"

	"fyne.io/fyne/v2"
)

// screens are the window sizes the layout must fit, in each language.
var screens = []struct {
	name   string
	size   fyne.Size
	locale string
}{
	{"800x600 en", fyne.NewSize(800, 600), "en_US.UTF-8"},
	{"800x600 fr", fyne.NewSize(800, 600), "fr_FR.UTF-8"},
	{"1280x800 en", fyne.NewSize(1280, 800), "en_US.UTF-8"},
	{"1280x800 fr", fyne.NewSize(1280, 800), "fr_FR.UTF-8"},
}

// onScreens runs fn on a main window of each size, in each language.
func onScreens(t *testing.T, fn func(t *testing.T, h *harness, size fyne.Size)) {
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			useLanguage(t, sc.locale)
			h := newHarness(t)
			h.w.Resize(sc.size)
			h.settle()
			fn(t, h, sc.size)
		})
	}
}

// fits reports whether a window's content can be drawn within size.
func fits(w fyne.Window, size fyne.Size) bool {
	min := w.Content().MinSize()
	return min.Width <= size.Width && min.Height <= size.Height
}

// The Accounts window without a remote account fits the screen and wraps
// its sentence in lines as wide as its pane.
func TestAccountsWindowWithoutAccountsFits(t *testing.T) {
	onScreens(t, func(t *testing.T, h *harness, size fyne.Size) {
		aw := h.c.showAccounts()
		h.settle()
		if len(aw.accounts) != 0 || !aw.empty.Visible() {
			t.Fatalf("%d accounts, empty state shown: %v", len(aw.accounts), aw.empty.Visible())
		}
		if !fits(aw.win, size) {
			t.Fatalf("the Accounts window needs %v, more than the screen %v", aw.win.Content().MinSize(), size)
		}
		aw.win.Resize(fyne.NewSize(min(900, size.Width), min(620, size.Height)))
		h.settle()
		if w := aw.empty.Size().Width; w < 300 {
			t.Errorf("the sentence is drawn %v px wide", w)
		}
		if h := aw.empty.Size().Height; h > 200 {
			t.Errorf("the sentence is drawn %v px high", h)
		}
	})
}
