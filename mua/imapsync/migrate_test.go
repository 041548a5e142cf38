package imapsync

import (
	"context"
	"database/sql"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"facteur/internal/sqlplan"
	"facteur/mailstore"
)

// TestStateFromOlderVersion: a state.sqlite made before UIDNEXT, the
// subscriptions and the keywords were kept opens with its rows, the new
// columns added and its UID map moved to fids and uidmap; its
// HIGHESTMODSEQ is forgotten, so that the next sync fetches every flag and
// finds the keywords the server had before they were kept.
func TestStateFromOlderVersion(t *testing.T) {
	st := oldState(t, func(db *sql.DB) error {
		_, err := db.Exec(`CREATE TABLE folders(account TEXT NOT NULL, name TEXT NOT NULL,
		uidvalidity INTEGER NOT NULL DEFAULT 0, modseq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(account, name));
		INSERT INTO folders VALUES('Machin', 'INBOX', 7, 42);
		CREATE TABLE uids(account TEXT NOT NULL, folder TEXT NOT NULL, uid INTEGER NOT NULL,
			id INTEGER NOT NULL, flags INTEGER NOT NULL, PRIMARY KEY(account, folder, uid));
		CREATE INDEX uids_id ON uids(account, id);
		INSERT INTO uids VALUES('Machin', 'INBOX', 3, 5, 1), ('Machin', 'INBOX', 4, 6, 0);
		CREATE TABLE journal(seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,
		op TEXT NOT NULL, folder TEXT NOT NULL, uid INTEGER NOT NULL,
		id INTEGER NOT NULL, addf INTEGER NOT NULL DEFAULT 0, delf INTEGER NOT NULL DEFAULT 0,
		dest TEXT NOT NULL DEFAULT '');
		INSERT INTO journal(account, op, folder, uid, id) VALUES('Machin', 'flags', 'INBOX', 3, 5), ('Machin', 'flags', 'Gone', 3, 6)`)
		return err
	})
	ctx := context.Background()
	fs, err := st.folder(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"})
	if err != nil || fs != (folderState{UIDValidity: 7}) {
		t.Errorf("folder state %+v, %v", fs, err)
	}
	if subs, err := st.Subscriptions(ctx, "Machin"); err != nil || len(subs) != 0 {
		t.Errorf("subscriptions %v, %v; want none known", subs, err)
	}
	want := map[uint32]mapping{3: {UID: 3, ID: 5, Flags: 1}, 4: {UID: 4, ID: 6}}
	if got, err := st.uids(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"}); err != nil || !maps.Equal(got, want) {
		t.Errorf("UID map %v, %v; want %v", got, err, want)
	}
	// the journal's actions belong to the UIDVALIDITY their folder had
	pend, err := st.pending(ctx, "Machin")
	if err != nil || len(pend) != 2 || pend[0].Validity != 7 || pend[1].Validity != 0 {
		t.Errorf("journal %+v, %v; want the validities 7 and 0 (no folder row)", pend, err)
	}
}

// oldState opens a State whose database setup made first, as an older
// Facteur left it.
func oldState(t *testing.T, setup func(db *sql.DB) error) *State {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "imap", "state.sqlite")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	err = setup(db)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenState(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// keysEraState is the UID map's table of the states made before fids and
// uidmap (with the keywords' column, the last columns it had).
const keysEraState = `CREATE TABLE folders(
	account TEXT NOT NULL, name TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL DEFAULT 0, modseq INTEGER NOT NULL DEFAULT 0,
	uidnext INTEGER NOT NULL DEFAULT 0, subscribed INTEGER, revalidate INTEGER NOT NULL DEFAULT 0, remote TEXT,
	PRIMARY KEY(account, name));
CREATE TABLE uids(
	account TEXT NOT NULL, folder TEXT NOT NULL, uid INTEGER NOT NULL,
	id INTEGER NOT NULL, flags INTEGER NOT NULL, keys TEXT NOT NULL DEFAULT '',
	PRIMARY KEY(account, folder, uid));
CREATE INDEX uids_id ON uids(account, id);`

// TestUIDMapMigration: the UID map of a state made before fids, two
// accounts with folders of the same names, the highest UID there can be,
// flags and keywords, comes out of the migration row for row: every
// folder's map, each UID, each id's folder; HIGHESTMODSEQ is kept (the
// keywords were kept already); a change of flags, a new row and a folder
// dropped after it touch only their own rows.
func TestUIDMapMigration(t *testing.T) {
	type row struct {
		account, folder string
		mp              mapping
	}
	rows := []row{
		{"Machin", "INBOX", mapping{UID: 1, ID: 10, Flags: mailstore.FlagSeen, Keys: "$label1"}},
		{"Machin", "INBOX", mapping{UID: 4294967295, ID: 11, Flags: mailstore.FlagFlagged}},
		{"Machin", "Été/Projets", mapping{UID: 7, ID: 12, Keys: "$junk projet"}},
		{"Truc", "INBOX", mapping{UID: 1, ID: 20, Flags: mailstore.FlagSeen | mailstore.FlagAnswered}},
		{"Truc", "Sent", mapping{UID: 2, ID: 21}},
	}
	st := oldState(t, func(db *sql.DB) error {
		_, err := db.Exec(keysEraState + `
			INSERT INTO folders(account, name, uidvalidity, modseq, uidnext) VALUES('Machin', 'INBOX', 7, 42, 8)`)
		for _, r := range rows {
			if err == nil {
				_, err = db.Exec(`INSERT INTO uids VALUES(?, ?, ?, ?, ?, ?)`, r.account, r.folder, r.mp.UID, r.mp.ID, r.mp.Flags, r.mp.Keys)
			}
		}
		return err
	})
	ctx := context.Background()
	// want: the map of each folder
	want := map[mailstore.FolderRef]map[uint32]mapping{}
	for _, r := range rows {
		ref := mailstore.FolderRef{Account: r.account, Name: r.folder}
		if want[ref] == nil {
			want[ref] = map[uint32]mapping{}
		}
		want[ref][r.mp.UID] = r.mp
	}
	check := func(when string) {
		t.Helper()
		for ref, w := range want {
			if got, err := st.uids(ctx, ref); err != nil || !maps.Equal(got, w) {
				t.Errorf("%s: %v: %v, %v; want %v", when, ref, got, err, w)
			}
			for uid, mp := range w {
				if got, ok, err := st.mapped(ctx, ref, uid); err != nil || !ok || got != mp {
					t.Errorf("%s: mapped(%v, %d) = %+v, %v, %v; want %+v", when, ref, uid, got, ok, err, mp)
				}
				if f, got, ok, err := st.byID(ctx, ref.Account, mp.ID); err != nil || !ok || f != ref.Name || got != mp {
					t.Errorf("%s: byID(%s, %d) = %q %+v, %v, %v; want %q %+v", when, ref.Account, mp.ID, f, got, ok, err, ref.Name, mp)
				}
			}
		}
	}
	check("migrated")
	if _, _, ok, _ := st.byID(ctx, "Truc", 10); ok {
		t.Error("byID found Machin's message in Truc")
	}
	if fs, err := st.folder(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"}); err != nil || fs.ModSeq != 42 {
		t.Errorf("folder state %+v, %v; want HIGHESTMODSEQ 42 kept", fs, err)
	}
	if old, err := hasTable(ctx, st.db, "uids"); err != nil || old {
		t.Errorf("the old table is still there (%v, %v)", old, err)
	}

	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	truc := mailstore.FolderRef{Account: "Truc", Name: "INBOX"}
	changed := mapping{UID: 4294967295, ID: 11, Flags: mailstore.FlagSeen}
	if err := st.putFlags(ctx, inbox, []mapping{changed}); err != nil {
		t.Fatal(err)
	}
	want[inbox][changed.UID] = changed
	added := mapping{UID: 2, ID: 22}
	if err := st.putUID(ctx, truc, added); err != nil {
		t.Fatal(err)
	}
	want[truc][added.UID] = added
	sent := mailstore.FolderRef{Account: "Truc", Name: "Sent"}
	if err := st.dropFolder(ctx, sent); err != nil {
		t.Fatal(err)
	}
	delete(want, sent)
	check("changed")
	if got, err := st.uids(ctx, sent); err != nil || len(got) != 0 {
		t.Errorf("dropped folder: %v, %v", got, err)
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

// TestUIDMapPlans: the UID map is read and written by rowid: a folder's
// map as one range of it, a flag or keyword change as one look-up per
// row; the server side of a local message through the id's index.
func TestUIDMapPlans(t *testing.T) {
	st, _ := stateWithUIDs(t, 10, mailstore.FolderRef{Account: "Machin", Name: "INBOX"})
	w := &uidsWriter{st: flagsStmt}
	for _, tt := range []struct {
		query string
		args  []any
		want  []string
	}{
		{uidsQuery, []any{"Machin", "INBOX"},
			[]string{"SEARCH uidmap USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"}},
		{w.text(3), []any{1, 2, 3, 4, 5, 6}, []string{"SEARCH uidmap USING INTEGER PRIMARY KEY (rowid=?)"}},
		{byIDQuery, []any{1, "Machin"},
			[]string{"SEARCH m USING INDEX uidmap_id (id=?)", "SEARCH f USING INTEGER PRIMARY KEY (rowid=?)"}},
	} {
		plan, err := sqlplan.Steps(context.Background(), st.db, tt.query, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !slices.Contains(plan, w) {
				t.Errorf("%.60s...: plan %q, want %q", tt.query, plan, w)
			}
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN uidmap") || strings.HasPrefix(step, "SCAN m") {
				t.Errorf("%.60s...: plan %q scans the UID map", tt.query, plan)
			}
		}
	}
}

// TestParseMapping reads rows of the UID map as uidsQuery joins them:
// the keywords last, with their spaces and any other character of an
// atom; a row that is not four fields of the right kinds is an error.
func TestParseMapping(t *testing.T) {
	for _, tt := range []struct {
		row  string
		want mapping
		bad  bool
	}{
		{row: "1 10 0 ", want: mapping{UID: 1, ID: 10}},
		{row: "4294967295 9223372036854775807 255 $label1", want: mapping{UID: 4294967295, ID: 9223372036854775807, Flags: 255, Keys: "$label1"}},
		{row: "7 12 5 $Junk projet/été x.y", want: mapping{UID: 7, ID: 12, Flags: 5, Keys: "$Junk projet/été x.y"}},
		{row: "7 12 5", bad: true},
		{row: "", bad: true},
		{row: "4294967296 1 0 ", bad: true},
		{row: "1 1 256 ", bad: true},
		{row: "1 x 0 ", bad: true},
		{row: "-1 1 0 ", bad: true},
	} {
		got, err := parseMapping(tt.row)
		if tt.bad != (err != nil) || got != tt.want {
			t.Errorf("parseMapping(%q) = %+v, %v; want %+v (error: %v)", tt.row, got, err, tt.want, tt.bad)
		}
	}
}

// TestUIDMapMigrationAfterDowngrade: an older Facteur that ran on a
// state of today made its uids table again and wrote rows in it; the next
// opening moves them in, the older Facteur's row taking the place of the
// one of the same UID, and opens.
func TestUIDMapMigrationAfterDowngrade(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	st, err := OpenState(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.putUIDs(ctx, inbox, []mapping{{UID: 1, ID: 10}, {UID: 2, ID: 11}}); err != nil {
		t.Fatal(err)
	}
	_, err = st.db.Exec(`CREATE TABLE uids(account TEXT NOT NULL, folder TEXT NOT NULL, uid INTEGER NOT NULL,
			id INTEGER NOT NULL, flags INTEGER NOT NULL, keys TEXT NOT NULL DEFAULT '', PRIMARY KEY(account, folder, uid));
		INSERT INTO uids VALUES('Machin', 'INBOX', 2, 12, 1, ''), ('Machin', 'INBOX', 3, 13, 0, '$label1')`)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st, err = OpenState(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want := map[uint32]mapping{1: {UID: 1, ID: 10}, 2: {UID: 2, ID: 12, Flags: 1}, 3: {UID: 3, ID: 13, Keys: "$label1"}}
	if got, err := st.uids(ctx, inbox); err != nil || !maps.Equal(got, want) {
		t.Errorf("UID map %v, %v; want %v", got, err, want)
	}
}

// TestRenameTreeMovesUIDMaps: renaming a folder carries its UID map and
// its sub-folders' to the new names, over the number a folder of the new
// name kept with no rows left (its messages all expunged): fids are
// unique by name, and that number would stand in the way.
func TestRenameTreeMovesUIDMaps(t *testing.T) {
	ctx := context.Background()
	ref := func(name string) mailstore.FolderRef { return mailstore.FolderRef{Account: "Machin", Name: name} }
	st, rows := stateWithUIDs(t, 3, ref("Work"), ref("Work/Sub"), ref("Archive"), ref("Workshop"))
	if err := st.dropUIDs(ctx, ref("Archive"), []uint32{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := st.renameTree(ctx, "Machin", "Work", "Archive", "Work", "Archive"); err != nil {
		t.Fatal(err)
	}
	want := map[uint32]mapping{}
	for _, r := range rows {
		want[r.UID] = r
	}
	for name, w := range map[string]map[uint32]mapping{
		"Archive": want, "Archive/Sub": want, "Workshop": want, "Work": {}, "Work/Sub": {},
	} {
		if got, err := st.uids(ctx, ref(name)); err != nil || !maps.Equal(got, w) {
			t.Errorf("%s: %v, %v; want %v", name, got, err, w)
		}
	}
}
