package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"facteur/mailstore"
)

const unreadSubject = "Itinéraire d'un message" // unread in the demo inbox

func TestOpeningMarksReadAndUTogglesIt(t *testing.T) {
	h := newHarness(t)
	unreadBefore := h.folder("INBOX").Unread
	if r := h.row(unreadSubject); !r.sender.TextStyle.Bold || !r.subject.TextStyle.Bold || !r.dot.Visible() {
		t.Fatal("an unread message is not drawn in bold with a dot")
	}
	s := h.open(unreadSubject)
	if r := h.row(unreadSubject); r.sender.TextStyle.Bold || r.dot.Visible() {
		t.Error("the opened message is still drawn as unread")
	}
	if h.c.ui.reader.readBtn.Text != "Mark unread" {
		t.Errorf("read button says %q", h.c.ui.reader.readBtn.Text)
	}
	if got := h.folder("INBOX").Unread; got != unreadBefore-1 {
		t.Errorf("inbox unread %d after opening, want %d", got, unreadBefore-1)
	}
	h.waitFor("the store to mark it seen", func() bool { return h.storeFlags(s.ID)&mailstore.FlagSeen != 0 })

	test.TypeOnCanvas(h.w.Canvas(), "u")
	if r := h.row(unreadSubject); !r.sender.TextStyle.Bold {
		t.Error("u did not draw the message unread at once")
	}
	h.waitFor("the store to mark it unseen", func() bool { return h.storeFlags(s.ID)&mailstore.FlagSeen == 0 })
	h.settle()
	if got := h.folder("INBOX").Unread; got != unreadBefore {
		t.Errorf("inbox unread %d after u, want %d", got, unreadBefore)
	}
}

func TestFlagShortcut(t *testing.T) {
	h := newHarness(t)
	s := h.open("test itineraire")
	if h.row("test itineraire").flag.Visible() {
		t.Fatal("the course example is flagged in the demo")
	}
	test.TypeOnCanvas(h.w.Canvas(), "s")
	if !h.row("test itineraire").flag.Visible() {
		t.Error("s did not show the flag at once")
	}
	if h.c.ui.reader.flagBtn.Text != "Unflag" {
		t.Errorf("flag button says %q", h.c.ui.reader.flagBtn.Text)
	}
	h.waitFor("the store to flag it", func() bool { return h.storeFlags(s.ID)&mailstore.FlagFlagged != 0 })
	test.TypeOnCanvas(h.w.Canvas(), "f")
	h.waitFor("the store to unflag it", func() bool { return h.storeFlags(s.ID)&mailstore.FlagFlagged == 0 })
	h.settle()
	if h.row("test itineraire").flag.Visible() {
		t.Error("f did not remove the flag")
	}
}

