package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
)

// hold makes the harness's clicks and keys come with modifiers held.
func (h *harness) hold(m fyne.KeyModifier) {
	h.c.sel.mods = func() fyne.KeyModifier { return m }
}

// click taps the row of subject, with the modifiers held.
func (h *harness) click(subject string, m fyne.KeyModifier) {
	h.t.Helper()
	h.hold(m)
	test.Tap(h.row(subject))
	h.hold(0)
	h.settle()
}

// shortcut sends a shortcut to the window's canvas, as the driver does
// when the list (which takes none) has the keyboard.
func (h *harness) shortcut(s fyne.Shortcut) {
	h.t.Helper()
	h.w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
	h.settle()
}

// drawnSelected lists the subjects of the rows drawn as selected.
func (h *harness) drawnSelected() []string {
	var out []string
	for _, r := range h.rows() {
		if r.selBg.Visible() {
			out = append(out, r.subject.Text)
		}
	}
	slices.Sort(out)
	return out
}

// imapInbox starts an IMAP server (imapServer: the real one of
// imapServerEnv when set) with subjects in its INBOX, adds it as the
// account Machin and opens its inbox in the window.
func imapInbox(t *testing.T, subjects ...string) (*harness, imaptest.Target, account.Account) {
	t.Helper()
	h := newHarness(t)
	srv := imapServer(t, "Archive", "Trash", "Sent")
	var msgs []string
	for _, s := range subjects {
		msgs = append(msgs, mailerMsg(s))
	}
	srv.Append(t, "INBOX", msgs...)
	a := h.addIMAPAccountOn(srv, acceptSMTP(t))
	h.c.reloadAccounts() // the watcher syncs it
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	h.waitFor("the sync", func() bool { return len(h.localSubjects(inbox)) == len(subjects) })
	h.c.loadFolders(false)
	h.settle()
	h.c.openFolder(inbox)
	h.settle()
	return h, srv, a
}

// Ctrl-click two messages, Delete: both go to the server's Trash, the
// others stay; a notice says so without a dialog, and Ctrl+Z brings both
// back into the server's INBOX.
func TestMultiSelectDeleteAndUndoReachTheServer(t *testing.T) {
	h, srv, _ := imapInbox(t, "One", "Two", "Three", "Four")
	h.click("One", 0)
	h.click("Three", fyne.KeyModifierShortcutDefault)
	if got := h.drawnSelected(); !slices.Equal(got, []string{"One", "Three"}) {
		t.Fatalf("rows drawn selected: %v, want One and Three", got)
	}
	if got := h.c.ui.resultCount.Text; got != "2 messages selected" {
		t.Errorf("the list says %q", got)
	}
	if h.selectedSubject() != "Three" {
		t.Errorf("the reader shows %q, want the last clicked, Three", h.selectedSubject())
	}
	h.typeKey(fyne.KeyDelete)
	h.waitFor("One and Three in the server's Trash", func() bool {
		return serverHas(t, srv, "Trash", "One") && serverHas(t, srv, "Trash", "Three") &&
			!serverHas(t, srv, "INBOX", "One") && !serverHas(t, srv, "INBOX", "Three")
	})
	if !serverHas(t, srv, "INBOX", "Two") || !serverHas(t, srv, "INBOX", "Four") {
		t.Fatal("Two or Four left the server's INBOX")
	}
	text, shown := h.c.noticeShown()
	if !shown || text != "2 messages moved to the Trash" || !h.c.note.undoBtn.Visible() {
		t.Fatalf("notice %q shown %v, Undo %v", text, shown, h.c.note.undoBtn.Visible())
	}
	if h.dialogs() != 0 {
		t.Errorf("a dialog blocks the window: %q", h.overlayText())
	}
	if f := h.w.Canvas().Focused(); f != h.c.ui.list {
		t.Errorf("the notice took the keyboard: focus on %T", f)
	}
	h.shortcut(&fyne.ShortcutUndo{})
	h.waitFor("One and Three back in the server's INBOX", func() bool {
		return serverHas(t, srv, "INBOX", "One") && serverHas(t, srv, "INBOX", "Three") &&
			!serverHas(t, srv, "Trash", "One") && !serverHas(t, srv, "Trash", "Three")
	})
	if _, shown := h.c.noticeShown(); shown {
		t.Error("the notice stays after Undo")
	}
	h.waitFor("the list", func() bool { return h.c.rows.length() == 4 })
}

