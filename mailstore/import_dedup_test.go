package mailstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/mailstore/internal/corpus"
)

// Issue 11, item 4: an import run twice stores each message once; with
// AllowDuplicates, twice.
func TestImportTwiceSkipsDuplicates(t *testing.T) {
	for _, tt := range []struct {
		file string
		n    int
	}{{"mboxo.mbox", 3}, {"mboxrd.mbox", 2}, {"maildir", 2}, {"course-example.eml", 1}} {
		t.Run(tt.file, func(t *testing.T) {
			s, _ := openTest(t)
			ctx := context.Background()
			folder := FolderRef{"Local", "x"}
			path := filepath.Join("testdata", tt.file)
			want := []ImportStats{{Messages: tt.n}, {Duplicates: tt.n}}
			for i, w := range want {
				st, err := s.Import(ctx, folder, path, nil)
				st.Bytes, st.Problems = 0, 0
				if err != nil || st != w {
					t.Fatalf("import %d: %+v, %v; want %+v", i+1, st, err, w)
				}
			}
			st, err := s.ImportWith(ctx, folder, path, ImportOptions{AllowDuplicates: true})
			if err != nil || st.Messages != tt.n || st.Duplicates != 0 {
				t.Fatalf("import with duplicates allowed: %+v, %v", st, err)
			}
			if n, _, _ := s.Count(ctx, folder); n != 2*tt.n {
				t.Errorf("%d messages in the folder, want %d", n, 2*tt.n)
			}
		})
	}
}

// The same message twice in one mbox is stored once; another folder is
// not looked at.
func TestImportDuplicatesWithinSource(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	msg := "From a@x Mon Nov 23 10:00:00 2026\nSubject: same\nMessage-ID: <same@x>\n\nbody\n\n"
	other := "From a@x Mon Nov 23 10:00:00 2026\nSubject: other\nMessage-ID: <other@x>\n\nbody\n\n"
	path := filepath.Join(t.TempDir(), "dup.mbox")
	os.WriteFile(path, []byte(msg+other+msg+msg), 0o600)
	st, err := s.Import(ctx, FolderRef{"Local", "a"}, path, nil)
	if err != nil || st.Messages != 2 || st.Duplicates != 2 {
		t.Fatalf("import: %+v, %v", st, err)
	}
	st, err = s.Import(ctx, FolderRef{"Local", "b"}, path, nil)
	if err != nil || st.Messages != 2 || st.Duplicates != 2 {
		t.Fatalf("import into another folder: %+v, %v", st, err)
	}
}

