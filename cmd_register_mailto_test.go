package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeXDGMime puts on PATH an xdg-mime that records its arguments.
func fakeXDGMime(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "xdg-mime.args")
	script := "#!/bin/sh\necho \"$@\" >>'" + log + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-mime"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	return log
}

func TestRegisterMailto(t *testing.T) {
	if runtime.GOOS != "linux" && !strings.HasSuffix(runtime.GOOS, "bsd") {
		t.Skip("desktop entries are for freedesktop.org systems")
	}
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("FACTEUR_PROFILE", "")
	log := fakeXDGMime(t)
	dir := t.TempDir()
	code, out, errOut := facteur(t, dir, "register-mailto", "--exec", "/opt/Mon Facteur/facteur")
	if code != 0 || !strings.Contains(out, "default handler of mailto: links") {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
	entry, err := os.ReadFile(filepath.Join(data, "applications", "facteur.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"[Desktop Entry]\nType=Application\nName=Facteur\n",
		"\nExec=\"/opt/Mon Facteur/facteur\" --profile " + execQuote(dir) + " %u\n",
		"\nMimeType=x-scheme-handler/mailto;\n",
	} {
		if !strings.Contains(string(entry), want) {
			t.Errorf("desktop entry lacks %q:\n%s", want, entry)
		}
	}
	args, err := os.ReadFile(log)
	if err != nil || string(args) != "default facteur.desktop x-scheme-handler/mailto\n" {
		t.Fatalf("xdg-mime ran with %q (%v)", args, err)
	}
}

func TestRegisterMailtoWithoutXDGMime(t *testing.T) {
	if runtime.GOOS != "linux" && !strings.HasSuffix(runtime.GOOS, "bsd") {
		t.Skip("desktop entries are for freedesktop.org systems")
	}
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("PATH", t.TempDir()) // nothing there
	code, out, errOut := facteur(t, t.TempDir(), "register-mailto", "--exec", "/usr/bin/facteur")
	if code != 1 || !strings.Contains(errOut, "xdg-mime (from xdg-utils) is not installed") ||
		!strings.Contains(errOut, "xdg-mime default facteur.desktop x-scheme-handler/mailto") {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "applications", "facteur.desktop")); err != nil {
		t.Fatalf("the desktop entry is not written: %v", err)
	}
}

func TestExecQuote(t *testing.T) {
	tests := map[string]string{
		"/usr/bin/facteur":     "/usr/bin/facteur",
		"/opt/Mon Facteur/f":   `"/opt/Mon Facteur/f"`,
		`/a"b`:                 `"/a\\"b"`,
		`/a\b`:                 `"/a\\\\b"`,
		"/cost$/f":             `"/cost\\$/f"`,
		"/100%/f":              "/100%%/f",
		"":                     `""`,
		"/home/x/it's/facteur": `"/home/x/it's/facteur"`,
	}
	for in, want := range tests {
		if got := execQuote(in); got != want {
			t.Errorf("execQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
