package filelock

import (
	"context"
	"os"
	"path/filepath"
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
