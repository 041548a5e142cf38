package mailstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirRenamer renames within a directory, from new/ to cur/, and
// reports a missing file or directory as fs.ErrNotExist (what eachFound
// and recordMoves look for to find a file another program renamed), with
// the full paths in the message.
func TestDirRenamer(t *testing.T) {
	root := t.TempDir()
	newDir, curDir := filepath.Join(root, "new"), filepath.Join(root, "cur")
	for _, d := range []string{newDir, curDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(newDir, "a"), filepath.Join(curDir, "b:2,S")} {
		if err := os.WriteFile(f, []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := newDirRenamer()
	defer r.close()
	tests := []struct {
		name        string
		srcDir, src string
		dstDir, dst string
		missing     bool
		wantTarget  string // the content that must now be at dstDir/dst
	}{
		{name: "same directory", srcDir: curDir, src: "b:2,S", dstDir: curDir, dst: "b:2,DS", wantTarget: filepath.Join(curDir, "b:2,S")},
		{name: "new to cur", srcDir: newDir, src: "a", dstDir: curDir, dst: "a:2,S", wantTarget: filepath.Join(newDir, "a")},
		{name: "file gone", srcDir: newDir, src: "a", dstDir: curDir, dst: "a:2,T", missing: true},
		{name: "directory gone", srcDir: filepath.Join(root, "tmp"), src: "c", dstDir: curDir, dst: "c:2,S", missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.rename(tt.srcDir, tt.src, tt.dstDir, tt.dst)
			if tt.missing {
				if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(tt.srcDir, tt.src)) {
					t.Fatalf("rename of a missing file: %v, want fs.ErrNotExist naming the path", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(tt.dstDir, tt.dst))
			if err != nil || string(got) != tt.wantTarget {
				t.Fatalf("after rename: %q, %v; want the content %q", got, err, tt.wantTarget)
			}
			if _, err := os.Stat(filepath.Join(tt.srcDir, tt.src)); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("source still there: %v", err)
			}
		})
	}
}
