package control

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked is returned by TryLock and Lock when another process (or
// another open of the file in this one) holds the lock: an MTA is running
// on the directory, or a command is writing into its spool.
var ErrLocked = errors.New("control: the MTA directory is locked by another process")

// Lock is the exclusive lock of an MTA directory (Dir/mta.lock). A running
// MTA holds it for its whole life; a command holds it while it changes the
// spool of an MTA that does not run. It is a flock(2) lock on Unix and a
// LockFileEx lock on Windows: the system releases it when the process
// dies, so a crash never leaves a stale lock behind.
type Lock struct {
	f *os.File
}

// LockFile returns the path of the lock file of an MTA directory.
func LockFile(dir string) string { return filepath.Join(dir, "mta.lock") }

// TryLock takes the lock of dir (creating dir) at once, or fails with
// ErrLocked.
func TryLock(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(LockFile(dir), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// AcquireLock takes the lock of dir, waiting up to wait for a short-lived holder
// (a command writing into the spool) to let it go.
func AcquireLock(ctx context.Context, dir string, wait time.Duration) (*Lock, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		l, err := TryLock(dir)
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-tick.C:
		}
	}
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	unlockFile(l.f)
	return l.f.Close()
}
