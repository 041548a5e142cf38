package mailstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"facteur/internal/eol"
)

func TestPartialMark(t *testing.T) {
	header := []byte("From: a@b.c\r\nSubject: hi\r\n\r\n")
	tests := []struct {
		name      string
		data      []byte
		size      int64
		att, want bool
	}{
		{"CRLF", PartialMessage(header, 1234, true), 1234, true, true},
		{"LF, no blank line", PartialMessage([]byte("From: a@b.c\nSubject: hi\n"), 99, false), 99, false, true},
		{"mark then a body", append(PartialMessage(header, 5, false), "text\r\n"...), 0, false, false},
		{"mark not first", []byte("From: a@b.c\r\nX-Facteur-Partial: header-only; size=5\r\n\r\n"), 0, false, false},
		{"other value", []byte("X-Facteur-Partial: yes\r\nFrom: a@b.c\r\n\r\n"), 0, false, false},
		{"plain message", []byte("From: a@b.c\r\n\r\nbody\r\n"), 0, false, false},
	}
	for _, tt := range tests {
		size, att, ok := parsePartial(tt.data)
		if ok != tt.want || size != tt.size || att != tt.att {
			t.Errorf("%s: parsePartial = %d, %v, %v; want %d, %v, %v", tt.name, size, att, ok, tt.size, tt.att, tt.want)
		}
	}
	if !bytes.HasSuffix(PartialMessage(header, 1, false), header) {
		t.Errorf("PartialMessage does not end with the header")
	}
}

// partialPair is a message with an attachment and a word only in its
// body, and its partial form.
func partialPair() (full, partial []byte) {
	full = testMsg{id: "p1@x", subject: "report", mime: "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nthe word zanzibar\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=r.pdf\r\n\r\nJVBERi0=\r\n--b--\r\n"}.bytes()
	header, _, _ := bytes.Cut(full, []byte("\r\n\r\n"))
	return full, PartialMessage(append(header, "\r\n\r\n"...), int64(len(full)), true)
}

func TestReplaceMakesPartialWhole(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	full, partial := partialPair()
	sum, err := s.Add(ctx, inbox, bytes.NewReader(partial), AddOptions{Flags: FlagFlagged})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Partial || sum.Size != int64(len(full)) || !sum.Attachment {
		t.Fatalf("partial summary: partial %v, size %d (want %d), attachment %v", sum.Partial, sum.Size, len(full), sum.Attachment)
	}
	checkPartialCount(t, s, 1)
	if got, _ := s.Search(ctx, "zanzibar", SearchOptions{}); len(got) != 0 {
		t.Errorf("the body of a partial message was found: %v", subjects(got))
	}
	changes := s.Subscribe(ctx)
	if err := s.SetFlags(ctx, []int64{sum.ID}, FlagSeen, 0); err != nil { // a flag set before the body comes stays
		t.Fatal(err)
	}
	if err := s.Replace(ctx, sum.ID, full); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Partial || got.Size != int64(len(full)) || got.Folder != inbox || got.Flags != FlagFlagged|FlagSeen || !got.Attachment {
		t.Errorf("after Replace: %+v", got)
	}
	checkFile(t, s, sum.ID, full)
	checkPartialCount(t, s, 0)
	if found, _ := s.Search(ctx, "zanzibar", SearchOptions{}); len(found) != 1 || found[0].ID != sum.ID {
		t.Errorf("search of the downloaded body: %v", subjects(found))
	}
	waitChange(t, changes, ChangeContent, sum.ID)
	if st, err := s.Rescan(ctx, nil); err != nil || st.Added != 0 || st.Removed != 0 || st.Renamed != 0 {
		t.Errorf("rescan after Replace: %+v, %v", st, err)
	}
	s.Close()
	rebuilt := reopenRebuilt(t, dir)
	list, err := rebuilt.List(ctx, inbox, ListOptions{})
	if err != nil || len(list) != 1 || list[0].Partial || list[0].Flags != FlagFlagged|FlagSeen {
		t.Errorf("after a rebuild: %+v, %v", list, err)
	}
}

