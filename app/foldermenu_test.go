package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/imapsync/imaptest"
)

// overlayTexts are the texts drawn over the window (menus, dialogs).
func (h *harness) overlayTexts() []string {
	var out []string
	for _, o := range h.w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *canvas.Text:
				out = append(out, x.Text)
			case *widget.Label:
				out = append(out, x.Text)
			}
		})
	}
	return out
}

// tapOverlayButton taps the button of a dialog with that text.
func (h *harness) tapOverlayButton(text string) {
	h.t.Helper()
	var found *widget.Button
	for _, o := range h.w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == text {
				found = b
			}
		})
	}
	if found == nil {
		h.t.Fatalf("no button %q over the window: %q", text, h.overlayTexts())
	}
	test.Tap(found)
}

// folderMenuItem runs the item of a folder's menu with that label.
func (h *harness) folderMenuItem(f mailstore.Folder, label string) {
	h.t.Helper()
	for _, it := range h.c.folderActions(f) {
		if it.Label == label {
			it.Action()
			return
		}
	}
	h.t.Fatalf("no item %q in the menu of %v", label, f.Ref)
}

// typeName types a name in the dialog's focused entry and confirms.
func (h *harness) typeName(name string) {
	h.t.Helper()
	e, ok := h.w.Canvas().Focused().(*widget.Entry)
	if !ok {
		h.t.Fatalf("no entry has the focus: %T", h.w.Canvas().Focused())
	}
	e.SetText("")
	test.Type(e, name)
	h.tapOverlayButton("OK")
}

func (h *harness) closeOverlays() {
	for _, o := range h.w.Canvas().Overlays().List() {
		h.w.Canvas().Overlays().Remove(o)
	}
}

// The right click on a folder shows its menu; new subfolder, rename and
// delete (after a confirmation that says the messages go for good) reach
// the IMAP server and the folder pane; mark all read and the properties
// work on it.
func TestFolderContextMenu(t *testing.T) {
	h := newHarness(t)
	srv := imaptest.Start(t, imaptest.NewUser(t, "Archive", "Trash"))
	imaptest.Append(t, srv.Addr, "Archive", mailerMsg("One"), mailerMsg("Two"))
	if err := imaptest.Login(t, srv.Addr).Subscribe("Archive").Wait(); err != nil {
		t.Fatal(err)
	}
	h.addIMAPAccount(srv.Addr, acceptSMTP(t))
	h.c.reloadAccounts()
	archive := mailstore.FolderRef{Account: "Machin", Name: "Archive"}
	h.waitFor("the sync", func() bool { return len(h.localSubjects(archive)) == 2 })
	h.c.loadFolders(false)
	h.settle()

	h.c.ui.tree.OpenBranch(accountUID("Machin"))
	h.c.ui.tree.ScrollTo(folderUID(archive))
	h.c.ui.tree.Refresh()
	var row *folderRow
	walk(h.c.ui.tree, func(o fyne.CanvasObject) {
		if r, ok := o.(*folderRow); ok && r.uid == folderUID(archive) {
			row = r
		}
	})
	if row == nil {
		t.Fatalf("no tree row for Machin/Archive among %q", h.c.treeChildren(""))
	}
	test.TapSecondary(row)
	for _, want := range []string{"New subfolder…", "Rename…", "Delete folder…", "Mark all as read", "Properties…"} {
		if !slices.Contains(h.overlayTexts(), want) {
			t.Errorf("the folder menu lacks %q: %q", want, h.overlayTexts())
		}
	}
	h.closeOverlays()

	h.folderMenuItem(h.folderOf(archive), "New subfolder…")
	h.typeName("2026")
	h.settle()
	if got := imaptest.Mailboxes(t, srv.Addr); !slices.Contains(got, "Archive/2026") {
		t.Fatalf("server after New subfolder: %q", got)
	}
	sub := mailstore.FolderRef{Account: "Machin", Name: "Archive/2026"}
	if _, ok := h.c.folder(sub); !ok || h.c.current != sub {
		t.Errorf("the new folder is not in the pane, or not open (current %v)", h.c.current)
	}
	h.folderMenuItem(h.folderOf(sub), "Rename…")
	h.typeName("Old")
	h.settle()
	if got := imaptest.Mailboxes(t, srv.Addr); !slices.Contains(got, "Archive/Old") || slices.Contains(got, "Archive/2026") {
		t.Fatalf("server after Rename: %q", got)
	}
	old := mailstore.FolderRef{Account: "Machin", Name: "Archive/Old"}
	if _, ok := h.c.folder(old); !ok || h.c.current != old {
		t.Errorf("the renamed folder is not in the pane, or not open (current %v)", h.c.current)
	}

	h.folderMenuItem(h.folderOf(archive), "Mark all as read")
	h.waitFor("One and Two read on the server", func() bool {
		return serverHas(t, srv.Target(), "Archive", "One", `\Seen`) && serverHas(t, srv.Target(), "Archive", "Two", `\Seen`)
	})
	h.folderMenuItem(h.folderOf(archive), "Properties…")
	h.settle()
	if text := strings.Join(h.overlayTexts(), "\n"); !strings.Contains(text, "Name on the server") || !strings.Contains(text, "Size on disk") {
		t.Errorf("properties: %q", text)
	}
	h.closeOverlays()

	h.folderMenuItem(h.folderOf(old), "Delete folder…")
	if text := strings.Join(h.overlayTexts(), "\n"); !strings.Contains(text, "The folder is deleted on the account's server too") {
		t.Errorf("the confirmation does not say what happens: %q", text)
	}
	h.tapOverlayButton("Yes")
	h.settle()
	if got := imaptest.Mailboxes(t, srv.Addr); slices.Contains(got, "Archive/Old") {
		t.Errorf("server after Delete: %q", got)
	}
	if _, ok := h.c.folder(old); ok {
		t.Error("the deleted folder is still in the pane")
	}
	h.folderMenuItem(h.folderOf(archive), "Delete folder…")
	if text := strings.Join(h.overlayTexts(), "\n"); !strings.Contains(text, "Its 2 messages will be deleted for good") {
		t.Errorf("the confirmation does not count the messages: %q", text)
	}
	h.tapOverlayButton("No")
	if got := imaptest.Mailboxes(t, srv.Addr); !slices.Contains(got, "Archive") {
		t.Errorf("No deleted the folder: %q", got)
	}
}

