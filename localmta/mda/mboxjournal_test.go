package mda

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCompactJournalPrivate: a compaction keeps the last journalKeep
// lines, and the journal stays the owner's alone even when a crash left a
// temporary file readable by all where the old code wrote its copy.
func TestCompactJournalPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "marc.journal")
	if err := os.WriteFile(path+".tmp", []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path+".tmp", 0o644) // whatever the umask
	var b strings.Builder
	for i := range journalKeep + 10 {
		b.WriteString(strings.Repeat("x", i%7) + "\n")
	}
	kept, err := compactJournal(path, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	n := strings.Count(string(kept), "\n")
	if err != nil || string(got) != string(kept) || !strings.HasSuffix(b.String(), string(kept)) || n < journalKeep-1 || n > journalKeep {
		t.Fatalf("journal %d bytes (%v), kept %d lines", len(got), err, strings.Count(string(kept), "\n"))
	}
	st, _ := os.Stat(path)
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want -rw-------", st.Mode().Perm())
	}
}
