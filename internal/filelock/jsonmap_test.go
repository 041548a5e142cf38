package filelock

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestUpdateJSON: a missing or broken file is an empty map, a change is
// written back, no change writes nothing.
func TestUpdateJSON(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, before string // "" : no file
		change       bool
		want         string // the file after; "" : none
	}{
		{"missing, no change", "", false, ""},
		{"missing, change", "", true, `{"a":1,"n":0}`},
		{"kept", `{"a":2}`, true, `{"a":3,"n":1}`},
		{"not rewritten", `{"a":2}`, false, `{"a":2}`},
		{"broken", `{"a":`, true, `{"a":1,"n":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sub", "state.json")
			if tt.before != "" {
				os.MkdirAll(filepath.Dir(path), 0o700)
				if err := os.WriteFile(path, []byte(tt.before), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := UpdateJSON(ctx, path, func(m map[string]int) bool {
				m["n"] = len(m)
				m["a"]++
				return tt.change
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("a file was written: %s", got)
				}
				return
			}
			if string(got) != tt.want {
				t.Fatalf("file %s, want %s", got, tt.want)
			}
		})
	}
}

// TestUpdateJSONPrivateDespiteAStaleTemporary: a temporary file that a
// crash left beside the state file, readable by all, does not lend the
// state file its mode: the file written is the owner's alone.
func TestUpdateJSONPrivateDespiteAStaleTemporary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits: Windows keeps the file private by its DACL (internal/atomicfile)")
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path+".tmp", []byte(`{"half":`), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path+".tmp", 0o644) // whatever the umask
	err := UpdateJSON(context.Background(), path, func(m map[string]int) bool { m["a"] = 1; return true })
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != `{"a":1}` || st.Mode().Perm() != 0o600 {
		t.Errorf("state file %q, mode %v; want {\"a\":1}, -rw-------", got, st.Mode().Perm())
	}
}
