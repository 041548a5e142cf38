package queue

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Every rename of the queue's tests fails, as on Windows, when the process
// still holds the source or the target open: Windows refuses to rename or
// replace an open file ("Access denied"). Linux shows it through
// /proc/self/fd; elsewhere the system itself refuses, or not.
func init() {
	renameFile = func(oldPath, newPath string) error {
		for _, p := range []string{oldPath, newPath} {
			if open, err := heldOpen(p); err != nil || open {
				return fmt.Errorf("rename %s %s: %s still open (%v)", oldPath, newPath, p, err)
			}
		}
		return os.Rename(oldPath, newPath)
	}
}

// heldOpen reports whether this process holds a descriptor on path
// (Linux only: false elsewhere).
func heldOpen(path string) (bool, error) {
	if runtime.GOOS != "linux" {
		return false, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, err
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return false, err
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.TrimSuffix(target, " (deleted)") == abs {
			return true, nil
		}
	}
	return false, nil
}
