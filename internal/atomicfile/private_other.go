//go:build !windows

package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
)

// createTemp creates a new file in dir whose name begins with prefix; the
// mode is given by finish (Chmod).
func createTemp(dir, prefix string, _ fs.FileMode) (*os.File, error) {
	return os.CreateTemp(dir, prefix+"*")
}

// CheckPrivate returns an error when someone other than the file's owner
// may read path: here, a permission bit for the group or the others.
func CheckPrivate(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("atomicfile: %s has mode %v: others than its owner may open it", path, perm)
	}
	return nil
}