func TestDeleteMovesToTrash(t *testing.T) {
	h := newHarness(t)
	trashBefore := h.folder("Trash").Total
	rowsBefore := h.c.ui.list.Length()
	s := h.open("test itineraire")
	i := h.c.selectedIndex()

	h.c.typedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if h.c.ui.list.Length() != rowsBefore-1 {
		t.Fatalf("the list has %d rows right after Delete, want %d", h.c.ui.list.Length(), rowsBefore-1)
	}
	for _, r := range h.rows() {
		if r.subject.Text == "test itineraire" {
			t.Fatal("the deleted message is still drawn")
		}
	}
	h.settle()
	got, err := h.store.Get(context.Background(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Folder.Name != "Trash" {
		t.Errorf("the deleted message is in %v, want Trash", got.Folder)
	}
	if h.folder("Trash").Total != trashBefore+1 {
		t.Errorf("Trash has %d messages, want %d", h.folder("Trash").Total, trashBefore+1)
	}
	if h.c.ui.list.Length() != rowsBefore-1 {
		t.Errorf("after the refresh the list has %d rows, want %d", h.c.ui.list.Length(), rowsBefore-1)
	}
	if next, ok, _ := h.c.rows.row(min(i, h.c.rows.length()-1)); !ok || h.c.ui.reader.sum.ID != next.ID {
		t.Errorf("the reader does not show the message that took the deleted one's place")
	}
}

func TestMoveToFolder(t *testing.T) {
	h := newHarness(t)
	s := h.open("test itineraire")
	archive := mailstore.FolderRef{Account: "Local", Name: "Archive"}
	before := h.folder("Archive").Total
	h.c.showMoveDialog()
	if h.dialogs() != 1 {
		t.Fatalf("%d dialogs after Move…", h.dialogs())
	}
	h.c.moveSelected(archive)
	h.settle()
	got, err := h.store.Get(context.Background(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Folder != archive || h.folder("Archive").Total != before+1 {
		t.Errorf("moved to %v; Archive has %d, want %d", got.Folder, h.folder("Archive").Total, before+1)
	}
}

func TestStoreErrorShowsDialogAndReverts(t *testing.T) {
	h := newHarness(t)
	// A real fault under the mailer: the unread message waits in its
	// Maildir's new/, and cur/, where marking it read renames it, is now
	// a file. Opening it tries to mark it read, and fails.
	id := h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == unreadSubject })
	if id < 0 {
		t.Fatalf("no %q in the inbox", unreadSubject)
	}
	sum, _, _ := h.c.rows.row(id)
	path, err := h.store.Path(context.Background(), sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(filepath.Dir(path)) != "new" {
		t.Fatalf("the unread message is in %s, want a Maildir's new/", path)
	}
	cur := filepath.Join(filepath.Dir(filepath.Dir(path)), "cur")
	if err := os.RemoveAll(cur); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cur, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.open(unreadSubject)
	h.settle()
	if h.dialogs() == 0 {
		t.Fatal("no error dialog")
	}
	if !strings.Contains(h.overlayText(), syscall.ENOTDIR.Error()) {
		t.Errorf("the dialog does not tell the error (%v): %q", syscall.ENOTDIR, h.overlayText())
	}
	if got := h.storeFlags(sum.ID); got&mailstore.FlagSeen != 0 {
		t.Errorf("the store has the message read (%v) after the failure", got)
	}
	if r := h.row(unreadSubject); !r.sender.TextStyle.Bold {
		t.Error("the optimistic read mark was not reverted after the error")
	}
	if h.c.ui.reader.sum.ID == 0 {
		t.Error("the reader lost its message after the reload")
	}
}

// In a folder larger than the pages in memory, the reader's Delete button
// opens the next message, as the Delete key does, and never the deleted
// one again (the page reloaded after the delete must not hold it).
func TestDeleteButtonInALargeFolderOpensTheNext(t *testing.T) {
	h := newHarness(t)
	ref := mailstore.FolderRef{Account: "Local", Name: "Big"}
	ctx := context.Background()
	if err := h.store.CreateFolder(ctx, ref, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range pageSize + 20 { // two pages: the second not loaded
		raw := fmt.Sprintf("From: a@example.org\r\nSubject: Big %03d\r\nDate: %s\r\n\r\nbody\r\n",
			i, base.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z))
		if _, err := h.store.Add(ctx, ref, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.c.loadFolders(false)
	h.c.openFolder(ref)
	h.settle()
	deleted := h.open("Big 214") // newest first: row 5
	row := h.c.selectedIndex()   // where the next message moves up to
	test.Tap(h.c.ui.reader.deleteBtn)
	h.settle()
	s, ok := h.c.selected()
	if !ok || s.Subject != "Big 213" {
		t.Fatalf("after the Delete button the reader shows %q (selected %v), want Big 213", s.Subject, ok)
	}
	if got := h.c.selectedIndex(); got != row {
		t.Errorf("the list selects row %d, want %d", got, row)
	}
	if h.c.rows.indexOf(deleted.ID) >= 0 {
		t.Error("the deleted message is still in the list")
	}
	if got, err := h.store.Get(ctx, deleted.ID); err == nil && got.Folder == ref {
		t.Error("the deleted message is still in the folder")
	}
}
