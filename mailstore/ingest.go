package mailstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"facteur/internal/atomicfile"
	"facteur/internal/eol"
)

// job is one message to index: a file already in a Maildir (rescan), or bytes
// to deliver into a folder first (import).
type job struct {
	folder *folderInfo
	sub    string   // existing file: "cur" or "new"
	name   fileName // existing file: its name
	data   []byte   // import: the message; nil for an existing file
	flags  Flags    // import: flags of the new file
	env    *Envelope
	sender string    // import from mbox: the From_ line's sender
	date   time.Time // import: arrival time when nothing better is known
	offset int64     // import: bytes of the source consumed after this message
}

// ingestStats count what an ingest did.
type ingestStats struct {
	done, problems int   // messages indexed, of which with a problem
	duplicates     int   // import: messages the folder already held, skipped
	failed         int   // import: messages that could not be stored
	bytes          int64 // source bytes consumed (job offsets)
	size           int64 // bytes of the messages as stored (LF files)
}

// add counts what a committed batch did.
func (st *ingestStats) add(o ingestStats) {
	st.done += o.done
	st.problems += o.problems
	st.size += o.size
	st.bytes = max(st.bytes, o.bytes)
}

type ingestOptions struct {
	workers  int
	progress func(done int, bytes int64) // after each committed batch
	stored   func(ids []int64)           // after each committed batch, its ids
	// dedup, for an import, holds the content hashes of the folder: a
	// message already there is skipped. Nil stores every message.
	dedup *dedup
}

// counters are what the workers count, apart from the writer.
type counters struct {
	duplicates, failed atomic.Int64
}

// produceFunc feeds jobs; emit returns false when the ingest must stop.
type produceFunc func(ctx context.Context, emit func(*job) bool) error

// ingest runs the indexing pipeline: produce feeds jobs, workers deliver
// and/or read each message once and parse it in parallel, and this goroutine
// writes the rows in batched transactions. When ctx ends, the producer stops;
// messages already delivered are still indexed, so the index and the Maildir
// stay consistent. The error is ctx's when it was cancelled.
func (s *Store) ingest(ctx context.Context, produce produceFunc, opt ingestOptions) (ingestStats, error) {
	if opt.workers <= 0 {
		opt.workers = runtime.GOMAXPROCS(0)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan *job, 4*opt.workers)
	rows := make(chan *row, 4*opt.workers)
	var perr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		defer recoverTo(&perr)
		perr = produce(wctx, func(j *job) bool {
			select {
			case jobs <- j:
				return true
			case <-wctx.Done():
				return false
			}
		})
	})
	var workers sync.WaitGroup
	var c counters
	for range opt.workers {
		workers.Go(func() { s.work(wctx, cancel, jobs, rows, opt.dedup, &c) })
	}
	go func() { workers.Wait(); close(rows) }()
	st, werr := s.writeRows(ctx, rows, opt)
	if werr != nil {
		cancel(werr)
		for r := range rows { // let the workers end; their files go
			st.failed += btoi(r.written)
			s.discard(r)
		}
	}
	wg.Wait()
	st.duplicates += int(c.duplicates.Load())
	st.failed += int(c.failed.Load())
	return st, firstErr(werr, context.Cause(wctx), perr, ctx.Err())
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// recoverTo turns a panic of a goroutine into an error.
func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("mailstore: internal error: %v", r)
	}
}

// work delivers and parses jobs until jobs is closed. With dd, an
// imported message whose content the folder holds is skipped.
func (s *Store) work(ctx context.Context, fail context.CancelCauseFunc, jobs <-chan *job, rows chan<- *row, dd *dedup, c *counters) {
	for j := range jobs {
		if ctx.Err() != nil && j.data != nil {
			continue // not delivered yet: drop it
		}
		if j.data == nil {
			// A file of the Maildir that cannot be read (deleted
			// meanwhile, no permission) is left for the next rescan.
			if r, err := s.readJob(j); err == nil {
				rows <- r
			}
			continue
		}
		j.data = eol.ToLF(j.data) // LF files: see the package doc
		h := contentHash(j.data)
		if dd != nil && !dd.claim(h) {
			c.duplicates.Add(1)
			continue
		}
		r, err := s.importJob(j, h)
		if err != nil { // a delivery that fails (disk full) stops the import
			if dd != nil {
				dd.release(h)
			}
			c.failed.Add(1)
			fail(err)
			continue
		}
		rows <- r
	}
}