// Shift+Down twice from the first message selects three; s flags the
// three on the server, not the fourth; the notice's Undo unflags them
// there.
func TestShiftSelectionFlagsAndUndoReachTheServer(t *testing.T) {
	h, srv, _ := imapInbox(t, "One", "Two", "Three", "Four")
	h.c.ui.list.Select(0)
	h.settle()
	h.hold(fyne.KeyModifierShift)
	h.typeKey(fyne.KeyDown)
	h.typeKey(fyne.KeyDown)
	h.hold(0)
	sel := h.c.selectedMsgs()
	if len(sel) != 3 || len(h.drawnSelected()) != 3 {
		t.Fatalf("Shift+Down twice: %d selected, %v drawn", len(sel), h.drawnSelected())
	}
	last := h.subjects()[3]
	h.typeRune('s')
	h.waitFor("three flagged on the server", func() bool {
		n := 0
		for _, s := range sel {
			if serverHas(t, srv, "INBOX", s.Subject, imap.FlagFlagged) {
				n++
			}
		}
		return n == 3
	})
	if serverHas(t, srv, "INBOX", last, imap.FlagFlagged) {
		t.Errorf("%s is flagged too", last)
	}
	if text, _ := h.c.noticeShown(); text != "3 messages flagged" {
		t.Errorf("notice %q", text)
	}
	test.Tap(h.c.note.undoBtn)
	h.waitFor("none flagged on the server", func() bool {
		for _, s := range sel {
			if serverHas(t, srv, "INBOX", s.Subject, imap.FlagFlagged) {
				return false
			}
		}
		return true
	})
}

// A Shift-click selects the range from the anchor; a plain click leaves
// the multiple selection; Ctrl+A selects the folder, and u marks it all.
func TestShiftClickAndSelectAll(t *testing.T) {
	h := newHarness(t)
	subjects := h.subjects()
	if len(subjects) < 5 {
		t.Fatalf("the demo inbox shows %d rows", len(subjects))
	}
	h.click(subjects[1], 0)
	h.click(subjects[3], fyne.KeyModifierShift)
	want := slices.Clone(subjects[1:4])
	slices.Sort(want)
	if got := h.drawnSelected(); !slices.Equal(got, want) {
		t.Fatalf("Shift-click: %v drawn selected, want %v", got, want)
	}
	h.click(subjects[0], 0)
	if got := h.drawnSelected(); len(got) != 1 || len(h.c.selectedMsgs()) != 1 {
		t.Fatalf("a plain click left %v selected", got)
	}
	h.shortcut(&fyne.ShortcutSelectAll{})
	if n := len(h.c.selectedMsgs()); n != h.c.rows.total {
		t.Fatalf("Ctrl+A: %d selected of %d", n, h.c.rows.total)
	}
	h.typeRune('u') // the reader's message was read when opened: all unread
	h.settle()
	for _, s := range h.c.selectedMsgs() {
		if h.storeFlags(s.ID)&mailstore.FlagSeen != 0 {
			t.Errorf("%q is still read after Ctrl+A, u", s.Subject)
		}
	}
	if got := h.folder("INBOX").Unread; got != h.c.rows.total {
		t.Errorf("inbox unread %d, want %d", got, h.c.rows.total)
	}
}

// menuItem runs the item of the open context menu with that label.
func (h *harness) menuItem(label string) {
	h.t.Helper()
	m := h.c.ui.msgMenu
	if m == nil || !m.Visible() {
		h.t.Fatalf("no context menu open for %q", label)
	}
	for _, it := range h.c.ui.msgItems.Items {
		if it.Label == label {
			m.Hide()
			it.Action()
			h.settle()
			return
		}
	}
	h.t.Fatalf("the context menu has no %q", label)
}

