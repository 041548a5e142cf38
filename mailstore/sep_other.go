//go:build !windows

package mailstore

import (
	"os"
	"syscall"
)

// infoSeparator starts the info part of a Maildir file name (":2,FLAGS").
const infoSeparator = ":"

// syncDir makes the entries of a directory durable (after renames into it).
func syncDir(dir string) error {
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

// renameFile renames a message file to a path that is never a directory:
// rename(2) itself, without the Lstat of the target that os.Rename adds
// (one system call less per message when every flag of a folder changes).
func renameFile(oldPath, newPath string) error {
	for {
		err := syscall.Rename(oldPath, newPath)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.LinkError{Op: "rename", Old: oldPath, New: newPath, Err: err}
		}
		return nil
	}
}