func TestPartialSurvivesRebuildAndMove(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	_, partial := partialPair()
	sum, err := s.Add(ctx, inbox, bytes.NewReader(partial), AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.IndexID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	archive := FolderRef{Account: "Local", Name: "Archive"}
	if err := s.CreateFolder(ctx, archive, RoleArchive); err != nil {
		t.Fatal(err)
	}
	if err := s.Move(ctx, []int64{sum.ID}, archive); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.PartialIDs(ctx, archive); err != nil || len(ids) != 1 || ids[0] != sum.ID {
		t.Errorf("PartialIDs of Archive after a move: %v, %v", ids, err)
	}
	s.Close()
	s = reopenRebuilt(t, dir)
	list, err := s.List(ctx, archive, ListOptions{})
	if err != nil || len(list) != 1 || !list[0].Partial || !list[0].Attachment {
		t.Fatalf("after a rebuild: %+v, %v", list, err)
	}
	if after, err := s.IndexID(ctx); err != nil || after == before {
		t.Errorf("IndexID after a rebuild %q (%v), before %q: want another", after, err, before)
	}
}

func TestReplaceBatchErrors(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	full, partial := partialPair()
	a, err := s.Add(ctx, inbox, bytes.NewReader(partial), AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := add(t, s, FolderRef{Account: "Local", Name: "Other"}, testMsg{id: "b@x", subject: "b", body: "short"}, AddOptions{})
	longer := testMsg{id: "b@x", subject: "b", body: "a longer body now"}.bytes()
	errs := s.ReplaceBatch(ctx, []ReplaceItem{{ID: a.ID, Data: full}, {ID: 999, Data: full}, {ID: b.ID, Data: longer}})
	if errs[0] != nil || !errors.Is(errs[1], ErrNotFound) || errs[2] != nil {
		t.Fatalf("ReplaceBatch = %v, want nil, ErrNotFound, nil", errs)
	}
	checkFile(t, s, a.ID, full)
	checkFile(t, s, b.ID, longer)
	if names, _ := filepath.Glob(filepath.Join(s.mailDir, "*", "*", "tmp", "*")); len(names) != 0 {
		t.Errorf("temporary files left: %v", names)
	}
}

// TestIndexMigrationFrom3: an index of version 3 (before the partial
// column) is migrated in place, not rebuilt: ids and the index id stay.
func TestIndexMigrationFrom3(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	m := add(t, s, inbox, testMsg{id: "m@x", subject: "kept"}, AddOptions{})
	id, err := s.IndexID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	asVersion7(t, dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP INDEX messages_unread`, `DROP INDEX messages_flagged`, `DROP INDEX messages_partial`, `ALTER TABLE messages DROP COLUMN partial`,
		`DROP INDEX messages_hash`, `ALTER TABLE messages DROP COLUMN hash`, `PRAGMA user_version = 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	db.Close()
	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.Get(ctx, m.ID); err != nil || got.Subject != "kept" || got.Partial {
		t.Errorf("after the migration: %+v, %v", got, err)
	}
	if id2, _ := s2.IndexID(ctx); id2 != id {
		t.Errorf("index id %q after the migration, was %q: rebuilt?", id2, id)
	}
}

func checkPartialCount(t *testing.T, s *Store, want int) {
	t.Helper()
	folders, err := s.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if f.Ref == inbox && f.Partial != want {
			t.Errorf("INBOX has %d partial messages, want %d", f.Partial, want)
		}
	}
}

// checkFile checks the file of a message: want with LF line ends (see
// the package doc), its size in the file name.
func checkFile(t *testing.T, s *Store, id int64, want []byte) {
	t.Helper()
	want = eol.ToLF(want)
	p, err := s.Path(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("file of %d: %q, %v; want %q", id, got, err, want)
	}
	if !strings.Contains(filepath.Base(p), ",S="+strconv.Itoa(len(want))) {
		t.Errorf("file name %s does not carry S=%d", filepath.Base(p), len(want))
	}
}

// reopenRebuilt deletes the index of the store in dir and opens it again.
func reopenRebuilt(t *testing.T, dir string) *Store {
	t.Helper()
	for _, ext := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, indexFile+ext))
	}
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func waitChange(t *testing.T, changes <-chan Change, kind ChangeKind, id int64) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c := <-changes:
			if c.Kind == kind && (c.IDs == nil || slices.Contains(c.IDs, id)) {
				return
			}
		case <-timeout:
			t.Fatalf("no change of kind %d for %d", kind, id)
		}
	}
}

// TestReplaceWhileFlagsChange: Replace and SetFlags on the same message at
// once; afterwards the file is the whole message, its name carries the
// flags the index has, and no file is left over.
func TestReplaceWhileFlagsChange(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	full, partial := partialPair()
	sum, err := s.Add(ctx, inbox, bytes.NewReader(partial), AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for i := range 50 {
			add, del := FlagSeen, Flags(0)
			if i%2 == 1 {
				add, del = 0, FlagSeen
			}
			if err := s.SetFlags(ctx, []int64{sum.ID}, add|FlagFlagged, del); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	if err := s.Replace(ctx, sum.ID, full); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, sum.ID)
	if err != nil || got.Partial || got.Flags != FlagFlagged {
		t.Fatalf("after Replace and SetFlags: %+v, %v", got, err)
	}
	checkFile(t, s, sum.ID, full)
	p, _ := s.Path(ctx, sum.ID)
	if fl, _ := parseFlags(parseFileName(filepath.Base(p)).Info[3:]); fl != FlagFlagged {
		t.Errorf("file name %s, want the flags F", filepath.Base(p))
	}
	if n, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(p)), "*", "*")); len(n) != 1 {
		t.Errorf("files in the folder: %v", n)
	}
}

// FuzzPartial: the partial mark of a Maildir file (which any file may
// imitate) never panics, and PartialMessage's mark reads back.
func FuzzPartial(f *testing.F) {
	f.Add([]byte("Subject: x\r\n\r\n"), int64(4096), true)
	f.Add([]byte("X-Facteur-Partial: header-only; size=-3\n\nbody"), int64(0), false)
	f.Add([]byte(""), int64(1), false)
	f.Fuzz(func(t *testing.T, header []byte, size int64, attachment bool) {
		parsePartial(header) // any file: no panic
		if size < 0 || !headerSection(header) {
			return
		}
		got, att, ok := parsePartial(PartialMessage(header, size, attachment))
		if !ok || got != size || att != attachment {
			t.Fatalf("PartialMessage(%q, %d, %v) reads back %d, %v, %v", header, size, attachment, got, att, ok)
		}
	})
}

// headerSection tells a header section without its blank line: lines of
// text, none empty, ending with the same line break (or none).
func headerSection(h []byte) bool {
	if len(h) == 0 {
		return true
	}
	crlf := bytes.Contains(h, []byte("\r\n"))
	for _, line := range bytes.SplitAfter(h, []byte("\n")) {
		body := bytes.TrimSuffix(line, []byte("\n"))
		if crlf && len(line) > len(body) {
			if !bytes.HasSuffix(body, []byte("\r")) {
				return false
			}
			body = body[:len(body)-1]
		}
		if len(line) > 0 && len(bytes.TrimSpace(body)) == 0 || bytes.ContainsRune(body, '\r') {
			return false
		}
	}
	return true
}
