package imapsync

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"facteur/mailstore"
)

// TestStateFromOlderVersion: a state.sqlite made before UIDNEXT and the
// subscriptions were kept opens with its rows, the new columns added.
func TestStateFromOlderVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "imap", "state.sqlite")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`CREATE TABLE folders(account TEXT NOT NULL, name TEXT NOT NULL,
		uidvalidity INTEGER NOT NULL DEFAULT 0, modseq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(account, name));
		INSERT INTO folders VALUES('Machin', 'INBOX', 7, 42);
		CREATE TABLE journal(seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,
		op TEXT NOT NULL, folder TEXT NOT NULL, uid INTEGER NOT NULL,
		id INTEGER NOT NULL, addf INTEGER NOT NULL DEFAULT 0, delf INTEGER NOT NULL DEFAULT 0,
		dest TEXT NOT NULL DEFAULT '');
		INSERT INTO journal(account, op, folder, uid, id) VALUES('Machin', 'flags', 'INBOX', 3, 5), ('Machin', 'flags', 'Gone', 3, 6)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := OpenState(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, err := st.folder(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"})
	if err != nil || fs != (folderState{UIDValidity: 7, ModSeq: 42}) {
		t.Errorf("folder state %+v, %v", fs, err)
	}
	if subs, err := st.Subscriptions(ctx, "Machin"); err != nil || len(subs) != 0 {
		t.Errorf("subscriptions %v, %v; want none known", subs, err)
	}
	// the journal's actions belong to the UIDVALIDITY their folder had
	pend, err := st.pending(ctx, "Machin")
	if err != nil || len(pend) != 2 || pend[0].Validity != 7 || pend[1].Validity != 0 {
		t.Errorf("journal %+v, %v; want the validities 7 and 0 (no folder row)", pend, err)
	}
}

// TestCheckStore: the first index id seen is recorded and the maps kept
// (a state made before index ids); the same id keeps them; another one
// drops them, with the HIGHESTMODSEQ and UIDNEXT that vouched for them.
func TestCheckStore(t *testing.T) {
	ctx := context.Background()
	st, err := OpenState(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ref := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	if err := st.setFolder(ctx, ref, folderState{UIDValidity: 7, ModSeq: 9, UIDNext: 4}); err != nil {
		t.Fatal(err)
	}
	if err := st.putUIDs(ctx, ref, []mapping{{UID: 1, ID: 10}, {UID: 3, ID: 11}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id      string
		dropped bool
		uids    int
		fs      folderState
	}{
		{"a", false, 2, folderState{UIDValidity: 7, ModSeq: 9, UIDNext: 4}},
		{"a", false, 2, folderState{UIDValidity: 7, ModSeq: 9, UIDNext: 4}},
		{"b", true, 0, folderState{UIDValidity: 7}},
	} {
		dropped, err := st.checkStore(ctx, tt.id)
		known, _ := st.uids(ctx, ref)
		fs, _ := st.folder(ctx, ref)
		if err != nil || dropped != tt.dropped || len(known) != tt.uids || fs != tt.fs {
			t.Errorf("checkStore(%q) = %v, %v; %d UIDs, %+v; want %v, %d UIDs, %+v",
				tt.id, dropped, err, len(known), fs, tt.dropped, tt.uids, tt.fs)
		}
	}
}
