package mailstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/sqlplan"
)

// checkState fails t when the index of dir has a message in headers
// without its row in state, a row of state without its message, or a
// copy of folder, key, date or thread that differs from headers (stateCopies,
// stateDeleted, batch.insert). An index that cannot be opened, or of
// another version (a test that damaged it on purpose), is not checked;
// one of this version that cannot be checked fails t.
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
		t.Errorf("index of %s: checking headers against state: %v", dir, err)
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
	plan, err := sqlplan.Steps(context.Background(), s.ix.rdb, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, " | ")
}

// TestIndexMigrationFromVersion7File opens a profile that Facteur wrote
// before state, with an index of version 7 (testdata/version7: made by
// the binary of a6f927a, 2026-12-07, with `facteur import`, `flag` and
// `move`): six messages in three folders of Local, read, answered and
// flagged ones, a keyword, a moved message, a thread. The index is
// migrated in place: every message keeps its id, folder, flags, keyword
// letter and file, the counts, virtual folders, threads and full text
// are as they were, and a change of flags afterwards is recorded.
func TestIndexMigrationFromVersion7File(t *testing.T) {
	if infoSeparator != ":" {
		t.Skip("the fixture's index names its files with ':' (written on Linux)")
	}
	ctx := context.Background()
	dir := fixtureProfile(t, "testdata/version7")
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mboxo, golang, course := "mboxo", "Lists/golang", "course-example"
	want := map[int64]struct {
		folder  string
		flags   Flags
		letters string
	}{
		1: {mboxo, FlagSeen | FlagFlagged, ""},
		2: {course, 0, ""}, // moved there from mboxo
		3: {mboxo, FlagSeen | FlagAnswered, ""},
		4: {golang, 0, ""},
		5: {golang, FlagSeen, ""},
		6: {course, 0, "a"},
	}
	for id, w := range want {
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatalf("message %d: %v", id, err)
		}
		if m.Folder.Name != w.folder || m.Flags != w.flags {
			t.Errorf("message %d: in %s with flags %v, want %s, %v", id, m.Folder.Name, m.Flags, w.folder, w.flags)
		}
		letters, err := s.keywordLetters(ctx, []Summary{m})
		if err != nil || letters[id] != w.letters {
			t.Errorf("message %d: keyword letters %q, %v; want %q", id, letters[id], err, w.letters)
		}
		if p, err := s.Path(ctx, id); err != nil {
			t.Errorf("message %d: %v", id, err)
		} else if _, err := os.Stat(p); err != nil {
			t.Errorf("message %d: %v", id, err)
		}
	}
	counts := map[string][2]int{mboxo: {2, 0}, golang: {2, 1}, course: {2, 2}}
	for name, c := range counts {
		total, unread, err := s.Count(ctx, FolderRef{Account: "Local", Name: name})
		if err != nil || total != c[0] || unread != c[1] {
			t.Errorf("%s: %d messages, %d unread, %v; want %d, %d", name, total, unread, err, c[0], c[1])
		}
	}
	if total, unread, err := s.CountVirtual(ctx, VirtualUnread); err != nil || total != 3 || unread != 3 {
		t.Errorf("All unread: %d, %d unread, %v; want 3, 3", total, unread, err)
	}
	if list, err := s.ListVirtual(ctx, VirtualFlagged, ListOptions{}); err != nil || len(list) != 1 || list[0].ID != 1 {
		t.Errorf("All flagged: %v, %v; want message 1", list, err)
	}
	if conv, err := s.Conversation(ctx, 5); err != nil || len(conv) != 2 {
		t.Errorf("the thread of message 5: %d messages, %v; want 2", len(conv), err)
	}
	if found, err := s.Search(ctx, "Marseille", SearchOptions{}); err != nil || len(found) != 2 {
		t.Errorf("search Marseille: %d, %v; want 2", len(found), err)
	}
	if err := s.SetFlags(ctx, []int64{4}, FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if total, unread, err := s.Count(ctx, FolderRef{Account: "Local", Name: golang}); err != nil || total != 2 || unread != 0 {
		t.Errorf("%s after a change: %d messages, %d unread, %v; want 2, 0", golang, total, unread, err)
	}
	s.Close()
	checkState(t, dir)
}

// fixtureProfile copies a profile of testdata into a temporary
// directory: its index files, and its Maildir files with the info
// separator of this system for the "!" they are kept with (git keeps
// no ':' on Windows). The .keep files that keep empty directories in git
// are left out.
func fixtureProfile(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		dst := filepath.Join(dir, strings.Replace(rel, "!2,", infoSeparator+"2,", 1))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		if d.Name() == ".keep" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
