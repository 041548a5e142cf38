//go:build !unix && !windows

package mda

import (
	"context"
	"os"
)

// lockFile relies on the dotlock alone where the system has no file locks.
func lockFile(ctx context.Context, f *os.File) error { return nil }

func unlockFile(f *os.File) {}

// processAlive cannot tell here: only the age of a dotlock breaks it.
func processAlive(pid int) bool { return true }
