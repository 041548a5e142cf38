package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
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

// The windows fit 800 px in both languages: the main window's panes keep
// their minimums and proportions, every toolbar button is drawn whole
// inside its bar or folded behind "⋯"; the Accounts window without an
// account fits too.
func TestWindowsFitAndToolbarsFold(t *testing.T) {
	onScreens(t, func(t *testing.T, h *harness, size fyne.Size) {
		accountsWindowFits(t, h, size)
		h.open("test itineraire")
		if !fits(h.w, size) {
			t.Fatalf("the window needs %v, more than %v", h.w.Content().MinSize(), size)
		}
		folders, list, reader := h.c.ui.panes[0], h.c.ui.panes[1], h.c.ui.panes[2]
		if w := folders.Size().Width; w < folderPaneMin || w > 0.3*size.Width {
			t.Errorf("the folder pane is %v px wide in %v", w, size.Width)
		}
		if list.Size().Width < listPaneMin || reader.Size().Width < readerPaneMin {
			t.Errorf("list %v px, reader %v px", list.Size().Width, reader.Size().Width)
		}
		for i, bar := range h.c.ui.bars {
			folded := map[*widget.Button]bool{}
			for _, b := range bar.hidden {
				folded[b] = true
			}
			for _, b := range bar.buttons {
				switch {
				case folded[b] && b.Visible():
					t.Errorf("bar %d: %q is folded and drawn", i, b.Text)
				case !folded[b] && (!b.Visible() || b.Position().X+b.Size().Width > bar.row.Size().Width):
					t.Errorf("bar %d: %q is cut (%v + %v > %v)", i, b.Text, b.Position().X, b.Size().Width, bar.row.Size().Width)
				case !folded[b] && b.Size().Width < b.MinSize().Width:
					t.Errorf("bar %d: %q is drawn narrower than its label", i, b.Text)
				}
			}
			if len(bar.hidden) > 0 && !bar.more.Visible() {
				t.Errorf("bar %d: %d buttons folded, no ⋯", i, len(bar.hidden))
			}
		}
	})
}

// accountsWindowFits: the Accounts window without a remote account fits
// the screen and wraps its sentence in lines as wide as its pane.
func accountsWindowFits(t *testing.T, h *harness, size fyne.Size) {
	t.Helper()
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
}

// The account's status keeps each line clear of the next: a count of
// messages wrapped on three lines at 900 px pushes the Check button down
// (it was drawn over the button).
func TestAccountStatusLinesDoNotOverlap(t *testing.T) {
	h := newHarness(t)
	h.c.stageAccounts(0)
	h.settle()
	aw := h.c.accts.win
	aw.win.Resize(fyne.NewSize(900, 620))
	h.settle()
	form, buttons := aw.status.Objects[0], aw.status.Objects[len(aw.status.Objects)-1]
	bottom := form.Position().Y + aw.stored.Position().Y + aw.stored.MinSize().Height
	if top := buttons.Position().Y; top < bottom {
		t.Errorf("the Check button's top at %v, over the message count that ends at %v (%q)", top, bottom, aw.stored.Text)
	}
}