// A right click on a selected row opens the menu of the selection: Mark
// unread, Flag, Copy to, Delete act on both messages; on another row it
// selects that row alone.
func TestContextMenuActsOnTheSelection(t *testing.T) {
	h := newHarness(t)
	subjects := h.subjects()
	a, b := subjects[0], subjects[2]
	h.click(a, 0)
	h.click(b, fyne.KeyModifierControl)
	test.TapSecondary(h.row(a))
	h.settle()
	if h.dialogs() != 1 {
		t.Fatalf("right click: %d overlays", h.dialogs())
	}
	h.menuItem("Mark unread")
	h.menuItem2(a, "Flag")
	ids := summaryIDs(h.c.selectedMsgs())
	if len(ids) != 2 {
		t.Fatalf("the menu left %d selected", len(ids))
	}
	for _, id := range ids {
		if f := h.storeFlags(id); f&mailstore.FlagSeen != 0 || f&mailstore.FlagFlagged == 0 {
			t.Errorf("message %d: flags %v after Mark unread and Flag", id, f)
		}
	}
	archiveBefore := h.folder("Archive").Total
	h.c.copySelected(h.folder("Archive").Ref)
	h.settle()
	if got := h.folder("Archive").Total; got != archiveBefore+2 {
		t.Errorf("Archive holds %d after Copy to, want %d", got, archiveBefore+2)
	}
	trashBefore := h.folder("Trash").Total
	h.menuItem2(b, "Delete")
	if got := h.folder("Trash").Total; got != trashBefore+2 {
		t.Errorf("Trash holds %d after Delete, want %d", got, trashBefore+2)
	}
	// a right click outside the selection selects that row alone
	h.click(h.subjects()[0], 0)
	h.click(h.subjects()[1], fyne.KeyModifierControl)
	other := h.subjects()[3]
	test.TapSecondary(h.row(other))
	h.settle()
	if sel := h.c.selectedMsgs(); len(sel) != 1 || sel[0].Subject != other {
		t.Errorf("right click on %q: selection %v", other, sel)
	}
}

// menuItem2 opens the context menu of subject's row and runs an item.
func (h *harness) menuItem2(subject, label string) {
	h.t.Helper()
	test.TapSecondary(h.row(subject))
	h.settle()
	h.menuItem(label)
}

// The Menu key and Shift+F10 open the context menu of the selected row;
// F10 alone does not.
func TestMenuKeyOpensTheContextMenu(t *testing.T) {
	for _, tc := range []struct {
		key  fyne.KeyName
		mods fyne.KeyModifier
		open bool
	}{
		{"Menu", 0, true},
		{fyne.KeyF10, fyne.KeyModifierShift, true},
		{fyne.KeyF10, 0, false},
	} {
		t.Run(string(tc.key), func(t *testing.T) {
			h := newHarness(t)
			h.open(h.subjects()[1])
			h.hold(tc.mods)
			h.typeKey(tc.key)
			open := h.c.ui.msgMenu != nil && h.c.ui.msgMenu.Visible()
			if open != tc.open {
				t.Fatalf("%v with %v: menu open %v, want %v", tc.key, tc.mods, open, tc.open)
			}
			if open {
				h.menuItem("Flag")
				if s, _ := h.c.selected(); h.storeFlags(s.ID)&mailstore.FlagFlagged == 0 {
					t.Error("Flag from the menu key did not flag the message")
				}
			}
		})
	}
}

// A sent message is told in the notice, not in a dialog, and the notice
// goes away by itself.
func TestSentNoticeIsNotModalAndFades(t *testing.T) {
	h, srv, _ := imapInbox(t, "One")
	h.c.note.life = 50 * time.Millisecond
	cm := h.imapComposer()
	cm.fields[0].entry.SetText("fred@truc.test")
	test.Type(cm.subject, "Envoyé")
	test.Tap(cm.sendBtn)
	h.waitFor("the outcome", func() bool { return h.c.lastOutcome != "" })
	// the notice may have gone already: it stays 50 ms here
	if text := h.c.note.said; text == "" || !strings.Contains(text, h.c.lastOutcome) {
		t.Fatalf("notice %q, outcome %q", text, h.c.lastOutcome)
	}
	if h.dialogs() != 0 {
		t.Errorf("a dialog over the window: %q", h.overlayText())
	}
	if h.c.note.undoBtn.Visible() {
		t.Error("a send notice offers Undo")
	}
	h.waitFor("the notice to go", func() bool { _, shown := h.c.noticeShown(); return !shown })
	h.waitFor("the copy in the server's Sent", func() bool { return serverHas(t, srv, "Sent", "Envoyé") })
}
