package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"facteur/mailstore"
)

// Issue 11, item 6: a `facteur import` killed with SIGKILL while files are
// in tmp/ leaves them there; the next command that scans the store
// (here the rescan that opening an index left unclean runs) removes them,
// their writer's PID being dead, and indexes the rest exactly.
func TestKilledImportLeavesNoTmp(t *testing.T) {
	bin := facteurBinary(t)
	dir := t.TempDir()
	mbox := filepath.Join(t.TempDir(), "big.mbox")
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "From a@x Mon Nov 23 10:00:00 2026\nSubject: m%d\nMessage-ID: <m%d@x>\n\n%s\n\n", i, i, strings.Repeat("text ", 200))
	}
	if err := os.WriteFile(mbox, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startFacteur(t, bin, dir, "import", "import", "--quiet", "--folder", "big", mbox)
	tmp := filepath.Join(dir, "mail", "Local", "big", "tmp")
	stopWithTmpFiles(t, p, tmp)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	if code, out, errOut := facteur(t, dir, "rescan", "--quiet"); code != 0 {
		t.Fatalf("rescan: code %d, out %q, err %q", code, out, errOut)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("%d files left in tmp/", len(left))
	}
	files := 0
	for _, sub := range []string{"new", "cur"} {
		list, _ := os.ReadDir(filepath.Join(dir, "mail", "Local", "big", sub))
		files += len(list)
	}
	wantCount(t, dir, mailstore.FolderRef{Account: "Local", Name: "big"}, files)
}

// stopWithTmpFiles stops p (SIGSTOP) at a moment when tmp holds files,
// polling the directory while the process writes.
func stopWithTmpFiles(t *testing.T, p *proc, tmp string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if list, _ := os.ReadDir(tmp); len(list) == 0 {
			continue
		}
		p.cmd.Process.Signal(syscall.SIGSTOP)
		if list, _ := os.ReadDir(tmp); len(list) > 0 {
			return
		}
		p.cmd.Process.Signal(syscall.SIGCONT)
	}
	p.cmd.Process.Kill()
	t.Fatalf("no file seen in %s", tmp)
}
