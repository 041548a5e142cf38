package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"facteur/mailstore"
	"facteur/mua/demo"
	"facteur/mua/imapsync/imaptest"
)

// treeRowOf returns the drawn tree row of a folder.
func (h *harness) treeRowOf(ref mailstore.FolderRef) *folderRow {
	h.t.Helper()
	var found *folderRow
	walk(h.c.ui.tree, func(o fyne.CanvasObject) {
		if r, ok := o.(*folderRow); ok && r.uid == folderUID(ref) {
			found = r
		}
	})
	if found == nil {
		var uids []string
		walk(h.c.ui.tree, func(o fyne.CanvasObject) {
			if r, ok := o.(*folderRow); ok {
				uids = append(uids, r.uid)
			}
		})
		h.t.Fatalf("no tree row for %v among %q (folders %v)", ref, uids, h.c.folders)
	}
	return found
}

// centre is the absolute position of the middle of o, where a pointer
// over it would be.
func (h *harness) centre(o fyne.CanvasObject) fyne.Position {
	pos := h.c.app.Driver().AbsolutePositionForObject(o)
	return pos.Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
}

// drag drags row over the object to and drops it there, with the
// modifiers held at the drop, as the desktop driver reports it: a few
// moves (each with the pointer's absolute position), then the end. It
// returns whether the drop mark of the tree row over was shown during the
// drag.
func (h *harness) drag(row *msgRow, to fyne.CanvasObject, over *folderRow, mods fyne.KeyModifier) bool {
	h.t.Helper()
	from, dest := h.centre(row), h.centre(to)
	for _, at := range []fyne.Position{from.AddXY(5, 5), fyne.NewPos((from.X+dest.X)/2, (from.Y+dest.Y)/2), dest} {
		e := &fyne.DragEvent{PointEvent: fyne.PointEvent{AbsolutePosition: at}}
		row.Dragged(e)
	}
	marked := over != nil && over.drop.Visible()
	h.hold(mods)
	row.DragEnd()
	h.hold(0)
	h.settle()
	return marked
}

// Dragging a message onto a folder of the tree moves it there (Undo
// brings it back); with Ctrl it is copied; dragging one row of a multiple
// selection carries the whole selection. The folder is marked during the
// drag, and the mark goes at the drop.
func TestDragMessagesOntoAFolder(t *testing.T) {
	archive := mailstore.FolderRef{Account: demo.Account, Name: "Archive"}
	cases := []struct {
		name     string
		subjects []string
		mods     fyne.KeyModifier
	}{
		{"move one", []string{"test itineraire"}, 0},
		{"copy one with Ctrl", []string{"test itineraire"}, fyne.KeyModifierControl},
		{"move the selection", []string{"test itineraire", "essai"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.open(tc.subjects[0])
			for _, s := range tc.subjects[1:] {
				h.click(s, fyne.KeyModifierControl)
			}
			before := len(h.localSubjects(archive))
			target := h.treeRowOf(archive)
			if !h.drag(h.row(tc.subjects[len(tc.subjects)-1]), target, target, tc.mods) {
				t.Error("the folder under the pointer is not marked during the drag")
			}
			if target.drop.Visible() {
				t.Error("the drop mark stays after the drop")
			}
			h.waitFor("the messages in the Archive", func() bool {
				return len(h.localSubjects(archive)) == before+len(tc.subjects)
			})
			copied := tc.mods != 0
			for _, s := range tc.subjects {
				if !slices.Contains(h.localSubjects(archive), s) {
					t.Errorf("%q is not in the Archive", s)
				}
				if got := slices.Contains(h.localSubjects(inboxRef), s); got != copied {
					t.Errorf("%q in the INBOX after the drop: %v, want %v", s, got, copied)
				}
			}
			if copied {
				return
			}
			h.c.undoLast()
			h.waitFor("Undo", func() bool { return len(h.localSubjects(archive)) == before })
			for _, s := range tc.subjects {
				if !slices.Contains(h.localSubjects(inboxRef), s) {
					t.Errorf("Undo did not bring %q back to the INBOX", s)
				}
			}
		})
	}
}

// A drop where no folder can take the messages (the list itself, the
// folder they are in, an account) changes nothing and marks nothing.
func TestDragOutsideAFolderDoesNothing(t *testing.T) {
	h := newHarness(t)
	h.open("test itineraire")
	inbox := h.treeRowOf(inboxRef)
	var account *folderRow
	walk(h.c.ui.tree, func(o fyne.CanvasObject) {
		if r, ok := o.(*folderRow); ok && r.uid == accountUID(demo.Account) {
			account = r
		}
	})
	before := h.localSubjects(inboxRef)
	for _, to := range []fyne.CanvasObject{h.row("essai"), inbox, account} {
		if h.drag(h.row("test itineraire"), to, inbox, 0) {
			t.Error("the message's own folder is marked as a drop target")
		}
	}
	if got := h.localSubjects(inboxRef); !slices.Equal(got, before) {
		t.Errorf("the INBOX holds %v after the drops, want %v", got, before)
	}
}

// A message of an IMAP account dragged onto another of its folders goes
// there on the server: the move goes through the mailer's journal.
func TestDragReachesTheIMAPServer(t *testing.T) {
	h, addr, archive := imapArchiveShown(t, "One", "Two")
	target := h.treeRowOf(archive)
	h.drag(h.row("One"), target, target, 0)
	h.waitFor("One in the server's Archive", func() bool {
		return serverHas(t, addr, "Archive", "One") && !serverHas(t, addr, "INBOX", "One")
	})
	if !serverHas(t, addr, "INBOX", "Two") {
		t.Error("Two left the server's INBOX")
	}
}

