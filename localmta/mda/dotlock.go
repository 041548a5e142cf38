package mda

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// dotlock takes path.lock the way mail programs have always done: create it
// with O_EXCL, retry while it exists, break it when it is older than
// StaleLock. It returns the function that removes it.
func (t *Mbox) dotlock(ctx context.Context, path string) (func(), error) {
	lock := path + ".lock"
	stale := t.StaleLock
	if stale == 0 {
		stale = 5 * time.Minute
	}
	wait := 10 * time.Millisecond
	for {
		f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
			if err := errors.Join(werr, f.Close()); err != nil {
				os.Remove(lock)
				return nil, err
			}
			return func() { os.Remove(lock) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("mda: dotlock %s: %w", lock, err)
		}
		if st, err := os.Stat(lock); err == nil && time.Since(st.ModTime()) > stale {
			os.Remove(lock) // stale: its owner died
			continue
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (%s: %v)", ErrMailboxBusy, lock, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}

// retryLock calls try until it succeeds, fails for good or ctx ends.
func retryLock(ctx context.Context, name string, try func() (busy bool, err error)) error {
	wait := 10 * time.Millisecond
	for {
		busy, err := try()
		if !busy {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (%s: %v)", ErrMailboxBusy, name, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}
