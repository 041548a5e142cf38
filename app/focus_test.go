package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"facteur/mailstore"
)

// typeRune sends a letter as the keyboard does: to the focused widget, or
// to the window's canvas when none has the focus.
func (h *harness) typeRune(r rune) {
	h.t.Helper()
	if f := h.w.Canvas().Focused(); f != nil {
		f.TypedRune(r)
	} else {
		h.w.Canvas().OnTypedRune()(r)
	}
	h.settle()
}

// typeKey sends a key as the keyboard does.
func (h *harness) typeKey(k fyne.KeyName) {
	h.t.Helper()
	e := &fyne.KeyEvent{Name: k}
	if f := h.w.Canvas().Focused(); f != nil {
		f.TypedKey(e)
	} else {
		h.w.Canvas().OnTypedKey()(e)
	}
	h.settle()
}

// selected is the subject of the message in the reader.
func (h *harness) selectedSubject() string {
	s, ok := h.c.selected()
	if !ok {
		return ""
	}
	return s.Subject
}

// After a search, a click on a message gives the keyboard to the list: j
// and s act on the messages instead of typing into the query. (Fyne's
// desktop driver keeps the focus where it is when the widget clicked has a
// focusable parent, the list: the test selects the row as that click does.)
func TestClickAfterSearchGivesTheListTheKeys(t *testing.T) {
	h := newHarness(t)
	h.c.focusSearch()
	test.Type(h.c.ui.searchEntry, "itin")
	h.settle()
	if h.c.rows.length() < 2 {
		t.Fatalf("the search found %d messages, want 2 or more", h.c.rows.length())
	}
	h.c.ui.list.Select(0)
	h.settle()
	if got := h.w.Canvas().Focused(); got != h.c.ui.list {
		t.Fatalf("after a click on a result the focus is on %T, want the list", got)
	}
	first, _ := h.c.selected()
	h.typeRune('j')
	h.typeRune('s')
	if h.c.ui.searchEntry.Text != "itin" {
		t.Errorf("j and s went into the query: %q", h.c.ui.searchEntry.Text)
	}
	s, _ := h.c.selected()
	if s.ID == first.ID || s.Flags&mailstore.FlagFlagged == 0 {
		t.Errorf("j then s: the reader shows %d %q (flags %v), was %d", s.ID, s.Subject, s.Flags, first.ID)
	}
}

// After the sort select or the Threads check, the shortcuts work at once.
func TestShortcutsWorkAfterTheSortAndThreadControls(t *testing.T) {
	for _, control := range []string{"sort", "threads"} {
		t.Run(control, func(t *testing.T) {
			h := newHarness(t)
			switch control {
			case "sort":
				// a click on the select focuses it, and a choice in its
				// menu leaves the focus there
				h.w.Canvas().Focus(h.c.ui.sortSelect)
				h.c.ui.sortSelect.SetSelectedIndex(1)
			case "threads":
				test.Tap(h.c.ui.threadCheck)
			}
			h.settle()
			h.typeRune('j')
			sel, _ := h.c.selected()
			if sel.ID == 0 {
				t.Fatalf("j did not open a message (focus on %T)", h.w.Canvas().Focused())
			}
			read := h.c.ui.reader.sum.Flags & mailstore.FlagSeen
			h.typeRune('u')
			if h.c.ui.reader.sum.Flags&mailstore.FlagSeen == read {
				t.Error("u did not change the read state")
			}
			h.typeKey(fyne.KeyDown)
			if now, _ := h.c.selected(); now.ID == sel.ID {
				t.Error("Down did not open the next message")
			}
			before := h.c.rows.length()
			h.typeKey(fyne.KeyDelete)
			if h.c.rows.length() != before-1 {
				t.Errorf("Delete: %d rows, want %d", h.c.rows.length(), before-1)
			}
		})
	}
}

// One Escape clears the query and leaves the search entry.
func TestOneEscapeLeavesTheSearch(t *testing.T) {
	h := newHarness(t)
	all := h.c.rows.length()
	h.c.focusSearch()
	test.Type(h.c.ui.searchEntry, "caleca")
	h.settle()
	h.typeKey(fyne.KeyEscape)
	if h.c.ui.searchEntry.Text != "" || h.c.listing.kind != listFolder || h.c.rows.length() != all {
		t.Fatalf("Escape: query %q, listing %v, %d rows (want %d)", h.c.ui.searchEntry.Text, h.c.listing.kind, h.c.rows.length(), all)
	}
	if got := h.w.Canvas().Focused(); got != h.c.ui.list {
		t.Fatalf("after Escape the focus is on %T, want the list", got)
	}
	h.typeRune('j')
	if h.c.ui.searchEntry.Text != "" || h.selectedSubject() == "" {
		t.Errorf("j after Escape: query %q, reader %q", h.c.ui.searchEntry.Text, h.selectedSubject())
	}
}
