//go:build windows

package mailstore

import "path/filepath"

// dirRenamer renames files between directories (renameFile on the full
// paths: Windows has no renameat).
type dirRenamer struct{}

func newDirRenamer() *dirRenamer { return &dirRenamer{} }

func (r *dirRenamer) rename(srcDir, src, dstDir, dst string) error {
	return renameFile(filepath.Join(srcDir, src), filepath.Join(dstDir, dst))
}

func (r *dirRenamer) close() {}
