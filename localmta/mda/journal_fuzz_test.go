package mda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzJournal: an mbox journal read back (possibly cut by a kill, or
// edited) never panics, and settling its last entry against any mbox
// never grows the file nor cuts it outside that entry.
func FuzzJournal(f *testing.F) {
	f.Add("1700000000.QD7S7YYGKQ3XLX_0a1b2c3d4e.host 0 1f0 12345678 1f0 9abcdef0\n", "From a@b Thu Jan  1 00:00:00 2026\nx\n\n")
	f.Add("k 10 20 0 10 0\n- k\n", "From ")
	f.Add("k 0 ffffffffffffff 0 200 0\n", "From x\n")
	f.Fuzz(func(t *testing.T, journalText, mboxText string) {
		dir := t.TempDir()
		jp := filepath.Join(dir, "j")
		if err := os.WriteFile(jp, []byte(journalText), 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := readJournal(jp)
		if err != nil {
			t.Fatal(err)
		}
		mp := filepath.Join(dir, "m")
		if err := os.WriteFile(mp, []byte(mboxText), 0o600); err != nil {
			t.Fatal(err)
		}
		mf, err := os.OpenFile(mp, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer mf.Close()
		if err := j.settle(mf); err != nil {
			return
		}
		after, _ := os.ReadFile(mp)
		if !strings.HasPrefix(mboxText, string(after)) {
			t.Fatalf("settle changed the mbox: %q -> %q", mboxText, after)
		}
		if len(after) < len(mboxText) && (j.last == nil || int64(len(after)) != j.last.start) {
			t.Fatalf("settle cut the mbox at %d, not at its last entry's start", len(after))
		}
	})
}
