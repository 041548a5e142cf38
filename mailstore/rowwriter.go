package mailstore

import (
	"context"
	"errors"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// writeRows inserts rows in batches until rows is closed. Only committed
// batches count, and the files of imported rows that could not be indexed
// are removed (rowWriter.drop), so that an import counts, and leaves on
// disk, exactly what the index lists.
func (s *Store) writeRows(ctx context.Context, rows <-chan *row, opt ingestOptions) (ingestStats, error) {
	w := &rowWriter{s: s, ctx: ctx, opt: opt}
	for r := range rows {
		if err := w.add(r); err != nil {
			return w.st, err
		}
	}
	return w.st, w.flush()
}

// rowWriter is writeRows' state: the open batch, its rows and what they
// will count once committed.
type rowWriter struct {
	s    *Store
	ctx  context.Context
	opt  ingestOptions
	b    *batch
	rows []*row
	st   ingestStats // counts of the committed batches
}

// add inserts r into the open batch, committing it when full. On failure
// the batch is given up (salvage) and r's file goes.
func (w *rowWriter) add(r *row) error {
	if w.b == nil {
		var err error
		if w.b, err = w.s.beginBatch(w.ctx); err != nil {
			w.drop(append(w.rows, r))
			return err
		}
	}
	if w.opt.dedup != nil {
		// another process may have imported the same message meanwhile
		dup, err := w.b.heldElsewhere(r)
		if dup {
			w.st.duplicates++
			w.s.discard(r)
		}
		if err != nil {
			w.fail(err, nil)
		}
		if err != nil || dup {
			return err
		}
	}
	if err := w.b.insert(r); err != nil {
		w.fail(err, r)
		return err
	}
	w.rows = append(w.rows, r)
	if w.b.rows >= batchSize {
		return w.flush()
	}
	return nil
}

// flush commits the open batch (salvage on failure).
func (w *rowWriter) flush() error {
	if w.b == nil {
		return nil
	}
	err := w.s.commitBatch(w.b, w.rows)
	w.b = nil
	if err != nil {
		w.salvage(err, w.rows)
		w.rows = nil
		return err
	}
	w.committed(w.rows)
	w.rows = w.rows[:0]
	return nil
}

// fail gives up the open batch after err, with r, which did not make it
// into the batch (nil if none).
func (w *rowWriter) fail(err error, r *row) {
	w.b.rollback()
	w.b = nil
	rows := w.rows
	if r != nil {
		rows = append(rows, r)
	}
	w.rows = nil
	w.salvage(err, rows)
}

// salvage deals with rows whose batch failed with err (Store.salvage);
// the import stops all the same.
func (w *rowWriter) salvage(err error, rows []*row) {
	n := w.s.salvage(w.ctx, err, rows)
	if n > 0 {
		w.committed(rows[:n])
	}
	for _, r := range rows[n:] {
		w.st.failed += btoi(r.written)
	}
}

// salvage keeps what it can of rows whose batch failed with err, and
// returns how many, from the first, are indexed. When the disk is full,
// the files of the later half go (which frees room) and the earlier half
// is inserted and committed again, halving until a commit succeeds or no
// row is left; after another error, nothing is kept. The files an import
// or AddBatch wrote for the rows not kept are removed (discard).
func (s *Store) salvage(ctx context.Context, err error, rows []*row) int {
	for isFull(err) && len(rows) > 1 {
		keep := len(rows) / 2
		s.discardAll(rows[keep:])
		rows = rows[:keep]
		if err = s.insertCommit(ctx, rows); err == nil {
			return keep
		}
	}
	s.discardAll(rows)
	return 0
}

// insertCommit inserts rows in a new batch and commits it (commitBatch).
func (s *Store) insertCommit(ctx context.Context, rows []*row) error {
	b, err := s.beginBatch(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := b.insert(r); err != nil {
			b.rollback()
			return err
		}
	}
	return s.commitBatch(b, rows)
}

func (s *Store) discardAll(rows []*row) {
	for _, r := range rows {
		s.discard(r)
	}
}

// committed counts rows, whose batch was committed, and reports progress.
func (w *rowWriter) committed(rows []*row) {
	for _, r := range rows {
		w.st.add(ingestStats{done: 1, problems: btoi(r.problem != ""), size: r.disk, bytes: r.offset})
	}
	if w.opt.stored != nil && len(rows) > 0 {
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.id
		}
		w.opt.stored(ids)
	}
	if w.opt.progress != nil {
		w.opt.progress(w.st.done, w.st.bytes)
	}
}

// drop forgets rows that could not be indexed: the files an import wrote
// for them are removed and counted as failed.
func (w *rowWriter) drop(rows []*row) {
	for _, r := range rows {
		w.st.failed += btoi(r.written)
		w.s.discard(r)
	}
}

// isFull tells the errors of a full disk: SQLite's SQLITE_FULL (which it
// also gives for ENOSPC) and ENOSPC itself.
func isFull(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL {
		return true
	}
	return errors.Is(err, syscall.ENOSPC)
}
