package mailstore

import (
	"context"
	"errors"
	"io/fs"
	"time"
)

// renamePlan tells where the file of a located message goes within its
// folder (a new name, new/ or cur/), and whether it moves at all.
type renamePlan func(l location) (dst location, ok bool)

// renameOp is fileOp for an operation that only renames files within
// their folder (SetFlags), pipelined (renameChunks); ids are given to it
// in chunks of locateChunk.
func (s *Store) renameOp(ctx context.Context, kind ChangeKind, ids []int64, plan renamePlan) error {
	if len(ids) == 0 {
		return s.noWrite()
	}
	in := make(chan renameChunk)
	go func() { // ends: renameStream reads in to its end
		defer close(in)
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), locateChunk)]
			ids = ids[len(chunk):]
			in <- renameChunk{ids: chunk, plan: plan}
		}
	}()
	return s.renameStream(ctx, kind, in, streamLimits{})
}

// streamLimits bound how long renameStream keeps the file lock and the
// index: idle, how long it waits for a chunk with nothing left to do;
// hold, how long it keeps them while chunks keep coming. 0 is no limit.
type streamLimits struct {
	idle, hold time.Duration
}

// renameStream runs renameChunks on the chunks read from in, under the
// file lock, in one index transaction (filesTx). Within its limits, it
// commits when in has given nothing for lim.idle and every chunk read is
// done, and waits for the next chunk before it takes the lock again (a
// slow sender does not keep other writers waiting); and after lim.hold
// it stops taking chunks, commits once the renamer is done, and takes
// the lock again (a long stream does not either). It reads in to its end
// whatever happens, so that the sender never blocks.
func (s *Store) renameStream(ctx context.Context, kind ChangeKind, in <-chan renameChunk, lim streamLimits) error {
	defer func() {
		for range in {
		}
	}()
	for {
		var first renameChunk
		select {
		case c, ok := <-in:
			if !ok {
				return nil
			}
			first = c
		case <-ctx.Done():
			return ctx.Err()
		}
		more := false
		err := s.filesTx(ctx, kind, func(b *batch, t *touched) error {
			var err error
			more, err = s.renameChunks(ctx, b, t, first, in, lim)
			return err
		})
		if err != nil || !more {
			return err
		}
	}
}

// renameChunk is a chunk of messages and where their files go.
type renameChunk struct {
	ids  []int64
	plan renamePlan
	each bool // a change of its own for each message (planChunk's planned)
}

// renameJob is the renames of one chunk of messages.
type renameJob struct {
	moves []move
	plan  renamePlan
	ran   int // moves tried, in order; fewer than len(moves) after an error or ctx's end
}

// move is one rename and its outcome. The directories and names of its
// files are made by the planner (planChunk), so that the renamer, whose
// pace is the pace of the whole pipeline, only renames.
type move struct {
	src, dst         location
	srcDir, dstDir   string
	srcName, dstName string
	err              error
}

// dirPaths is the paths of the Maildir subdirectories that the moves of
// a run name, each made once.
type dirPaths map[dirKey]string

type dirKey struct {
	folder *folderInfo
	sub    string
}

// of is the path of l's subdirectory.
func (d dirPaths) of(l location) string {
	k := dirKey{l.folder, l.sub}
	p, ok := d[k]
	if !ok {
		p = l.dir()
		d[k] = p
	}
	return p
}

// run renames the files in order. A file not found (fs.ErrNotExist:
// renamed by another program, or gone) is left to the caller; any other
// error, or the end of ctx, stops it.
func (j *renameJob) run(ctx context.Context, r *dirRenamer) {
	for i := range j.moves {
		if ctx.Err() != nil {
			return
		}
		m := &j.moves[i]
		m.err = r.rename(m.srcDir, m.srcName, m.dstDir, m.dstName)
		j.ran = i + 1
		if m.err != nil && !errors.Is(m.err, fs.ErrNotExist) {
			return
		}
	}
}

// jobsAhead is the number of planned chunks renameChunks keeps queued
// for the renamer before it stops reading its input.
const jobsAhead = 2