// writeEml writes a message file.
func writeEml(t *testing.T, subject string) string {
	path := filepath.Join(t.TempDir(), "message.eml")
	if err := os.WriteFile(path, []byte(mailerMsg(subject)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Files dropped from the desktop import into the folder under the pointer,
// else into the folder shown; where no folder can take them (a virtual
// folder), the import asks for a Local folder.
func TestDroppedFilesImport(t *testing.T) {
	archive := mailstore.FolderRef{Account: demo.Account, Name: "Archive"}
	cases := []struct {
		name string
		over func(h *harness) fyne.CanvasObject
		dest mailstore.FolderRef
	}{
		{"on a folder", func(h *harness) fyne.CanvasObject { return h.treeRowOf(archive) }, archive},
		{"on the list", func(h *harness) fyne.CanvasObject { return h.row("test itineraire") }, inboxRef},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			before := len(h.localSubjects(tc.dest))
			uris := []fyne.URI{storage.NewFileURI(writeEml(t, "Déposé")), storage.NewFileURI(writeMbox(t, 3))}
			h.c.dropped(h.centre(tc.over(h)), uris)
			h.waitFor("the imported messages", func() bool { return len(h.localSubjects(tc.dest)) == before+4 })
			got := h.localSubjects(tc.dest)
			for _, s := range []string{"Déposé", "imported message 0", "imported message 2"} {
				if !slices.Contains(got, s) {
					t.Errorf("%q was not imported into %v", s, tc.dest)
				}
			}
		})
	}

	h := newHarness(t)
	h.c.openVirtual(mailstore.Virtuals[0])
	h.settle()
	h.c.dropped(fyne.NewPos(1, 1), []fyne.URI{storage.NewFileURI(writeEml(t, "Déposé"))})
	if h.dialogs() != 1 {
		t.Errorf("%d dialogs after a drop on a virtual folder, want the import's", h.dialogs())
	}
}

// Files dropped on an IMAP account's folder are imported through the
// mailer: the server's folder gets them.
func TestDroppedFilesReachTheIMAPServer(t *testing.T) {
	h, addr, archive := imapArchiveShown(t, "One")
	h.c.dropped(h.centre(h.treeRowOf(archive)), []fyne.URI{storage.NewFileURI(writeEml(t, "Déposé"))})
	h.waitFor("the dropped message in the server's Archive", func() bool {
		return serverHas(t, addr, "Archive", "Déposé")
	})
	if got := h.localSubjects(archive); !slices.Equal(got, []string{"Déposé"}) {
		t.Errorf("local Archive %q", got)
	}
}

// imapArchiveShown is imapInbox with the account's Archive synced and
// shown in the folder tree.
func imapArchiveShown(t *testing.T, subjects ...string) (*harness, imaptest.Target, mailstore.FolderRef) {
	h, addr, _ := imapInbox(t, subjects...)
	archive := mailstore.FolderRef{Account: "Machin", Name: "Archive"}
	h.waitFor("the account's Archive", func() bool {
		folders, _ := h.store.Folders(context.Background())
		return slices.ContainsFunc(folders, func(f mailstore.Folder) bool { return f.Ref == archive })
	})
	h.c.settings.SetBool(prefUnsubscribed, true) // the test server subscribes to nothing
	h.c.loadFolders(false)
	h.settle()
	h.c.ui.tree.OpenBranch(accountUID("Machin"))
	return h, addr, archive
}

// While messages are dragged, a label beside the pointer (the drag image)
// says how many are moved, or copied with Ctrl held, in both languages;
// it goes at the drop.
func TestDragShowsWhatIsDragged(t *testing.T) {
	archive := mailstore.FolderRef{Account: demo.Account, Name: "Archive"}
	for _, tc := range []struct {
		locale   string
		subjects []string
		mods     fyne.KeyModifier
		want     string
	}{
		{"en_US.UTF-8", []string{"test itineraire", "essai"}, 0, "Move 2 messages"},
		{"fr_FR.UTF-8", []string{"test itineraire"}, fyne.KeyModifierControl, "Copier 1 message"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			useLanguage(t, tc.locale)
			h := newHarness(t)
			h.open(tc.subjects[0])
			for _, s := range tc.subjects[1:] {
				h.click(s, fyne.KeyModifierControl)
			}
			row, target := h.row(tc.subjects[len(tc.subjects)-1]), h.treeRowOf(archive)
			from, dest := h.centre(row), h.centre(target)
			h.hold(tc.mods)
			for _, at := range []fyne.Position{from.AddXY(5, 5), dest} {
				row.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{AbsolutePosition: at}})
				g := h.c.drag.ghost
				if !g.Visible() || h.c.drag.ghostText.Text != tc.want {
					t.Fatalf("drag at %v: image shown %v, saying %q, want %q", at, g.Visible(), h.c.drag.ghostText.Text, tc.want)
				}
				gp := h.c.app.Driver().AbsolutePositionForObject(g)
				if d := gp.Subtract(at); d.X < 0 || d.Y < 0 || d.X > 40 || d.Y > 40 {
					t.Errorf("the drag image is at %v, the pointer at %v", gp, at)
				}
			}
			row.DragEnd()
			h.hold(0)
			h.settle()
			if h.c.drag.ghost.Visible() {
				t.Error("the drag image stays after the drop")
			}
		})
	}
}