// readJob reads and parses a file of the Maildir.
func (s *Store) readJob(j *job) (*row, error) {
	path := filepath.Join(j.folder.dir, j.sub, j.name.name())
	data, st, err := readFile(path)
	if err != nil {
		return nil, err
	}
	arrived := keyTime(j.name.Key)
	if arrived.IsZero() {
		arrived = st.ModTime()
	}
	r := safeParse(data, arrived, j.env, j.sender)
	r.folder, r.mtime, r.hash = j.folder, st.ModTime().Unix(), contentHash(data)
	r.sub, r.name, r.offset = j.sub, j.name, j.offset
	return r, nil
}

// importJob parses an imported message and writes it into its folder.
func (s *Store) importJob(j *job, hash []byte) (*row, error) {
	r := safeParse(j.data, j.date, j.env, j.sender)
	r.folder, r.hash, r.offset = j.folder, hash, j.offset
	return r, s.deliverRow(j, r)
}

// deliverRow writes an imported message into its folder.
func (s *Store) deliverRow(j *job, r *row) error {
	sub := subNew
	if j.flags != 0 {
		sub = subCur
	}
	reserve := func(key string) {
		s.pendingMu.Lock()
		s.pending[pendingKey{j.folder.id, key}] = struct{}{}
		s.pendingMu.Unlock()
	}
	fn, _, err := deliver(j.folder.dir, sub, bytes.NewReader(j.data), j.flags, time.Now(), reserve)
	if err != nil {
		return err
	}
	r.sub, r.name, r.written = sub, fn, true
	r.mtime = time.Now().Unix()
	return nil
}

// safeParse parses a message; a panic of the parser becomes a problem. An
// envelope given with the message is the one the delivery agent recorded.
func safeParse(data []byte, arrived time.Time, env *Envelope, sender string) (r *row) {
	if env != nil {
		e := *env
		e.Recorded = true
		env = &e
	}
	defer func() {
		if p := recover(); p != nil {
			r = &row{size: eol.CRLFSize(data), disk: int64(len(data)), arrived: arrived.Unix(), date: arrived.Unix(),
				envelope: env, problem: fmt.Sprintf("parser failure: %v", p)}
		}
	}()
	return parseRow(data, arrived, env, sender)
}

// readFile reads a whole file with one open and one read.
func readFile(path string) ([]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, st.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(f)
	return buf.Bytes(), st, err
}

// commitBatch makes the renames of delivered files durable, then commits the
// index rows, so that the index never names a file a crash could lose.
// The rows stay pending when it fails: their files are the caller's.
func (s *Store) commitBatch(b *batch, rows []*row) error {
	dirs := map[string]bool{}
	for _, r := range rows {
		if _, ok := s.isPending(r); ok {
			dirs[filepath.Join(r.folder.dir, r.sub)] = true
		}
	}
	for d := range dirs {
		if err := atomicfile.SyncDir(d); err != nil {
			b.rollback()
			return err
		}
	}
	added, err := b.commit()
	if err != nil {
		return err
	}
	s.unpend(rows)
	s.gen.Add(1)
	for fi, ids := range added {
		s.hub.publish(Change{Kind: ChangeAdded, Folder: fi.ref, IDs: ids})
	}
	return nil
}

func (s *Store) isPending(r *row) (pendingKey, bool) {
	k := pendingKey{r.folder.id, r.name.Key}
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	_, ok := s.pending[k]
	return k, ok
}

func (s *Store) unpend(rows []*row) {
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	for _, r := range rows {
		delete(s.pending, pendingKey{r.folder.id, r.name.Key})
	}
}
