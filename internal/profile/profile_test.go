package profile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestResolveOrder(t *testing.T) {
	tmp := t.TempDir()
	flagDir := filepath.Join(tmp, "flag")
	envDir := filepath.Join(tmp, "env")
	xdg := filepath.Join(tmp, "xdg")
	tests := []struct {
		name, flag, env, xdg, want string
	}{
		{"flag wins", flagDir, envDir, xdg, flagDir},
		{"env next", "", envDir, xdg, envDir},
		{"default", "", "", xdg, systemDefault(t, xdg)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvVar, tt.env)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			got, err := Resolve(tt.flag)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolveRelativeBecomesAbsolute(t *testing.T) {
	t.Setenv(EnvVar, "")
	got, err := Resolve("some/rel")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(got) {
		t.Fatalf("Resolve returned relative path %q", got)
	}
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p.Dir)
	if err != nil || !st.IsDir() {
		t.Fatalf("profile dir not created: %v", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o700 {
		t.Fatalf("mode = %v, want 0700", st.Mode().Perm())
	}
	if p.MTADir() != filepath.Join(p.Dir, "mta") {
		t.Fatalf("MTADir = %q", p.MTADir())
	}
}

// systemDefault is the profile directory of a system with XDG_DATA_HOME
// set to xdg: XDG on Unix, the user's configuration folder on Windows
// and macOS (XDG ignored).
func systemDefault(t *testing.T, xdg string) string {
	switch runtime.GOOS {
	case "windows", "darwin", "ios":
		base, err := os.UserConfigDir()
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Join(base, "Facteur")
	}
	return filepath.Join(xdg, "facteur")
}
