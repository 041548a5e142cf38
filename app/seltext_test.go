package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// clickText clicks in the text of o as the desktop driver does: the mouse
// goes down and up on the object that takes it there (the deepest under
// the pointer: within a label, its selection), then the tap. It returns
// that object.
func clickText(t *testing.T, c fyne.Canvas, o fyne.CanvasObject) desktop.Mouseable {
	t.Helper()
	var target desktop.Mouseable
	walk(o, func(x fyne.CanvasObject) {
		if m, ok := x.(desktop.Mouseable); ok {
			target = m
		}
	})
	if target == nil {
		t.Fatalf("nothing in the %T takes a click", o)
	}
	ev := &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}
	ev.Position = fyne.NewPos(4, 4)
	target.MouseDown(ev)
	target.MouseUp(ev)
	if tp, ok := target.(fyne.Tappable); ok {
		if f, ok := target.(fyne.Focusable); !ok || c.Focused() != f {
			c.Unfocus() // the driver: a click on what has not the focus
		}
		tp.Tapped(&ev.PointEvent)
	}
	return target
}

// After a click in the subject, an address, the date or the plain text
// of the body (to select and copy it), the window's letters and keys still
// work: j opens the next message, u marks it read or unread, s flags it,
// Delete moves it to the Trash, as with nothing focused. Fyne's selectable
// Label took the focus on the click and kept every key.
func TestKeysAfterAClickInTheReadersText(t *testing.T) {
	labels := map[string]func(h *harness) fyne.CanvasObject{
		"subject": func(h *harness) fyne.CanvasObject { return h.c.ui.reader.subject },
		"from":    func(h *harness) fyne.CanvasObject { return h.c.ui.reader.from },
		"to":      func(h *harness) fyne.CanvasObject { return h.c.ui.reader.to },
		"date":    func(h *harness) fyne.CanvasObject { return h.c.ui.reader.date },
		"body":    bodyLabel,
	}
	for name, label := range labels {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			subjects := h.subjects()
			first := h.open(subjects[0])
			clickText(t, h.w.Canvas(), label(h))
			if h.w.Canvas().Focused() == nil {
				t.Fatal("a click in the text gave the keyboard to nothing: it could not be copied")
			}
			h.typeRune('j')
			next, _ := h.c.selected()
			if next.ID == first.ID {
				t.Fatalf("j after a click in the %s: the reader still shows %q (focus on %T)", name, first.Subject, h.w.Canvas().Focused())
			}
			// the keys go on working after j (the list has them now), and
			// before it: click again in the new message's text
			clickText(t, h.w.Canvas(), label(h))
			was := h.storeFlags(next.ID)
			h.typeRune('u')
			h.typeRune('s')
			now := h.storeFlags(next.ID)
			if now&mailstore.FlagSeen == was&mailstore.FlagSeen {
				t.Errorf("u after a click in the %s left the message's read mark: %v", name, now)
			}
			if now&mailstore.FlagFlagged == was&mailstore.FlagFlagged {
				t.Errorf("s after a click in the %s left the message's flag: %v", name, now)
			}
			clickText(t, h.w.Canvas(), label(h))
			h.typeKey(fyne.KeyDelete)
			if h.c.ui.reader.sum.ID == next.ID {
				t.Errorf("Delete after a click in the %s left %q in the folder", name, next.Subject)
			}
		})
	}
}

// bodyLabel is the text of the body: a text body as the reader draws it,
// or an HTML one as Select text shows it.
func bodyLabel(h *harness) fyne.CanvasObject {
	r := h.c.ui.reader
	if r.body.Visible() {
		return r.body
	}
	var l *selLabel
	walk(r.rich, func(o fyne.CanvasObject) {
		if x, ok := o.(*selLabel); ok && l == nil {
			l = x
		}
	})
	if l == nil { // an HTML body: its text
		h.c.toggleSelectText()
		h.settle()
		return r.body
	}
	return l
}

// Escape after a click in the search results' reader leaves the search,
// as it does with nothing focused.
func TestEscapeAfterAClickInTheReaderLeavesTheSearch(t *testing.T) {
	h := newHarness(t)
	h.c.focusSearch()
	test.Type(h.c.ui.searchEntry, "itin")
	h.settle()
	h.c.ui.list.Select(0)
	h.settle()
	clickText(t, h.w.Canvas(), h.c.ui.reader.subject)
	h.typeKey(fyne.KeyEscape)
	if h.c.listing.kind == listSearch {
		t.Fatalf("Escape after a click in the subject left the search on (focus on %T)", h.w.Canvas().Focused())
	}
}

