//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package filelock

import "os"

// lockFile does nothing where Facteur knows no file lock: the control
// file alone tells whether an MTA runs.
func lockFile(f *os.File) error { return nil }

func unlockFile(f *os.File) {}