// folderOf is the folder as the pane has it.
func (h *harness) folderOf(ref mailstore.FolderRef) mailstore.Folder {
	h.t.Helper()
	f, ok := h.c.folder(ref)
	if !ok {
		h.t.Fatalf("no folder %v in the pane", ref)
	}
	return f
}

// All inboxes, All unread and All flagged sit above the accounts with
// their counts, list the messages of every account with the account on
// each row, and follow the actions made on them.
func TestVirtualInboxes(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	other := mailstore.FolderRef{Account: "Autre", Name: "INBOX"}
	if err := h.store.CreateFolder(ctx, other, mailstore.RoleInbox); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Autre un", "Autre deux"} {
		if _, err := h.store.Add(ctx, other, strings.NewReader(mailerMsg(s)), mailstore.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.c.loadFolders(false)
	h.settle()
	roots := h.c.treeChildren("")
	if len(roots) < 3 || roots[0] != virtualUID(mailstore.VirtualInboxes) || roots[1] != virtualUID(mailstore.VirtualUnread) || roots[2] != virtualUID(mailstore.VirtualFlagged) {
		t.Fatalf("tree roots %q: the virtual folders do not come first", roots)
	}
	_, demoUnread, _ := h.store.Count(ctx, inboxRef)
	want := formatCount(demoUnread + 2)
	if r := h.treeRow("All inboxes"); r.count.Text != want {
		t.Errorf("All inboxes shows %q unread, want %q", r.count.Text, want)
	}
	h.c.ui.tree.Select(virtualUID(mailstore.VirtualInboxes))
	h.settle()
	if h.c.virt.current != mailstore.VirtualInboxes || h.c.rows.total != len(h.localSubjects(inboxRef))+2 {
		t.Fatalf("All inboxes lists %d rows", h.c.rows.total)
	}
	r := h.row("Autre un")
	if r.where.Text != "Autre" {
		t.Errorf("the row of Autre un says %q of its account", r.where.Text)
	}
	h.open("Autre un")
	h.c.toggleFlag()
	h.settle()
	h.c.refreshNow()
	h.settle()
	if r := h.treeRow("All flagged"); r.count.Text == "" {
		t.Error("All flagged shows no count after a flag")
	}
	h.c.ui.tree.Select(virtualUID(mailstore.VirtualFlagged))
	h.settle()
	if !slices.Contains(h.subjects(), "Autre un") {
		t.Errorf("All flagged lists %q", h.subjects())
	}
	if got := h.row("Autre un").where.Text; got != "Autre › Inbox" {
		t.Errorf("the row in All flagged says %q", got)
	}
	h.c.openFolder(inboxRef)
	h.settle()
	if h.c.virt.current != "" || slices.Contains(h.subjects(), "Autre un") {
		t.Errorf("back in a folder, the list still shows the virtual one: %q", h.subjects())
	}
}

// The menu key, or Shift+F10, on the folder tree opens the menu of the
// selected folder with the keyboard in it, in both languages, and its
// items act on that folder; F10 alone is left to the desktop.
func TestMenuKeyOnTheTreeOpensTheFolderMenu(t *testing.T) {
	for _, tc := range []struct {
		locale      string
		key         fyne.KeyName
		mods        fyne.KeyModifier
		open        bool
		props, head string
	}{
		{"en_US.UTF-8", desktop.KeyMenu, 0, true, "Properties…", "Properties of “Inbox”"},
		{"fr_FR.UTF-8", fyne.KeyF10, fyne.KeyModifierShift, true, "Propriétés…", "Propriétés de «\u00a0Boîte de réception\u00a0»"},
		{"en_US.UTF-8", fyne.KeyF10, 0, false, "", ""},
	} {
		t.Run(tc.locale+" "+string(tc.key), func(t *testing.T) {
			useLanguage(t, tc.locale)
			h := newHarness(t)
			h.w.Canvas().Focus(h.c.ui.tree)
			h.hold(tc.mods)
			h.typeKey(tc.key)
			h.hold(0)
			open := h.c.ui.folderMenu != nil && h.c.ui.folderMenu.Visible()
			if open != tc.open {
				t.Fatalf("%v with %v on the tree: folder menu open %v, want %v", tc.key, tc.mods, open, tc.open)
			}
			if !open {
				return
			}
			if h.w.Canvas().Focused() != h.c.ui.folderMenu {
				t.Errorf("the menu does not have the keyboard: the focus is on %T", h.w.Canvas().Focused())
			}
			var props *fyne.MenuItem
			for _, it := range h.c.ui.folderItems.Items {
				if it.Label == tc.props {
					props = it
				}
			}
			if props == nil {
				t.Fatalf("the menu has no %q", tc.props)
			}
			h.c.ui.folderMenu.Hide()
			props.Action()
			h.settle()
			inbox := h.folder("INBOX")
			texts := strings.Join(h.overlayTexts(), "\n")
			if !strings.Contains(texts, tc.head) || !strings.Contains(texts, formatCount(inbox.Total)) {
				t.Errorf("the properties of the inbox (%d messages) are not shown:\n%s", inbox.Total, texts)
			}
		})
	}
}
