//go:build !windows

package atomicfile

import "os"

// SyncDir makes the entries of a directory durable: the renames and the
// files created in it (fsync of the directory, as POSIX asks).
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
