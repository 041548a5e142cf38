package control

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"facteur/internal/filelock"
)

// ErrLocked is returned by TryLock and Lock when another process (or
// another open of the file in this one) holds the lock: an MTA is running
// on the directory, or a command is writing into its spool.
var ErrLocked = errors.New("control: the MTA directory is locked by another process")

// Lock is the exclusive lock of an MTA directory (Dir/mta.lock). A running
// MTA holds it for its whole life; a command holds it while it changes the
// spool of an MTA that does not run. It is an internal/filelock lock: the
// system releases it when the process dies, so a crash never leaves a
// stale lock behind.
type Lock struct {
	l *filelock.Lock
}

// LockFile returns the path of the lock file of an MTA directory.
func LockFile(dir string) string { return filepath.Join(dir, "mta.lock") }

// TryLock takes the lock of dir (creating dir) at once, or fails with
// ErrLocked.
func TryLock(dir string) (*Lock, error) {
	l, err := filelock.TryLock(LockFile(dir))
	if errors.Is(err, filelock.ErrLocked) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, err
	}
	return &Lock{l: l}, nil
}

// AcquireLock takes the lock of dir, waiting up to wait for a short-lived holder
// (a command writing into the spool) to let it go.
func AcquireLock(ctx context.Context, dir string, wait time.Duration) (*Lock, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	l, err := filelock.Acquire(ctx, LockFile(dir), nil)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, err
	}
	return &Lock{l: l}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	return l.l.Unlock()
}
