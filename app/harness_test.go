package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/dnsmx/dnstest"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/demo"
)

// harness is a main window on Fyne's test driver over a temporary store. The
// test goroutine plays the UI goroutine: it drains the queue that the
// background jobs post to (see worker.go).
type harness struct {
	t     *testing.T
	store *mailstore.Store
	c     *controller
	q     *uiQueue
	w     fyne.Window
}

var inboxRef = mailstore.FolderRef{Account: demo.Account, Name: "INBOX"}

// newHarness opens a window on a store seeded with the demo mailbox.
func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with the window's reads of the store
// wrapped (to hold or fail them); its actions go through its mailer.
func newHarnessWith(t *testing.T, wrap func(*mailstore.Store) mailStore) *harness {
	t.Helper()
	return newHarnessOpts(t, wrap, nil)
}

// newHarnessOpts is newHarnessWith with the window's Options set by opts
// (given the store) before the window starts.
func newHarnessOpts(t *testing.T, wrap func(*mailstore.Store) mailStore, opts func(*Options, *mailstore.Store)) *harness {
	t.Helper()
	loadTranslations()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(facteurTheme{mode: themeLight})
	ctx := context.Background()
	dir := t.TempDir()
	s, err := mailstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	var ms mailStore = s
	if wrap != nil {
		ms = wrap(s)
	}
	w := a.NewWindow("Facteur")
	q := newUIQueue()
	// DNS goes to a closed loopback port unless a test serves a zone: the
	// composer's route check never asks the system's resolver.
	// The window's mailer works on the store itself; a wrap holds or fails
	// only what the window reads through c.store.
	o := Options{Profile: dir, Store: s, Version: "test", DNSServer: dnstest.ClosedPort(t)}
	if opts != nil {
		opts(&o, s)
	}
	c := newController(a, w, ms, o, q.post)
	c.now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	c.credsBackend = account.BackendFile // never the desktop's keyring
	t.Cleanup(c.close)
	w.Resize(fyne.NewSize(1280, 800))
	h := &harness{t: t, store: s, c: c, q: q, w: w}
	c.start()
	h.settle()
	if c.current != inboxRef {
		t.Fatalf("the window opened %v, want the inbox %v", c.current, inboxRef)
	}
	return h
}

// settle runs the UI queue until no background job is pending.
func (h *harness) settle() {
	h.t.Helper()
	if !settle(h.q, h.c.work, 15*time.Second, nil) {
		h.t.Fatal("the window did not settle")
	}
}

// waitFor runs the UI queue until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	if !settle(h.q, h.c.work, 15*time.Second, cond) {
		h.t.Fatalf("timed out waiting for %s", what)
	}
}

// rows returns the message rows drawn on the canvas, top to bottom.
func (h *harness) rows() []*msgRow {
	var rows []*msgRow
	walk(h.c.ui.list, func(o fyne.CanvasObject) {
		if r, ok := o.(*msgRow); ok {
			rows = append(rows, r)
		}
	})
	// the list recycles rows: order them by position
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].Position().Y < rows[j-1].Position().Y; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	return rows
}

// row returns the drawn row with that subject.
func (h *harness) row(subject string) *msgRow {
	h.t.Helper()
	return h.rowWhere(subject, func(s string) bool { return s == subject })
}

// rowContaining returns the first drawn row whose subject contains text.
func (h *harness) rowContaining(text string) *msgRow {
	h.t.Helper()
	return h.rowWhere(text, func(s string) bool { return strings.Contains(s, text) })
}

func (h *harness) rowWhere(subject string, match func(string) bool) *msgRow {
	h.t.Helper()
	for _, r := range h.rows() {
		if match(r.subject.Text) {
			return r
		}
	}
	h.t.Fatalf("no row with subject %q among %v", subject, h.subjects())
	return nil
}

func (h *harness) subjects() []string {
	var s []string
	for _, r := range h.rows() {
		s = append(s, r.subject.Text)
	}
	return s
}

// index returns the list index of the message whose subject is subject.
func (h *harness) index(subject string) int {
	h.t.Helper()
	i := h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == subject })
	if i < 0 {
		h.t.Fatalf("no message %q in the list", subject)
	}
	return i
}

// open selects the message with that subject, as a click would.
func (h *harness) open(subject string) mailstore.Summary {
	h.t.Helper()
	i := h.index(subject)
	h.c.ui.list.Select(i)
	h.settle()
	s, ok, _ := h.c.rows.row(i)
	if !ok || h.c.ui.reader.sum.ID != s.ID {
		h.t.Fatalf("the reader does not show %q", subject)
	}
	return s
}

// folder returns the folder as the tree shows it.
func (h *harness) folder(name string) mailstore.Folder {
	h.t.Helper()
	f, ok := h.c.folder(mailstore.FolderRef{Account: demo.Account, Name: name})
	if !ok {
		h.t.Fatalf("no folder %q in the tree", name)
	}
	return f
}

// treeRow returns the drawn tree row of a folder.
func (h *harness) treeRow(name string) *folderRow {
	h.t.Helper()
	var found *folderRow
	walk(h.c.ui.tree, func(o fyne.CanvasObject) {
		if r, ok := o.(*folderRow); ok && r.name.Text == name {
			found = r
		}
	})
	if found == nil {
		h.t.Fatalf("no tree row %q", name)
	}
	return found
}

// storeFlags reads the flags of a message from the store.
func (h *harness) storeFlags(id int64) mailstore.Flags {
	h.t.Helper()
	s, err := h.store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return s.Flags
}

// dialogs counts the overlays (dialogs) over the window.
func (h *harness) dialogs() int {
	return len(h.w.Canvas().Overlays().List())
}

// overlayText is the text of every label in the dialogs shown.
func (h *harness) overlayText() string {
	var b strings.Builder
	for _, o := range h.w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			switch l := o.(type) {
			case *widget.Label:
				b.WriteString(l.Text + "\n")
			case *selLabel:
				b.WriteString(l.Text + "\n")
			}
		})
	}
	return b.String()
}

// walk visits the visible objects under o, through widget renderers.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, child := range x.Objects {
			walk(child, fn)
		}
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(x).Objects() {
			walk(child, fn)
		}
	}
}
