package mailstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// snapshot records every file of a directory tree with its size and
// modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = fmt.Sprintf("%s %d", st.ModTime().Format(time.RFC3339Nano), st.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Issue 11, item 7: a store opened read-only lists, searches and reads
// without writing anything, and refuses changes.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	if _, err := OpenReadOnly(ctx, t.TempDir()); !errors.Is(err, ErrIndexNotReady) {
		t.Fatalf("OpenReadOnly of an empty profile: %v, want ErrIndexNotReady", err)
	}
	s, dir := openTest(t)
	m := add(t, s, inbox, testMsg{id: "ro@x", subject: "read only", body: "harbour"}, AddOptions{})
	s.Close()
	before := snapshot(t, dir)
	ro, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := ro.Search(ctx, "harbour", SearchOptions{})
	if err != nil || len(hits) != 1 || hits[0].ID != m.ID {
		t.Fatalf("Search: %+v, %v", hits, err)
	}
	if list, err := ro.List(ctx, inbox, ListOptions{Threaded: true}); err != nil || len(list) != 1 {
		t.Fatalf("List: %+v, %v", list, err)
	}
	if body := readMsg(t, ro, m.ID); !strings.Contains(body, "harbour") {
		t.Fatalf("Open: %q", body)
	}
	for name, err := range map[string]error{
		"Add": func() error {
			_, err := ro.Add(ctx, inbox, strings.NewReader("Subject: x\r\n\r\n"), AddOptions{})
			return err
		}(),
		"SetFlags": ro.SetFlags(ctx, []int64{m.ID}, FlagSeen, 0),
		"Delete":   ro.Delete(ctx, []int64{m.ID}),
		"Rescan":   func() error { _, err := ro.Rescan(ctx, nil); return err }(),
		"Create":   ro.CreateFolder(ctx, FolderRef{"Local", "new"}, RoleNone),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, dir)
	// SQLite's shared memory for readers (-shm) may appear, and an empty
	// WAL: no data.
	delete(after, filepath.Join(dir, indexFile+"-shm"))
	if wal := filepath.Join(dir, indexFile+"-wal"); strings.HasSuffix(after[wal], " 0") {
		delete(after, wal)
	}
	if !maps.Equal(before, after) {
		t.Errorf("the read-only store changed files:\nbefore %v\nafter  %v", before, after)
	}
}

// A read-only store reads an index that a writer has open (and marked as
// in use) without waiting for it or checking it.
func TestOpenReadOnlyBesideWriter(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	add(t, s, inbox, testMsg{id: "a@x", subject: "first"}, AddOptions{})
	ro, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	add(t, s, inbox, testMsg{id: "b@x", subject: "second"}, AddOptions{})
	if n, _, err := ro.Count(ctx, inbox); err != nil || n != 2 {
		t.Fatalf("Count beside the writer: %d, %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, indexFile)); err != nil {
		t.Fatal(err)
	}
}
