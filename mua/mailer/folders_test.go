package mailer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
	"facteur/mua/imapsync"
	"facteur/mua/imapsync/imaptest"
)

// An IMAP account's folders change on its server: a created folder is
// there, a renamed one keeps its messages (nothing downloaded again, the
// local ids kept), a deleted one is gone from both sides; mark all read
// and the properties work on it.
func TestIMAPFolderOps(t *testing.T) {
	f := newFixture(t, []string{"Archive"}, "One", "Two")
	ctx := context.Background()
	projets := mailstore.FolderRef{Account: "Machin", Name: "Projets"}
	if err := f.m.CreateFolder(ctx, projets); err != nil {
		t.Fatal(err)
	}
	if got := imaptest.Mailboxes(t, f.srv.Addr); !slices.Equal(got, []string{"Archive", "INBOX", "Projets"}) {
		t.Fatalf("server folders after create: %q", got)
	}
	ids := f.ids(t, "Machin", "INBOX")
	ch, err := f.m.Move(ctx, []int64{ids["One"], ids["Two"]}, projets)
	if err != nil {
		t.Fatal(err)
	}
	f.replay(t, ch)
	if err := f.m.RenameFolder(ctx, projets, "Projets 2026"); err != nil {
		t.Fatal(err)
	}
	if got := imaptest.Mailboxes(t, f.srv.Addr); !slices.Equal(got, []string{"Archive", "INBOX", "Projets 2026"}) {
		t.Fatalf("server folders after rename: %q", got)
	}
	if st, err := f.m.Sync(ctx, f.acct, SyncOptions{}); err != nil || st.IMAP.New != 0 {
		t.Errorf("sync after the rename: %+v, %v; want nothing new", st, err)
	}
	renamed := mailstore.FolderRef{Account: "Machin", Name: "Projets 2026"}
	if got := f.ids(t, "Machin", renamed.Name); got["One"] != ids["One"] || got["Two"] != ids["Two"] {
		t.Errorf("local ids after rename %v, before %v", got, ids)
	}
	ch, err = f.m.MarkFolderRead(ctx, renamed)
	if err != nil {
		t.Fatal(err)
	}
	f.replay(t, ch)
	if got := f.server(t, renamed.Name); !slices.Equal(got, []string{`One \Seen`, `Two \Seen`}) {
		t.Errorf("server after mark all read: %q", got)
	}
	info, err := f.m.FolderInfo(ctx, renamed)
	if err != nil || info.Total != 2 || info.Unread != 0 || info.Size < int64(2*len(testMsg("One"))) || info.Remote != "Projets 2026" {
		t.Errorf("FolderInfo = %+v, %v", info, err)
	}
	if err := f.m.DeleteFolder(ctx, renamed); err != nil {
		t.Fatal(err)
	}
	if got := imaptest.Mailboxes(t, f.srv.Addr); !slices.Equal(got, []string{"Archive", "INBOX"}) {
		t.Errorf("server folders after delete: %q", got)
	}
	if _, _, err := f.store.Count(ctx, renamed); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("local folder after delete: %v", err)
	}
}

// The Local account's folders change in the store alone; a rename keeps
// the messages, a name taken is refused, a folder with sub-folders is not
// deleted.
func TestLocalFolderOps(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	work := mailstore.FolderRef{Account: LocalAccount, Name: "Work"}
	for _, ref := range []mailstore.FolderRef{work, {Account: LocalAccount, Name: "Work/2026"}} {
		if err := f.m.CreateFolder(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.m.CreateFolder(ctx, work); !errors.Is(err, mailstore.ErrFolderExists) {
		t.Errorf("create again = %v, want ErrFolderExists", err)
	}
	sum, err := f.store.Add(ctx, mailstore.FolderRef{Account: LocalAccount, Name: "Work/2026"}, strings.NewReader(testMsg("Kept")), mailstore.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.m.DeleteFolder(ctx, work); !errors.Is(err, mailstore.ErrHasChildren) {
		t.Errorf("delete of a parent = %v, want ErrHasChildren", err)
	}
	if err := f.m.DeleteFolder(ctx, mailstore.FolderRef{Account: LocalAccount, Name: "INBOX"}); !errors.Is(err, imapsync.ErrInbox) {
		t.Errorf("delete of the Local INBOX = %v, want ErrInbox", err)
	}
	if err := f.m.RenameFolder(ctx, work, "Travail"); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Get(ctx, sum.ID)
	if err != nil || got.Folder.Name != "Travail/2026" {
		t.Errorf("message after rename: %+v, %v", got.Folder, err)
	}
	if err := f.m.DeleteFolder(ctx, mailstore.FolderRef{Account: LocalAccount, Name: "Travail/2026"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Get(ctx, sum.ID); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("message after its folder's deletion: %v", err)
	}
}
