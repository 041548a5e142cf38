package app

import (
	"slices"
	"strings"
	"testing"
	"time"

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

// The context menu collapses and expands a thread too (the mouse's way,
// in French here), and a collapsed thread stays collapsed after a restart,
// as the thread view does.
func TestCollapsedThreadsByMenuAndKeptAcrossRestarts(t *testing.T) {
	useLanguage(t, "fr_FR.UTF-8")
	h := newHarness(t)
	h.c.setThreaded(true)
	h.settle()
	const rootSubject, replySubject = "Itinéraire d'un message", "Re: Itinéraire d'un message"
	n := h.c.rows.length()
	sum := h.open(replySubject)
	h.c.showMsgMenu(h.centre(h.row(replySubject)))
	h.menuItem("Replier le fil")
	if h.c.rows.length() != n-1 || h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == replySubject }) >= 0 {
		t.Fatalf("collapsed from the menu: %d rows (was %d)", h.c.rows.length(), n)
	}

	q := newUIQueue()
	again := newController(h.c.app, h.c.app.NewWindow("Facteur"), h.store, h.c.opts, q.post)
	t.Cleanup(again.close)
	again.start()
	if !settle(q, again.work, 15*time.Second, func() bool { return again.rows.length() > 0 && !again.loading }) {
		t.Fatal("the window started again did not settle")
	}
	if got := again.rows.length(); got != n-1 || !slices.Contains(again.listOpts.Collapsed, sum.ThreadID) {
		t.Errorf("after a restart: %d rows, want %d; collapsed %v, want thread %d", got, n-1, again.listOpts.Collapsed, sum.ThreadID)
	}

	h.open(rootSubject)
	h.c.showMsgMenu(h.centre(h.row(rootSubject)))
	h.menuItem("Déplier le fil")
	if h.c.rows.length() != n {
		t.Errorf("expanded from the menu: %d rows, want %d", h.c.rows.length(), n)
	}
	if saved := savedCollapsed(h.c.settings); len(saved) != 0 {
		t.Errorf("expanded, the settings still keep %v", saved)
	}
	h.c.setThreaded(false)
	h.settle()
	h.open(rootSubject)
	for _, it := range h.c.msgMenu().Items {
		if it.Label == "Replier le fil" || it.Label == "Déplier le fil" {
			t.Errorf("outside the thread view the menu has %q", it.Label)
		}
	}
}
