package mailstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"

	"facteur/internal/eol"
)

// ReplaceItem is one message of ReplaceBatch: Data, the whole message, is
// to take the place of the file of message ID.
type ReplaceItem struct {
	ID   int64
	Data []byte
}

// Replace puts data, the whole message, in place of the Maildir file of
// message id: a partial message (PartialField) whose body was downloaded.
// See ReplaceBatch.
func (s *Store) Replace(ctx context.Context, id int64, data []byte) error {
	return s.ReplaceBatch(ctx, []ReplaceItem{{ID: id, Data: data}})[0]
}

// ReplaceBatch puts new contents in place of the files of several messages,
// which keep their ids, folders and flags (the flags they have when the
// file is replaced). The header is taken to be the one the index knows
// (threading and Message-ID are kept); the size, the attachment marker, the
// problems, the full-text entry and the partial mark are read again.
//
// Each file is written in tmp/ of its folder and fsynced (in parallel);
// then, under the file lock, renamed over the old file (atomic: the message
// is at every moment the old file or the new one, never both nor neither),
// renamed again to a unique name carrying its new size (",S="), the
// directories are synced and one index transaction updates the rows. A
// crash between the two renames leaves the new content under the old name
// with the old row (reading it works; a Replace again fixes the row); a
// crash after them leaves a file the next rescan indexes again.
// Subscribers get ChangeContent. The result holds one error per item, nil
// for a success; a message that is gone gives ErrNotFound.
func (s *Store) ReplaceBatch(ctx context.Context, items []ReplaceItem) []error {
	errs := make([]error, len(items))
	if len(items) == 0 {
		return errs
	}
	if err := s.enterWrite(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	defer s.leave()
	reps := make([]*replacement, len(items))
	for i := range items {
		reps[i], errs[i] = s.writeReplacement(ctx, items[i])
	}
	syncReplacements(reps, errs)
	defer removeTemps(reps)
	s.swapFiles(ctx, reps, errs)
	return errs
}

// replacement is the new file of one message, written in tmp/.
type replacement struct {
	id  int64
	r   *row
	f   *os.File // closed after the fsync
	tmp string   // the temporary file, "" once renamed into place
}

// writeReplacement writes and parses the new file of one message.
func (s *Store) writeReplacement(ctx context.Context, it ReplaceItem) (rp *replacement, err error) {
	defer recoverTo(&err)
	l, err := s.locate(ctx, s.ix.rdb, it.ID)
	if err != nil {
		return nil, err
	}
	f, err := createTmp(l.folder.dir, time.Now())
	if err != nil {
		return nil, err
	}
	data := eol.ToLF(it.Data)
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	r := safeParse(data, time.Now(), nil, "")
	r.hash = contentHash(data)
	return &replacement{id: it.ID, r: r, f: f, tmp: f.Name()}, nil
}

// syncReplacements fsyncs and closes the new files, addWorkers at a time.
func syncReplacements(reps []*replacement, errs []error) {
	sem := make(chan struct{}, addWorkers)
	var wg sync.WaitGroup
	for i, rp := range reps {
		if rp == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = errors.Join(rp.f.Sync(), rp.f.Close())
		})
	}
	wg.Wait()
}

// removeTemps removes the temporary files that were not renamed into place.
func removeTemps(reps []*replacement) {
	for _, rp := range reps {
		if rp != nil && rp.tmp != "" {
			os.Remove(rp.tmp)
		}
	}
}

// swapped is a replaced file: where it was and where it is now.
type swapped struct {
	old, now location
}

// swapFiles renames the new files into place and updates the index, under
// the file lock. If the index cannot be updated, the files get their old
// names back (with the new content, which is safe).
func (s *Store) swapFiles(ctx context.Context, reps []*replacement, errs []error) {
	s.fsMu.Lock()
	defer s.fsMu.Unlock()
	b, err := s.beginBatch(ctx)
	if err != nil {
		failPending(reps, errs, err)
		return
	}
	t := newTouched()
	var done []swapped
	var doneIdx []int
	for i, rp := range reps {
		if errs[i] != nil || rp == nil {
			continue
		}
		sw, err := s.swapOne(ctx, b, rp, t)
		if errs[i] = err; err == nil {
			done, doneIdx = append(done, sw), append(doneIdx, i)
		}
	}
	if err := s.commitSwaps(b, t); err != nil {
		for k, sw := range done {
			os.Rename(sw.now.path(), sw.old.path())
			errs[doneIdx[k]] = err
		}
		return
	}
	for fi, ids := range t.ids {
		s.hub.publish(Change{Kind: ChangeContent, Folder: fi.ref, IDs: ids})
	}
}

func failPending(reps []*replacement, errs []error, err error) {
	for i := range reps {
		if errs[i] == nil {
			errs[i] = err
		}
	}
}

// commitSwaps syncs the directories that received files, then commits.
func (s *Store) commitSwaps(b *batch, t *touched) error {
	if err := t.syncDirs(); err != nil {
		b.rollback()
		return err
	}
	if _, err := b.commit(); err != nil {
		return err
	}
	s.gen.Add(1)
	return nil
}

// swapOne puts the file of one replacement in place and updates its row.
func (s *Store) swapOne(ctx context.Context, b *batch, rp *replacement, t *touched) (swapped, error) {
	l, err := s.locate(ctx, b.tx, rp.id)
	if err != nil {
		return swapped{}, err
	}
	if _, err := os.Stat(l.path()); errors.Is(err, fs.ErrNotExist) {
		if l, err = s.refind(b, l); err != nil {
			return swapped{}, &MessageError{ID: rp.id, Op: "replace", Err: ErrNotFound}
		}
	}
	if err := os.Rename(rp.tmp, l.path()); err != nil {
		return swapped{}, &MessageError{ID: rp.id, Op: "replace", Err: err}
	}
	rp.tmp = ""
	fn := fileName{Key: newKey(time.Now(), rp.r.disk), Extra: l.name.Extra}.withFlags(l.name.Flags, l.sub)
	now := location{id: l.id, folder: l.folder, sub: l.sub, name: fn}
	if err := os.Rename(l.path(), now.path()); err != nil {
		now = l // the new content under the old name
	}
	if err := b.replaceRow(now, rp.r); err != nil {
		os.Rename(now.path(), l.path()) // the row still names the old file
		return swapped{}, err
	}
	t.dir(l.folder, l.sub)
	t.changed(l.folder, l.id)
	return swapped{old: l, now: now}, nil
}

// replaceRow records the new file of a message and what its content gives.
func (b *batch) replaceRow(l location, r *row) error {
	_, err := b.tx.Exec(`UPDATE headers SET key = ?, size = ?, mtime = ?,
		attachment = ?, problem = ?, partial = ?, hash = ? WHERE id = ?`,
		l.name.Key, r.size, time.Now().Unix(), r.attachment, r.problem, r.partial, r.hash, l.id)
	if err != nil {
		return err
	}
	_, err = b.tx.Exec(`UPDATE state SET sub = ?, info = ?, flags = ? WHERE id = ?`, l.sub, l.name.Info, l.name.Flags, l.id)
	if err != nil {
		return err
	}
	if _, err := b.tx.Exec(`DELETE FROM fts WHERE rowid = ?`, l.id); err != nil {
		return err
	}
	return b.exec(insFTSQuery, l.id, r.subject, addrText(r.from), addrText(r.to), addrText(r.cc), r.body)
}
