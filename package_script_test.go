package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// scripts/package.sh puts FyneApp.toml back as it was after `fyne package`
// rewrote it (its Build number, its own layout without our comments),
// whether packaging succeeded or failed: packaging leaves the source tree
// clean (issue 20). The fyne program here rewrites the file as the real
// one does, then exits with the status asked; scripts/test-package.sh runs
// the real tool with git status (a release build, not in make test).
func TestPackageScriptRestoresFyneApp(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script, err := os.ReadFile("scripts/package.sh")
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, os string
		status   int
	}{
		{"linux, packaged", "linux", 0},
		{"linux, fyne failed", "linux", 1},
		{"windows, packaged", "windows", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "scripts"), 0o755)
			writeMode(t, filepath.Join(dir, "scripts", "package.sh"), script, 0o755)
			writeMode(t, filepath.Join(dir, "FyneApp.toml"), orig, 0o644)
			fake := filepath.Join(dir, "fyne")
			writeMode(t, fake, []byte("#!/bin/sh\n"+
				"printf 'Website = \"x\"\\n[Details]\\nBuild = 99\\n' > FyneApp.toml\n"+
				"echo \"$@\" > fyne.args\n"+
				"exit "+string(rune('0'+tt.status))+"\n"), 0o755)
			cmd := exec.Command("bash", filepath.Join(dir, "scripts", "package.sh"), tt.os)
			// x86_64-w64-mingw32-gcc is looked for on PATH: a stand-in
			bin := filepath.Join(dir, "bin")
			os.Mkdir(bin, 0o755)
			writeMode(t, filepath.Join(bin, "x86_64-w64-mingw32-gcc"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
			cmd.Env = append(os.Environ(), "FYNE="+fake, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if (err == nil) != (tt.status == 0) {
				t.Fatalf("package.sh: %v, want exit %d\n%s", err, tt.status, out)
			}
			args, err := os.ReadFile(filepath.Join(dir, "fyne.args"))
			if err != nil || !bytes.Contains(args, []byte("package")) {
				t.Fatalf("fyne was not run to package: %q, %v", args, err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "FyneApp.toml"))
			if err != nil || !bytes.Equal(got, orig) {
				t.Errorf("FyneApp.toml after packaging:\n%s\nwant it as it was (%v)", got, err)
			}
			if fi, err := os.Stat(filepath.Join(dir, "FyneApp.toml")); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("FyneApp.toml mode %v, %v", fi.Mode(), err)
			}
		})
	}
}

func writeMode(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}
