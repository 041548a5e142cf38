package mailer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
)

// writeMbox writes an mbox of messages with those subjects.
func writeMbox(t *testing.T, subjects ...string) string {
	t.Helper()
	var b strings.Builder
	for _, s := range subjects {
		b.WriteString("From fred@truc.test Mon Nov  2 10:00:00 2026\n")
		b.WriteString(strings.ReplaceAll(testMsg(s), "\r\n", "\n"))
		b.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "old.mbox")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Messages imported into an IMAP account's folder reach its server (an
// existing folder, and one the import creates there); imported again,
// nothing is doubled; into the Local account they stay in the store.
func TestImportReachesTheServer(t *testing.T) {
	f := newFixture(t, []string{"Archive"}, "Already")
	ctx := context.Background()
	if _, err := f.m.Sync(ctx, f.acct, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	mbox := writeMbox(t, "Old one", "Old two")
	for _, dest := range []mailstore.FolderRef{{Account: "Machin", Name: "Archive"}, {Account: "Machin", Name: "Old mail"}} {
		st, ch, err := f.m.Import(ctx, dest, mbox, mailstore.ImportOptions{})
		if err != nil || st.Messages != 2 {
			t.Fatalf("import into %s: %+v, %v", dest, st, err)
		}
		f.replay(t, ch)
		if got := f.server(t, dest.Name); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"Old one", "Old two"}) {
			t.Errorf("server's %s after the import: %q", dest.Name, got)
		}
		st, ch, err = f.m.Import(ctx, dest, mbox, mailstore.ImportOptions{})
		if err != nil || st.Messages != 0 || st.Duplicates != 2 || len(ch.Journaled) != 0 {
			t.Errorf("import again into %s: %+v, %+v, %v", dest, st, ch, err)
		}
		if _, err := f.m.Sync(ctx, f.acct, SyncOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := f.ids(t, "Machin", dest.Name); len(got) != 2 {
			t.Errorf("local %s after a sync: %v", dest.Name, got)
		}
		if got := f.server(t, dest.Name); len(got) != 2 {
			t.Errorf("server's %s after a sync: %q", dest.Name, got)
		}
	}
	if got := f.server(t, "INBOX"); !slices.Equal(got, []string{"Already"}) {
		t.Errorf("server's INBOX: %q", got)
	}
	local := mailstore.FolderRef{Account: LocalAccount, Name: "Old"}
	st, ch, err := f.m.Import(ctx, local, mbox, mailstore.ImportOptions{})
	if err != nil || st.Messages != 2 || len(ch.Journaled) != 0 {
		t.Errorf("import into Local: %+v, %+v, %v", st, ch, err)
	}
}
