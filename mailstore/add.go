package mailstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"facteur/internal/eol"
)

// Add stores a message in a folder (created if missing): the Maildir file is
// written in tmp/, fsynced and renamed into new/ (cur/ when flags are set),
// the directory is synced, and then the index row is written.
func (s *Store) Add(ctx context.Context, folder FolderRef, r io.Reader, opt AddOptions) (Summary, error) {
	if err := s.enter(); err != nil {
		return Summary{}, err
	}
	defer s.leave()
	fi, err := s.ensureFolder(ctx, folder, RoleNone)
	if err != nil {
		return Summary{}, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return Summary{}, err
	}
	arrived := opt.Arrived
	if arrived.IsZero() {
		arrived = time.Now()
	}
	id, err := s.addBytes(ctx, fi, eol.ToLF(data), arrived, opt)
	if err != nil {
		return Summary{}, err
	}
	return s.Get(ctx, id)
}

func (s *Store) addBytes(ctx context.Context, fi *folderInfo, data []byte, arrived time.Time, opt AddOptions) (int64, error) {
	sub := subNew
	if opt.Flags != 0 {
		sub = subCur
	}
	s.fsMu.Lock()
	defer s.fsMu.Unlock()
	fn, _, err := deliver(fi.dir, sub, bytes.NewReader(data), opt.Flags, time.Now(), nil)
	if err != nil {
		return 0, err
	}
	if err := syncDir(filepath.Join(fi.dir, sub)); err != nil {
		return 0, err
	}
	r := safeParse(data, arrived, opt.Envelope, "")
	r.folder, r.sub, r.name, r.mtime = fi, sub, fn, time.Now().Unix()
	b, err := s.beginBatch(ctx)
	if err != nil {
		return 0, err
	}
	if err := b.insert(r); err != nil {
		b.rollback()
		return 0, err
	}
	if _, err := b.commit(); err != nil {
		return 0, err
	}
	s.gen.Add(1)
	s.hub.publish(Change{Kind: ChangeAdded, Folder: fi.ref, IDs: []int64{r.id}})
	return r.id, nil
}

// AddItem is one message of AddBatch.
type AddItem struct {
	Folder  FolderRef
	Data    []byte
	Options AddOptions
}

// AddResult is the outcome of one AddItem: the id of the new message, or
// the error that kept it out of the store.
type AddResult struct {
	ID  int64
	Err error
}

// addWorkers bounds the files AddBatch fsyncs at once: fsyncs issued
// together are journalled together (see importWorkers).
const addWorkers = 32

// AddBatch stores several messages with group commit, with the guarantees
// of Add for each: every file is written in tmp/, fsynced and renamed into
// new/ (cur/ when flags are set), the fsyncs in parallel; then each
// directory that received files is synced once, and one index transaction
// writes all the rows. When AddBatch returns, every item without error is
// on stable storage and indexed. A failed file write fails its item only;
// a failed directory sync or index commit fails every item whose file was
// written (the files stay in the Maildir, where a rescan finds them).
func (s *Store) AddBatch(ctx context.Context, items []AddItem) []AddResult {
	out := make([]AddResult, len(items))
	if err := s.enter(); err != nil {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	defer s.leave()
	rows := s.deliverItems(ctx, items, out)
	var written []*row
	for _, r := range rows {
		if r != nil {
			written = append(written, r)
		}
	}
	if len(written) == 0 {
		return out
	}
	err := s.indexRows(ctx, written)
	for i, r := range rows {
		switch {
		case r == nil:
		case err != nil:
			out[i].Err = err
		default:
			out[i].ID = r.id
		}
	}
	return out
}

// deliverItems writes the files of a batch: each into tmp/, one after the
// other (concurrent creations in one directory contend for its lock and
// burn CPU), then all fsynced at once (the file system commits them
// together), then renamed into new/ or cur/, reserved as pending so that a
// rescan leaves them to the batch until their rows are committed. The rows
// of the items that failed are nil, their errors in out.
func (s *Store) deliverItems(ctx context.Context, items []AddItem, out []AddResult) []*row {
	rows := make([]*row, len(items))
	files := make([]*os.File, len(items))
	for i := range items {
		rows[i], files[i], out[i].Err = s.writeItem(ctx, &items[i])
	}
	syncFiles(files, out)
	for i, f := range files {
		if f == nil {
			continue
		}
		if out[i].Err == nil {
			out[i].Err = s.renameItem(f.Name(), rows[i], items[i].Options.Flags)
		}
		if out[i].Err != nil {
			os.Remove(f.Name())
			rows[i] = nil
		}
	}
	return rows
}

// writeItem writes one message into tmp/ of its folder and parses it; the
// file is returned open, not yet fsynced.
func (s *Store) writeItem(ctx context.Context, it *AddItem) (r *row, f *os.File, err error) {
	defer recoverTo(&err)
	fi, err := s.ensureFolder(ctx, it.Folder, RoleNone)
	if err != nil {
		return nil, nil, err
	}
	f, err = os.CreateTemp(filepath.Join(fi.dir, subTmp), fmt.Sprintf("%d.P%d.*", time.Now().Unix(), pid))
	if err != nil {
		return nil, nil, err
	}
	data := eol.ToLF(it.Data)
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, nil, err
	}
	arrived := it.Options.Arrived
	if arrived.IsZero() {
		arrived = time.Now()
	}
	r = safeParse(data, arrived, it.Options.Envelope, "")
	r.folder = fi
	return r, f, nil
}

// syncFiles fsyncs and closes the files, addWorkers at a time; an error
// goes to the item's result.
func syncFiles(files []*os.File, out []AddResult) {
	sem := make(chan struct{}, addWorkers)
	var wg sync.WaitGroup
	for i, f := range files {
		if f == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i].Err = errors.Join(f.Sync(), f.Close())
		})
	}
	wg.Wait()
}

// renameItem moves a written file from tmp/ into new/ (cur/ with flags)
// under a new unique name, reserved as pending first.
func (s *Store) renameItem(tmp string, r *row, flags Flags) error {
	sub := subNew
	if flags != 0 {
		sub = subCur
	}
	now := time.Now()
	fn := fileName{Key: newKey(now, r.disk)}.withFlags(flags, sub)
	k := pendingKey{r.folder.id, fn.Key}
	s.pendingMu.Lock()
	s.pending[k] = struct{}{}
	s.pendingMu.Unlock()
	if err := renameNoReplace(tmp, filepath.Join(r.folder.dir, sub, fn.name())); err != nil {
		s.pendingMu.Lock()
		delete(s.pending, k)
		s.pendingMu.Unlock()
		return err
	}
	r.sub, r.name, r.mtime = sub, fn, now.Unix()
	return nil
}

// indexRows syncs the directories of the delivered rows and inserts them
// in one transaction (commitBatch), then clears their pending marks.
func (s *Store) indexRows(ctx context.Context, rows []*row) error {
	b, err := s.beginBatch(ctx)
	if err != nil {
		s.unpend(rows)
		return err
	}
	for _, r := range rows {
		if err := b.insert(r); err != nil {
			b.rollback()
			s.unpend(rows)
			return err
		}
	}
	return s.commitBatch(b, rows)
}
