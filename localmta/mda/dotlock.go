package mda

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// dotlock takes path.lock the way mail programs have always done: create it
// with O_EXCL holding "PID HOSTNAME", retry while it exists, and break it
// when it is stale: its process is dead on this host (a kill -9 during a
// delivery), or it is older than StaleLock (a lock of another host, or
// without a readable PID). The goroutines of this process take the mutex
// of path first (fcntl locks do not exclude them from one another), so a
// lock that names this very process is not theirs: an earlier process
// with the same PID (PID 1 in a container) left it. It returns the
// function that removes the lock and frees the mutex.
func (t *Mbox) dotlock(ctx context.Context, path string) (func(), error) {
	mu := pathMutex(path)
	if err := lockMutex(ctx, mu, path); err != nil {
		return nil, err
	}
	lock := path + ".lock"
	stale := t.StaleLock
	if stale == 0 {
		stale = 5 * time.Minute
	}
	wait := 10 * time.Millisecond
	for {
		f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%d %s\n", os.Getpid(), lockHost())
			if err := errors.Join(werr, f.Close()); err != nil {
				os.Remove(lock)
				mu.Unlock()
				return nil, err
			}
			return func() { os.Remove(lock); mu.Unlock() }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			mu.Unlock()
			return nil, fmt.Errorf("mda: dotlock %s: %w", lock, err)
		}
		if breakStale(lock, stale) {
			continue
		}
		select {
		case <-ctx.Done():
			mu.Unlock()
			return nil, fmt.Errorf("%w (%s: %v)", ErrMailboxBusy, lock, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}

// breakStale removes the dotlock when it is stale and reports whether it
// did. The lock is removed only if it is still the file that was judged,
// so that a lock another program took meanwhile stays.
func breakStale(lock string, maxAge time.Duration) bool {
	st, err := os.Stat(lock)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist) // gone meanwhile: try again
	}
	data, _ := os.ReadFile(lock)
	if !lockIsStale(string(data), time.Since(st.ModTime()), maxAge) {
		return false
	}
	if now, err := os.Stat(lock); err != nil || !os.SameFile(st, now) {
		return err != nil
	}
	os.Remove(lock)
	return true
}

// lockIsStale judges a dotlock by its content ("PID" or "PID HOSTNAME",
// as liblockfile and Facteur write) and its age.
func lockIsStale(content string, age, maxAge time.Duration) bool {
	if age > maxAge {
		return true
	}
	f := strings.Fields(content)
	if len(f) == 0 {
		return false
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil || pid <= 0 {
		return false
	}
	if len(f) > 1 && f[1] != lockHost() {
		return false // another host's process: only its age tells
	}
	if pid == os.Getpid() {
		return true // not ours: the caller holds this process's mutex
	}
	return !processAlive(pid)
}

// lockHost is the host name written into dotlocks.
func lockHost() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \t\n") {
		return "localhost"
	}
	return h
}

// pathMutexes serializes this process's deliveries to one mailbox.
var pathMutexes sync.Map // path -> *sync.Mutex

func pathMutex(path string) *sync.Mutex {
	mu, _ := pathMutexes.LoadOrStore(path, &sync.Mutex{})
	return mu.(*sync.Mutex)
}

// lockMutex takes mu, giving up when ctx ends.
func lockMutex(ctx context.Context, mu *sync.Mutex, name string) error {
	return retryLock(ctx, name, func() (bool, error) { return !mu.TryLock(), nil })
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
