package main

import (
	"os/exec"
	"strings"
	"testing"
)

// Issue 11, item 7: on a disk that takes no more bytes, `facteur search`
// still answers (it writes nothing), while a command that writes says why
// it cannot. The limit is the kernel's, for the child alone: `ulimit -f 0`
// (RLIMIT_FSIZE) makes every write that grows a file fail, as a full disk
// does.
func TestSearchOnFullDisk(t *testing.T) {
	bin := facteurBinary(t)
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to set the file size limit:", err)
	}
	dir := t.TempDir()
	if code, _, errOut := facteur(t, dir, "import", "--quiet", "testdata/three.mbox"); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	full := func(args ...string) (string, string, error) {
		cmd := exec.Command(sh, append([]string{"-c", `ulimit -f 0 && exec "$@"`, "sh", bin, "--profile", dir}, args...)...)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut // pipes: not limited
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	out, errOut, err := full("search", "lunch")
	if err != nil || strings.Count(out, "\n") != 2 || !strings.Contains(out, "Re: Lunch on Friday") {
		t.Fatalf("search on a full disk: %v\nstdout %q\nstderr %q", err, out, errOut)
	}
	if out, errOut, err = full("search", "--json", "from:carol"); err != nil || !strings.Contains(out, `"subject": "Réunion de lundi"`) {
		t.Fatalf("search --json on a full disk: %v\nstdout %q\nstderr %q", err, out, errOut)
	}
	if _, errOut, err = full("rescan"); err == nil || !strings.Contains(errOut, "facteur: ") {
		t.Fatalf("rescan on a full disk: %v, stderr %q; want a clear failure", err, errOut)
	}
}