// A message already in the folder, indexed before the index had content
// hashes (a version 4 index, migrated), is recognised all the same.
func TestImportDedupAfterMigrationFrom4(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	folder := FolderRef{"Local", "x"}
	if _, err := s.Import(ctx, folder, "testdata/mboxo.mbox", nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	asVersion7(t, dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP INDEX messages_unread`, `DROP INDEX messages_flagged`, `DROP INDEX messages_hash`, `ALTER TABLE messages DROP COLUMN hash`, `PRAGMA user_version = 4`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	db.Close()
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Import(ctx, folder, "testdata/mboxo.mbox", nil)
	if err != nil || st.Messages != 0 || st.Duplicates != 3 {
		t.Fatalf("import after the migration: %+v, %v", st, err)
	}
}

// corpusMbox writes the first n messages of a corpus as an mbox.
func corpusMbox(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("c%d.mbox", n))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := corpus.WriteMbox(f, 7, n); err != nil {
		t.Fatal(err)
	}
	return path
}

// A message that cannot be written stops the import: the stats count
// exactly what the folder holds (indexed, and no file more on disk), and
// the same import run again stores the rest and nothing twice. The fault
// is real: tmp/ of the folder becomes a file, so that creating a message
// file fails as on a full disk (even for root).
func TestImportWriteFailureThenRerun(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	const total, before = 300, 120
	folder := FolderRef{"Local", "big"}
	if _, err := s.Import(ctx, folder, corpusMbox(t, before), nil); err != nil {
		t.Fatal(err)
	}
	fi, _ := s.folder(folder)
	tmp := filepath.Join(fi.dir, subTmp)
	os.Rename(tmp, tmp+".away")
	os.WriteFile(tmp, nil, 0o600)
	path := corpusMbox(t, total)
	st, err := s.Import(ctx, folder, path, nil)
	// The first write fails, and the import stops there: the workers may
	// have compared some of the messages before it with the folder
	// (Duplicates) or not yet; none is stored.
	if err == nil || st.Failed == 0 || st.Messages != 0 || st.Duplicates > before {
		t.Fatalf("import with a failing disk: %+v, %v", st, err)
	}
	checkFolderExact(t, s, folder, before)
	os.Remove(tmp)
	os.Rename(tmp+".away", tmp)
	st, err = s.Import(ctx, folder, path, nil)
	if err != nil || st != (ImportStats{Messages: total - before, Duplicates: before, Bytes: st.Bytes}) {
		t.Fatalf("import again: %+v, %v", st, err)
	}
	checkFolderExact(t, s, folder, total)
}

// An index that cannot grow (SQLITE_FULL, as on a full disk: the index's
// own page limit, set on the writer's connection) stops the import: the
// files written but not indexed are removed, not left for a rescan, and
// the stats say so; with room again, the same import stores everything
// once.
func TestImportIndexFullThenRerun(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	const total = 300
	folder := FolderRef{"Local", "big"}
	if err := s.CreateFolder(ctx, folder, RoleNone); err != nil {
		t.Fatal(err)
	}
	fillIndex(t, s, 8)
	path := corpusMbox(t, total)
	st, err := s.Import(ctx, folder, path, nil)
	// What fits is kept (rowWriter.salvage): some, not all.
	if err == nil || !strings.Contains(err.Error(), "full") || st.Failed == 0 || st.Messages == 0 {
		t.Fatalf("import into a full index: %+v, %v", st, err)
	}
	checkFolderExact(t, s, folder, st.Messages)
	fillIndex(t, s, -1)
	st2, err := s.Import(ctx, folder, path, nil)
	if err != nil || st2.Messages != total-st.Messages || st2.Duplicates != st.Messages || st2.Failed != 0 {
		t.Fatalf("import again: %+v, %v (first run %+v)", st2, err, st)
	}
	checkFolderExact(t, s, folder, total)
}

// fillIndex lets the index grow by room more pages only, so that SQLite
// answers SQLITE_FULL as on a full disk: the page limit of the writer's
// one connection. A negative room lifts the limit.
func fillIndex(t *testing.T, s *Store, room int) {
	t.Helper()
	ctx := context.Background()
	limit := 1073741823
	if room >= 0 {
		if err := s.ix.wdb.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&limit); err != nil {
			t.Fatal(err)
		}
		limit += room
	}
	if _, err := s.ix.wdb.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, limit)); err != nil {
		t.Fatal(err)
	}
}

// checkFolderExact checks that a folder holds n messages, as many files,
// nothing in tmp/, and nothing a rescan would change.
func checkFolderExact(t *testing.T, s *Store, folder FolderRef, n int) {
	t.Helper()
	ctx := context.Background()
	total, _, _ := s.Count(ctx, folder)
	fi, _ := s.folder(folder)
	disk, _ := listFolder(fi.dir)
	tmp, _ := listNames(filepath.Join(fi.dir, subTmp))
	if total != n || len(disk) != n || len(tmp) != 0 {
		t.Fatalf("index %d, files %d, tmp %d; want %d", total, len(disk), len(tmp), n)
	}
	if rs, err := s.Rescan(ctx, nil); err != nil || rs.Added+rs.Removed+rs.Renamed != 0 {
		t.Fatalf("rescan: %+v %v", rs, err)
	}
}
