//go:build unix

package mda

import (
	"context"
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive fcntl lock on the whole file (POSIX record
// locks, which mutt, procmail and Postfix's local use on Linux).
func lockFile(ctx context.Context, f *os.File) error {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	return retryLock(ctx, f.Name(), func() (bool, error) {
		err := unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.EINTR) {
			return true, err
		}
		return false, err
	})
}

func unlockFile(f *os.File) {
	lk := unix.Flock_t{Type: unix.F_UNLCK}
	unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
}

// processAlive reports whether a process with that PID runs on this host
// (kill with signal 0: EPERM means it runs under another user).
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
