package mailstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkState fails t when the index of dir has a message in headers
// without its row in state, a row of state without its message, or a
// copy of folder, key, date or thread that differs from headers (stateCopies,
// stateDeleted, batch.insert). An index that cannot be read, or of
// another version (a test that damaged it on purpose), is not checked.
func checkState(t testing.TB, dir string) {
	t.Helper()
	path := filepath.Join(dir, indexFile)
	if _, err := os.Stat(path); err != nil {
		return
	}
	db, err := sql.Open("sqlite", readOnlyDSN(path))
	if err != nil {
		return
	}
	defer db.Close()
	var version int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != schemaVersion {
		return
	}
	var bad int
	err = db.QueryRow(`SELECT (SELECT count(*) FROM headers h LEFT JOIN state s USING (id)
			WHERE s.id IS NULL OR s.folder <> h.folder OR s.key <> h.key OR s.date <> h.date OR s.thread <> h.thread)
		+ (SELECT count(*) FROM state WHERE id NOT IN (SELECT id FROM headers))`).Scan(&bad)
	if err != nil {
		return
	}
	if bad != 0 {
		t.Errorf("index of %s: %d messages whose headers and state differ", dir, bad)
	}
}

// asVersion7 turns the index of dir back into one of version 7, as
// Facteur wrote it before state (schema version 8): messages one table
// with sub, flags and info, and the flag indexes on it.
func asVersion7(t testing.TB, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`DROP VIEW messages`, `DROP TRIGGER state_copies`, `DROP TRIGGER state_deleted`,
		`ALTER TABLE headers ADD COLUMN sub TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE headers ADD COLUMN flags INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE headers ADD COLUMN info TEXT NOT NULL DEFAULT ''`,
		`UPDATE headers SET sub = s.sub, flags = s.flags, info = s.info FROM state s WHERE s.id = headers.id`,
		`DROP TABLE state`,
		`ALTER TABLE headers RENAME TO messages`,
		`CREATE INDEX messages_flags ON messages(folder, flags)`,
		oldUnreadIndex, oldFlaggedIndex,
		`PRAGMA user_version = 7`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
}

// TestIndexMigrationFrom7: an index of version 7 (sub, flags and info in
// the messages table) is migrated in place: ids, the index id, flags,
// keywords, counts and the virtual folders are as before, and a change
// of flags afterwards goes to state.
func TestIndexMigrationFrom7(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	work := FolderRef{Account: "Local", Name: "Work"}
	a := add(t, s, inbox, testMsg{id: "a@x", subject: "read and flagged"}, AddOptions{Flags: FlagSeen | FlagFlagged})
	b := add(t, s, inbox, testMsg{id: "b@x", subject: "unread"}, AddOptions{})
	c := add(t, s, work, testMsg{id: "c@x", subject: "Re: read and flagged", inReplyTo: "a@x"}, AddOptions{Flags: FlagSeen})
	if err := s.SetKeywordLetters(ctx, []int64{b.ID}, "a", ""); err != nil {
		t.Fatal(err)
	}
	id, err := s.IndexID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := describeStore(t, s)
	s.Close()
	asVersion7(t, dir)

	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if id2, _ := s2.IndexID(ctx); id2 != id {
		t.Errorf("index id %q after the migration, was %q: rebuilt?", id2, id)
	}
	if after := describeStore(t, s2); after != before {
		t.Errorf("after the migration:\n%s\nbefore:\n%s", after, before)
	}
	if err := s2.SetFlags(ctx, []int64{b.ID}, FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if err := s2.Move(ctx, []int64{c.ID}, inbox); err != nil {
		t.Fatal(err)
	}
	if total, unread, err := s2.Count(ctx, inbox); err != nil || total != 3 || unread != 0 {
		t.Errorf("INBOX after a change: %d messages, %d unread, %v; want 3, 0", total, unread, err)
	}
	if got, err := s2.Get(ctx, a.ID); err != nil || got.Flags != FlagSeen|FlagFlagged {
		t.Errorf("message a: %+v, %v", got, err)
	}
	s2.Close()
	checkState(t, dir)
}

// describeStore describes what a store shows: its folders with their counts,
// each message with its folder, flags, keywords and thread, and the
// virtual folders.
func describeStore(t testing.TB, s *Store) string {
	t.Helper()
	ctx := context.Background()
	var out []byte
	folders, err := s.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		out = fmt.Appendf(out, "%s: %d messages, %d unread, %d partial\n", f.Ref, f.Total, f.Unread, f.Partial)
		list, err := s.List(ctx, f.Ref, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		letters, err := s.keywordLetters(ctx, list)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			out = fmt.Appendf(out, "  %d %q flags %v keywords %q thread %d\n", m.ID, m.Subject, m.Flags, letters[m.ID], m.ThreadID)
		}
	}
	for _, v := range Virtuals {
		list, err := s.ListVirtual(ctx, v, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		total, unread, err := s.CountVirtual(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		out = fmt.Appendf(out, "%s: %d, %d unread:", v, total, unread)
		for _, m := range list {
			out = fmt.Appendf(out, " %d", m.ID)
		}
		out = append(out, '\n')
	}
	return string(out)
}

// The counts of the folders read indexes of state only, not its rows;
// the partial messages come from the partial index of headers.
func TestCountsReadIndexesOnly(t *testing.T) {
	s, _ := openTest(t)
	add(t, s, inbox, testMsg{id: "a@x", subject: "A"}, AddOptions{})
	fi, err := s.folder(inbox)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query string
		args        []any
		want        []string
	}{
		{"Folders", foldersQuery, nil, []string{"COVERING INDEX state_folder ", "COVERING INDEX state_folder_unread ", "INDEX messages_partial "}},
		{"Count", countQuery, []any{fi.id}, []string{"COVERING INDEX state_folder ", "COVERING INDEX state_folder_unread "}},
	} {
		plan := queryPlan(t, s, tc.query, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(plan+" ", w) {
				t.Errorf("%s: plan %q, want %q", tc.name, plan, w)
			}
		}
		for _, step := range strings.Split(plan, " | ") {
			if (strings.Contains(step, " state ") || strings.Contains(step, " u ")) && !strings.Contains(step, "COVERING INDEX") {
				t.Errorf("%s: plan %q reads the rows of state", tc.name, plan)
			}
		}
	}
}

// queryPlan is SQLite's plan of a query, its steps joined by " | ".
func queryPlan(t testing.TB, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.ix.rdb.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, " | ")
}
