package mailstore

import (
	"context"
	"errors"
	"io/fs"
)

// renamePlan tells where the file of a located message goes within its
// folder (a new name, new/ or cur/), and whether it moves at all.
type renamePlan func(l location) (dst location, ok bool)

// renameOp is fileOp for an operation that only renames files within
// their folder (SetFlags), pipelined: a goroutine renames the files of a
// chunk of messages while this one reads the index for the next chunk
// and writes the rows of the previous one, in the same transaction. The
// order per message is the same as fileOp's (file renamed, then its row
// changed, and the transaction commits after every rename and the sync of
// the directories): a crash leaves files whose row has the old name, which
// locate finds again by key.
func (s *Store) renameOp(ctx context.Context, kind ChangeKind, ids []int64, plan renamePlan) error {
	return s.filesTx(ctx, kind, ids, func(b *batch, t *touched) error { return s.renameChunks(ctx, b, ids, t, plan) })
}

// renameJob is the renames of one chunk of messages.
type renameJob struct {
	moves []move
	ran   int // moves tried, in order; fewer than len(moves) after an error or ctx's end
}

// move is one rename and its outcome.
type move struct {
	src, dst location
	err      error
}

// run renames the files in order. A file not found (fs.ErrNotExist:
// renamed by another program, or gone) is left to the caller; any other
// error, or the end of ctx, stops it.
func (j *renameJob) run(ctx context.Context) {
	r := newDirRenamer()
	defer r.close()
	for i := range j.moves {
		if ctx.Err() != nil {
			return
		}
		m := &j.moves[i]
		m.err = r.rename(m.src.dir(), m.src.name.name(), m.dst.dir(), m.dst.name.name())
		j.ran = i + 1
		if m.err != nil && !errors.Is(m.err, fs.ErrNotExist) {
			return
		}
	}
}

// renameChunks locates and plans a chunk, hands it to the renamer, and
// records the chunks the renamer finished, keeping one chunk queued ahead.
// After an error it still records what was renamed.
func (s *Store) renameChunks(ctx context.Context, b *batch, ids []int64, t *touched, plan renamePlan) error {
	todo := make(chan *renameJob, 1)
	done := make(chan *renameJob, (len(ids)+locateChunk-1)/locateChunk)
	go func() {
		defer close(done)
		for j := range todo {
			j.run(ctx)
			done <- j
		}
	}()
	var err error
	for len(ids) > 0 && err == nil {
		chunk := ids[:min(len(ids), locateChunk)]
		ids = ids[len(chunk):]
		var j *renameJob
		if j, err = s.planChunk(ctx, b, chunk, plan); err != nil {
			break
		}
		todo <- j
		for more := true; more && err == nil; {
			select {
			case j := <-done:
				err = s.recordMoves(ctx, b, t, j, plan)
			default:
				more = false
			}
		}
	}
	close(todo)
	for j := range done {
		if rerr := s.recordMoves(ctx, b, t, j, plan); err == nil {
			err = rerr
		}
	}
	return err
}

// planChunk locates the messages of chunk and plans their renames.
func (s *Store) planChunk(ctx context.Context, b *batch, chunk []int64, plan renamePlan) (*renameJob, error) {
	found, err := s.locateMany(ctx, b.tx, chunk)
	if err != nil {
		return nil, err
	}
	j := &renameJob{moves: make([]move, 0, len(found))}
	for _, id := range chunk {
		l, ok := found[id]
		if !ok {
			continue
		}
		if dst, ok := plan(l); ok {
			j.moves = append(j.moves, move{src: l, dst: dst})
		}
	}
	return j, nil
}

// recordMoves writes the rows of the files a job renamed. A file the job
// did not find is looked for by key (refind) and renamed here; one that is
// gone is skipped.
func (s *Store) recordMoves(ctx context.Context, b *batch, t *touched, j *renameJob, plan renamePlan) error {
	for i := range j.ran {
		m := j.moves[i]
		if errors.Is(m.err, fs.ErrNotExist) {
			l, err := s.refind(b, m.src)
			if err != nil {
				continue
			}
			dst, ok := plan(l)
			if !ok {
				continue
			}
			m = move{src: l, dst: dst, err: renameFile(l.path(), dst.path())}
		}
		if m.err != nil {
			return errors.Join(&MessageError{ID: m.src.id, Op: "update", Err: m.err}, b.flushFiles())
		}
		t.dir(m.dst.folder, m.dst.sub)
		t.changed(m.src.folder, m.src.id)
		if err := b.setFile(m.src.id, m.dst.sub, m.dst.name); err != nil {
			return err
		}
	}
	if err := b.flushFiles(); err != nil {
		return err
	}
	if j.ran < len(j.moves) {
		return ctx.Err()
	}
	return nil
}
