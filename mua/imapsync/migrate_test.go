package imapsync

import (
	"context"
	"database/sql"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"facteur/mailstore"
)

// TestStateFromOlderVersion: a state.sqlite made before UIDNEXT and the
// subscriptions were kept opens with its rows, the new columns added; its
// HIGHESTMODSEQ is forgotten, so that the next sync fetches every flag and
// finds the keywords the server had before they were kept.
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
	if err != nil || fs != (folderState{UIDValidity: 7}) {
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

// TestPutFlags: putFlags writes the flags of the UIDs of the map, in the
// folder named only, keeps their ids, adds no row for an unknown UID, and
// writes batches larger than one statement (uidsPerInsert).
func TestPutFlags(t *testing.T) {
	ctx := context.Background()
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	other := mailstore.FolderRef{Account: "Machin", Name: "Work"}
	const n = uidsPerInsert + 3
	tests := []struct {
		name string
		put  []mapping // to putFlags in INBOX
		want map[uint32]mapping
	}{
		{"none", nil, nil},
		{"one", []mapping{{UID: 2, ID: 999, Flags: mailstore.FlagSeen}}, map[uint32]mapping{2: {UID: 2, ID: 2, Flags: mailstore.FlagSeen}}},
		{"unknown UID", []mapping{{UID: n + 10, Flags: mailstore.FlagSeen}}, nil},
		{"all, over one statement", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rows := stateWithUIDs(t, n, inbox, other)
			want := map[uint32]mapping{}
			for _, r := range rows {
				want[r.UID] = r
			}
			put := tt.put
			if tt.name == "all, over one statement" {
				for _, r := range rows {
					r.Flags = mailstore.FlagFlagged | mailstore.FlagSeen
					put = append(put, r)
					want[r.UID] = r
				}
			}
			for uid, mp := range tt.want {
				want[uid] = mp
			}
			if err := st.putFlags(ctx, inbox, put); err != nil {
				t.Fatal(err)
			}
			got, err := st.uids(ctx, inbox)
			if err != nil || !maps.Equal(got, want) {
				t.Errorf("INBOX: %d rows, %v; want %d rows (UID 2: got %+v, want %+v)", len(got), err, len(want), got[2], want[2])
			}
			untouched, err := st.uids(ctx, other)
			if err != nil || len(untouched) != n || untouched[2].Flags != 0 || untouched[n].Flags != 0 {
				t.Errorf("Work: %d rows, %v, UID 2 %+v: want %d rows without flags", len(untouched), err, untouched[2], n)
			}
		})
	}
}

// stateWithUIDs opens a new State whose UID map has, in each folder of
// refs, n rows: UIDs 1 to n for ids 1 to n, without flags.
func stateWithUIDs(tb testing.TB, n int, refs ...mailstore.FolderRef) (*State, []mapping) {
	tb.Helper()
	ctx := context.Background()
	st, err := OpenState(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	rows := make([]mapping, n)
	for i := range rows {
		rows[i] = mapping{UID: uint32(i + 1), ID: int64(i + 1)}
	}
	for _, ref := range refs {
		if err := st.putUIDs(ctx, ref, rows); err != nil {
			tb.Fatal(err)
		}
	}
	return st, rows
}
