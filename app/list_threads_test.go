package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"facteur/mailstore"
)

// In the thread view the first row of the itinerary thread shows its
// counts; Left on the reply collapses the thread to that row and opens it,
// Right expands it again; outside the thread view the keys stay the list's.
func TestThreadRowsCountAndFold(t *testing.T) {
	h := newHarness(t)
	h.c.setThreaded(true)
	h.settle()
	const rootSubject, replySubject = "Itinéraire d'un message", "Re: Itinéraire d'un message"
	root := h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == rootSubject })
	sum, _, _ := h.c.rows.row(root)
	if sum.ThreadSize != 2 {
		t.Fatalf("the itinerary thread counts %d messages in the inbox, want 2", sum.ThreadSize)
	}
	row := h.row(rootSubject)
	if !row.count.Visible() || !strings.HasPrefix(row.count.Text, "(2") {
		t.Errorf("the thread's first row shows %q", row.count.Text)
	}
	if r := h.row(replySubject); r.count.Visible() {
		t.Errorf("a reply shows counts %q", r.count.Text)
	}
	n := h.c.rows.length()
	h.open(replySubject)
	if !h.c.typedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) {
		t.Fatal("Left was not taken in the thread view")
	}
	h.settle()
	if h.c.rows.length() != n-1 || h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == replySubject }) >= 0 {
		t.Fatalf("collapsed: %d rows (was %d), subjects %v", h.c.rows.length(), n, h.subjects())
	}
	if got := h.c.ui.reader.sum.Subject; got != rootSubject {
		t.Errorf("collapsed, the reader shows %q", got)
	}
	h.c.typedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	h.settle()
	if h.c.rows.length() != n || h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == replySubject }) < 0 {
		t.Errorf("expanded: %d rows, want %d", h.c.rows.length(), n)
	}
	h.c.setThreaded(false)
	h.settle()
	if h.c.typedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) {
		t.Error("Left was taken outside the thread view")
	}
	if r := h.row(rootSubject); r.count.Visible() {
		t.Errorf("outside the thread view a row shows counts %q", r.count.Text)
	}
}
