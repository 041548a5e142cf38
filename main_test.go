package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/profile"
)

// facteur runs the command line in-process against profile dir and returns the
// exit code, standard output and standard error.
func facteur(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	all := append([]string{"--profile", dir}, args...)
	code := run(context.Background(), all, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersionAndHelp(t *testing.T) {
	dir := t.TempDir()
	if code, out, _ := facteur(t, dir, "version"); code != 0 || out != "facteur "+Version+"\n" {
		t.Fatalf("version: code %d, out %q", code, out)
	}
	code, out, _ := facteur(t, dir, "help")
	if code != 0 || !strings.Contains(out, "import [--folder NAME] [--allow-duplicates] FILE|DIR") {
		t.Fatalf("help: code %d, out %q", code, out)
	}
	if code, _, errOut := facteur(t, dir, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: code %d, stderr %q", code, errOut)
	}
}

func TestImportSearchExport(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := facteur(t, dir, "import", "testdata/three.mbox")
	if code != 0 {
		t.Fatalf("import: code %d: %s", code, errOut)
	}
	if !strings.Contains(out, "imported 3 messages") || !strings.Contains(out, "Local/three") {
		t.Fatalf("import summary = %q", out)
	}

	code, out, errOut = facteur(t, dir, "search", "--folder", "three", "lunch")
	if code != 0 {
		t.Fatalf("search: code %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(out, "Re: Lunch on Friday") || !strings.Contains(out, "Alice") {
		t.Fatalf("search lunch = %q, want the two lunch messages", out)
	}

	code, out, _ = facteur(t, dir, "search", "--json", "from:carol")
	var hits []jsonHit
	if code != 0 || json.Unmarshal([]byte(out), &hits) != nil || len(hits) != 1 {
		t.Fatalf("search --json from:carol: code %d, out %q", code, out)
	}
	if hits[0].Subject != "Réunion de lundi" || hits[0].Folder != "Local/three" {
		t.Fatalf("decoded hit = %+v", hits[0])
	}

	mbox := filepath.Join(t.TempDir(), "out.mbox")
	if code, out, errOut = facteur(t, dir, "export", "three", mbox); code != 0 || !strings.Contains(out, "exported 3 messages") {
		t.Fatalf("export: code %d, out %q, err %q", code, out, errOut)
	}
	data, err := os.ReadFile(mbox)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\nFrom ")) + 1; !bytes.HasPrefix(data, []byte("From ")) || n != 3 {
		t.Fatalf("export wrote %d From_ lines", n)
	}
	if !bytes.Contains(data, []byte("\n>From the harbour")) {
		t.Fatal("export lost the >From escaping of a body line")
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"import missing file", []string{"import", "no/such.mbox"}, 1, "no such file"},
		{"import no args", []string{"import"}, 2, "usage"},
		{"search unknown folder", []string{"search", "--folder", "Nowhere", "x"}, 1, `no folder "Nowhere"`},
		{"search bad flag", []string{"search", "--frob", "x"}, 2, "flag provided but not defined"},
		{"export unknown folder", []string{"export", "Nowhere", filepath.Join(dir, "x.mbox")}, 1, `no folder "Nowhere"`},
		{"screenshot without out", []string{"screenshot"}, 2, "usage"},
		{"screenshot bad size", []string{"screenshot", "--out", "x.png", "--size", "tiny"}, 2, "--size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := facteur(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("code %d, stderr %q; want code %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

func TestScreenshotWritesPNG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "main.png")
	code, _, errOut := facteur(t, t.TempDir(), "screenshot", "--out", out, "--view", "main", "--size", "900x600")
	if code != 0 {
		t.Fatalf("screenshot: code %d: %s", code, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 900 || b.Dy() < 600 {
		t.Fatalf("screenshot is %v, want at least 900x600", b)
	}
}

// TestScreenshotLeavesNoDemoProfile: without --profile the screenshot
// renders a demo profile made in the temporary directory, and removes it.
func TestScreenshotLeavesNoDemoProfile(t *testing.T) {
	tmp := t.TempDir()
	for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
		t.Setenv(v, tmp)
	}
	t.Setenv(profile.EnvVar, "")
	out := filepath.Join(t.TempDir(), "main.png")
	var stdout, stderr bytes.Buffer
	args := []string{"screenshot", "--out", out, "--size", "400x300"}
	if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("screenshot: code %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "facteur-demo-*")); len(left) != 0 {
		t.Fatalf("left in the temporary directory: %v", left)
	}
}

func TestFolderNameFor(t *testing.T) {
	tests := map[string]string{
		"archive.mbox":       "archive",
		"/home/u/Mail/work":  "work",
		"/home/u/Mail/work/": "work",
		"note.eml":           "note",
		".hidden":            ".hidden",
	}
	for in, want := range tests {
		if got := folderNameFor(in); got != want {
			t.Errorf("folderNameFor(%q) = %q, want %q", in, got, want)
		}
	}
}

// Issue 11, item 4: the same import twice stores each message once, and
// says so; --allow-duplicates stores them again.
func TestImportTwice(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "imported 3 messages (730 B) into Local/three\n"},
		{nil, "imported 0 messages (0 B) into Local/three; 3 already there, skipped\n"},
		{[]string{"--allow-duplicates"}, "imported 3 messages (730 B) into Local/three\n"},
	} {
		code, out, errOut := facteur(t, dir, append(append([]string{"import", "--quiet"}, tt.args...), "testdata/three.mbox")...)
		if code != 0 || out != tt.want {
			t.Fatalf("import %v: code %d, out %q, err %q; want %q", tt.args, code, out, errOut, tt.want)
		}
	}
	if code, out, _ := facteur(t, dir, "search", "--folder", "three", "lunch"); code != 0 || strings.Count(out, "\n") != 4 {
		t.Fatalf("search: %q, want each lunch message twice", out)
	}
}
