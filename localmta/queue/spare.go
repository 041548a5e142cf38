package queue

import (
	"os"
	"path/filepath"
	"sync"
)

// Spare queue files. The queue file of a delivered message is not
// unlinked but renamed to ID.spare, and the next Enqueue overwrites a
// spare file (truncate, write, fsync) and renames it to its own ID.msg,
// the way PostgreSQL recycles its WAL segments and RocksDB its logs: no
// inode is allocated or freed per message. Creating files is what costs
// most on a busy spool: ext4 without a journal, for one, will not reuse
// an inode freed in the last seconds, and every creation walks past all
// of them. A spare file is never a message: recovery keeps it as a
// spare (or removes it) whatever it holds.
const (
	spareExt = ".spare"
	// maxSpares bounds the spare files kept; more are unlinked.
	maxSpares = 1024
	// maxSpareSize: a larger queue file is unlinked rather than kept,
	// so that spares hold little disk (at most maxSpares times this).
	maxSpareSize = 256 << 10
)

// spares is the pool of spare file paths. The zero value is ready.
type spares struct {
	mu    sync.Mutex
	paths []string
}

// take returns the path of a spare file, if there is one.
func (s *spares) take() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.paths)
	if n == 0 {
		return "", false
	}
	p := s.paths[n-1]
	s.paths = s.paths[:n-1]
	return p, true
}

// full reports whether the pool holds maxSpares files.
func (s *spares) full() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.paths) >= maxSpares
}

// put adds a spare file to the pool.
func (s *spares) put(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paths = append(s.paths, path)
}

func (q *Queue) sparePath(id string) string { return filepath.Join(q.dir, id+spareExt) }

// openSpare opens a spare file for a new queue file, truncated; ok is
// false when there is none (the caller creates a file).
func (q *Queue) openSpare() (f *os.File, path string, ok bool) {
	for {
		path, ok := q.spares.take()
		if !ok {
			return nil, "", false
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
		if err == nil {
			return f, path, true
		}
		os.Remove(path)
	}
}

// retire makes the queue file of a delivered message a spare file, or
// unlinks it when the pool is full or the file large. No reader may
// hold the file open: its bytes will be overwritten.
func (q *Queue) retire(id string, size int64) error {
	path := q.msgPath(id)
	if size > maxSpareSize || q.spares.full() {
		return os.Remove(path)
	}
	spare := q.sparePath(id)
	if err := renameFile(path, spare); err != nil {
		return err
	}
	q.spares.put(spare)
	return nil
}
