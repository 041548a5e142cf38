//go:build !windows

package mailstore

import (
	"os"
	"syscall"
)

// infoSeparator starts the info part of a Maildir file name (":2,FLAGS").
const infoSeparator = ":"

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