// The text clicked is still selected and copied: a drag selects, Ctrl+C
// copies it; Ctrl+A selects the whole text of the label (not the
// messages of the list), and Copy in its menu copies it.
func TestTextOfTheReaderIsSelectedAndCopied(t *testing.T) {
	h := newHarness(t)
	s := h.open("test itineraire")
	c := h.w.Canvas()
	target := clickText(t, c, h.c.ui.reader.subject)
	drag, ok := target.(fyne.Draggable)
	if !ok {
		t.Fatalf("the subject (%T) cannot be dragged over to select it", target)
	}
	drag.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(2000, 4)}, Dragged: fyne.NewDelta(1996, 0)})
	drag.DragEnd()
	focused, ok := c.Focused().(fyne.Shortcutable)
	if !ok {
		t.Fatalf("after a drag over the subject the focus is on %T, which copies nothing", c.Focused())
	}
	drawn := false
	walk(h.c.ui.reader.subject, func(o fyne.CanvasObject) {
		if r, ok := o.(*canvas.Rectangle); ok && r.Size().Width > 10 {
			drawn = true
		}
	})
	if !drawn {
		t.Error("the selection of the subject is not drawn")
	}
	cb := h.c.app.Clipboard()
	cb.SetContent("")
	focused.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb})
	if got := cb.Content(); got != s.Subject {
		t.Errorf("Ctrl+C after selecting the subject copied %q, want %q", got, s.Subject)
	}

	target = clickText(t, c, h.c.ui.reader.from)
	cb.SetContent("")
	focused, _ = c.Focused().(fyne.Shortcutable)
	if focused == nil {
		t.Fatalf("after a click on From the focus is on %T", c.Focused())
	}
	focused.TypedShortcut(&fyne.ShortcutSelectAll{})
	focused.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb})
	if got, want := cb.Content(), h.c.ui.reader.from.Text; got != want || want == "" {
		t.Errorf("Ctrl+A, Ctrl+C in From copied %q, want %q", got, want)
	}
	if n := len(h.c.selectedMsgs()); n != 1 {
		t.Errorf("Ctrl+A in From selected %d messages of the list, want the text only", n)
	}

	sec, ok := target.(fyne.SecondaryTappable)
	if !ok {
		t.Fatalf("From (%T) has no menu", target)
	}
	cb.SetContent("")
	sec.TappedSecondary(&fyne.PointEvent{})
	pop := h.popUpMenu()
	pop.ActivateNext() // Copy, as Down then Enter do
	pop.TriggerLast()
	if got := cb.Content(); got != h.c.ui.reader.from.Text {
		t.Errorf("Copy in the menu of From copied %q", got)
	}
}

// Escape closes the Inspector and the Local MTA window after a click in
// their text, as before it.
func TestEscapeAfterAClickInTheTextOfSecondaryWindows(t *testing.T) {
	cases := map[string]struct {
		open func(h *harness)
		text func(h *harness) fyne.CanvasObject
	}{
		"Inspector": {
			func(h *harness) { h.inspectMessage("test itineraire") },
			func(h *harness) fyne.CanvasObject {
				h.c.insp.view.tabs.SelectIndex(tabRaw)
				var first *selLabel
				walk(h.c.insp.view.win.Content(), func(o fyne.CanvasObject) {
					if l, ok := o.(*selLabel); ok && first == nil && l.Text != "" {
						first = l
					}
				})
				if first == nil {
					h.t.Fatal("no selectable text in the Inspector")
				}
				return first
			},
		},
		"Local MTA": {
			func(h *harness) { h.menuItemOf("Mail system", "Local MTA…").Action() },
			func(h *harness) fyne.CanvasObject { return h.c.mta.panel.addrs },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			before := h.c.app.Driver().AllWindows()
			tc.open(h)
			h.settle()
			w := h.newWindow(before)
			clickText(t, w.Canvas(), tc.text(h))
			f := w.Canvas().Focused()
			if f == nil {
				t.Fatal("a click in the text gave the keyboard to nothing")
			}
			f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			h.settle()
			if slices.Contains(h.c.app.Driver().AllWindows(), w) {
				t.Fatalf("Escape after a click in the %s's text (focus on %T) left it open", name, f)
			}
		})
	}
}

// popUpMenu is the menu shown over the window.
func (h *harness) popUpMenu() *widget.Menu {
	h.t.Helper()
	var menu *widget.Menu
	for _, o := range h.w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if m, ok := o.(*widget.PopUpMenu); ok && menu == nil {
				menu = m.Menu
			}
		})
	}
	if menu == nil {
		h.t.Fatal("no menu over the window")
	}
	return menu
}
