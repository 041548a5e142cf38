package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "f.json")
	for _, data := range []string{"first", "second, longer"} {
		if err := WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("read %q, %v; want %q", got, err, data)
		}
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, %v; want 0600", st.Mode().Perm(), err)
		}
	}
	assertOnly(t, filepath.Join(dir, "sub"), "f.json")
}

// TestWriteFilePrivate: a file of mode 0600 lets only its owner in, on
// Windows too (its DACL; the mode bits mean nothing there), and one of
// mode 0644 does not (CheckPrivate tells the difference).
func TestWriteFilePrivate(t *testing.T) {
	for _, tc := range []struct {
		perm    os.FileMode
		private bool
	}{{0o600, true}, {0o400, true}, {0o644, false}} {
		t.Run(tc.perm.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.pem")
			if err := WriteFile(path, []byte("secret"), tc.perm); err != nil {
				t.Fatal(err)
			}
			err := CheckPrivate(path)
			if tc.private && err != nil {
				t.Errorf("written with %v: %v", tc.perm, err)
			}
			if !tc.private && err == nil {
				t.Errorf("written with %v, CheckPrivate says that only its owner may open it", tc.perm)
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != "secret" {
				t.Errorf("read %q, %v", got, err)
			}
		})
	}
}

// A failed fill leaves the old file and no temporary one.
func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want the fill's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("the file holds %q after a failed write, want the old content", got)
	}
	assertOnly(t, dir, "f")
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(names) {
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}