// renameChunks is a pipeline: a goroutine renames the files of a chunk
// of messages while this one locates the messages of the chunks that
// come (the index read, the renames planned) and writes the rows of the
// chunks renamed, all in one transaction, so that the renamer never
// waits for a commit. The order per message is the same as fileOp's
// (file renamed, then its row changed, and the transaction commits after
// every rename and the sync of the directories): a crash leaves files
// whose row has the old name, which locate finds again by key. After an
// error it stops planning and still records what was renamed. It works
// on first, then on the chunks of in until in is closed, or (more) until
// in gave nothing for lim.idle, or lim.hold passed, and every chunk taken
// is done.
func (s *Store) renameChunks(ctx context.Context, b *batch, t *touched, first renameChunk, in <-chan renameChunk,
	lim streamLimits) (more bool, err error) {
	start := time.Now()
	todo := make(chan *renameJob, 1)
	done := make(chan *renameJob, jobsAhead+2)
	go func() {
		defer close(done)
		r := newDirRenamer()
		defer r.close()
		for j := range todo {
			j.run(ctx, r)
			done <- j
		}
	}()
	var queued []*renameJob
	var planned map[int64]location
	dirs := dirPaths{}
	plan := func(c renameChunk) {
		if c.each && planned == nil {
			planned = map[int64]location{}
		}
		var j *renameJob
		if j, err = s.planChunk(ctx, b, c.ids, c.plan, planned, dirs); err == nil && len(j.moves) > 0 {
			queued = append(queued, j)
		}
	}
	plan(first)
	var timer *time.Timer
	inflight := 0 // jobs given to the renamer and not recorded
	for err == nil && !more && (in != nil || len(queued) > 0) {
		held := lim.hold > 0 && in != nil && time.Since(start) >= lim.hold
		if held && len(queued) == 0 && inflight == 0 {
			more = true
			break
		}
		var send chan<- *renameJob
		var next *renameJob
		if len(queued) > 0 {
			send, next = todo, queued[0]
		}
		recv := in
		if len(queued) >= jobsAhead || held {
			recv = nil
		}
		var timeout <-chan time.Time
		if lim.idle > 0 && !held && in != nil && len(queued) == 0 && inflight == 0 {
			if timer == nil {
				timer = time.NewTimer(lim.idle)
			} else {
				timer.Reset(lim.idle)
			}
			timeout = timer.C
		}
		select {
		case send <- next:
			queued = queued[1:]
			inflight++
		case j := <-done:
			inflight--
			err = s.recordMoves(ctx, b, t, j)
		case c, ok := <-recv:
			if !ok {
				in = nil
				break
			}
			plan(c)
		case <-timeout:
			more = true
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if timer != nil {
		timer.Stop()
	}
	close(todo)
	for j := range done {
		if rerr := s.recordMoves(ctx, b, t, j); err == nil {
			err = rerr
		}
	}
	return more && err == nil, err
}

// planChunk locates the messages of chunk and plans their renames.
// When planned is not nil, the renames are planned from where an earlier
// chunk of the same run moves a message (kept in planned), not from its
// row, which that chunk may not have written yet: a message whose change
// differs from chunk to chunk (SetFlagsEach) gets each in turn. The
// directories of the moves come from dirs, the run's.
func (s *Store) planChunk(ctx context.Context, b *batch, chunk []int64, plan renamePlan,
	planned map[int64]location, dirs dirPaths) (*renameJob, error) {
	found, err := s.locateMany(ctx, b, chunk)
	if err != nil {
		return nil, err
	}
	j := &renameJob{moves: make([]move, 0, len(found)), plan: plan}
	for _, id := range chunk {
		l, ok := found[id]
		if !ok {
			continue
		}
		if p, ok := planned[id]; ok {
			l = p
		}
		if dst, ok := plan(l); ok {
			j.moves = append(j.moves, move{src: l, dst: dst, srcDir: dirs.of(l), dstDir: dirs.of(dst),
				srcName: l.name.name(), dstName: dst.name.name()})
			if planned != nil {
				planned[id] = dst
			}
		}
	}
	return j, nil
}

// recordMoves writes the rows of the files a job renamed. A file the job
// did not find is looked for by key (refind) and renamed here; one that is
// gone is skipped.
func (s *Store) recordMoves(ctx context.Context, b *batch, t *touched, j *renameJob) error {
	for i := range j.ran {
		m := j.moves[i]
		if errors.Is(m.err, fs.ErrNotExist) {
			l, err := s.refind(b, m.src)
			if err != nil {
				continue
			}
			dst, ok := j.plan(l)
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
	if j.ran < len(j.moves) {
		return ctx.Err()
	}
	return nil
}
