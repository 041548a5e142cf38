// Package filelock is an exclusive lock on a file shared by Facteur's
// processes (the app, `facteur mta`, `facteur sync`...): flock(2) on Unix,
// LockFileEx on Windows. The lock belongs to the open file, so two opens in
// one process exclude each other too, and the system releases it when the
// process dies: a crash never leaves a stale lock behind.
package filelock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked is returned by TryLock when another holder has the lock.
var ErrLocked = errors.New("filelock: locked by another holder")

// Lock is a held lock.
type Lock struct {
	f *os.File
}

// TryLock takes the lock of path (creating the file and its directory) at
// once, or fails with ErrLocked.
func TryLock(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// Acquire takes the lock of path, waiting while another holder has it;
// ctx bounds the wait. waiting, when set, is called once if it must wait.
func Acquire(ctx context.Context, path string, waiting func()) (*Lock, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		l, err := TryLock(path)
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		if waiting != nil {
			waiting()
			waiting = nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	unlockFile(l.f)
	return l.f.Close()
}
