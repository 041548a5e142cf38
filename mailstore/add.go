package mailstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"facteur/internal/atomicfile"
	"facteur/internal/eol"
)

// Add stores a message in a folder (created if missing): the Maildir file is
// written in tmp/, fsynced and renamed into new/ (cur/ when flags are set),
// the directory is synced, and then the index row is written.
func (s *Store) Add(ctx context.Context, folder FolderRef, r io.Reader, opt AddOptions) (Summary, error) {
	if err := s.enterWrite(); err != nil {
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
	if err := atomicfile.SyncDir(filepath.Join(fi.dir, sub)); err != nil {
		return 0, err
	}
	r := safeParse(data, arrived, opt.Envelope, "")
	r.folder, r.sub, r.name, r.mtime, r.hash = fi, sub, fn, time.Now().Unix(), contentHash(data)
	if err := s.insertRow(ctx, r); err != nil {
		os.Remove(filepath.Join(fi.dir, sub, fn.name())) // not indexed: not kept
		return 0, err
	}
	s.gen.Add(1)
	s.hub.publish(Change{Kind: ChangeAdded, Folder: fi.ref, IDs: []int64{r.id}})
	return r.id, nil
}

// insertRow indexes one row in its own transaction.
func (s *Store) insertRow(ctx context.Context, r *row) error {
	b, err := s.beginBatch(ctx)
	if err != nil {
		return err
	}
	if err := b.insert(r); err != nil {
		b.rollback()
		return err
	}
	_, err = b.commit()
	return err
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
// on stable storage and indexed, and no file of an item with an error is
// left in the Maildir (which a caller trying again, or a rescan, would
// make a second copy of). A failed file write fails its item only; a
// failed directory sync or index commit fails every item whose file was
// written, except, on a full disk, those that fit (Store.salvage).
func (s *Store) AddBatch(ctx context.Context, items []AddItem) []AddResult {
	out := make([]AddResult, len(items))
	if err := s.enterWrite(); err != nil {
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
	n, err := s.indexRows(ctx, written)
	k := 0 // index in written
	for i, r := range rows {
		if r == nil {
			continue
		}
		if k < n {
			out[i].ID = r.id
		} else {
			out[i].Err = err
		}
		k++
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
			out[i].Err = s.renameItem(f.Name(), rows[i], items[i].Options)
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
	if err := s.checkKey(ctx, fi, it.Options.Key); err != nil {
		return nil, nil, err
	}
	f, err = createTmp(fi.dir, time.Now())
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
	r.folder, r.hash = fi, contentHash(data)
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
// under its key (a new unique one unless opt.Key), reserved as pending
// first.
func (s *Store) renameItem(tmp string, r *row, opt AddOptions) error {
	sub := subNew
	if opt.Flags != 0 {
		sub = subCur
	}
	now := time.Now()
	key := opt.Key
	if key == "" {
		key = newKey(now, r.disk)
	}
	fn := fileName{Key: key}.withFlags(opt.Flags, sub)
	k := pendingKey{r.folder.id, fn.Key}
	s.pendingMu.Lock()
	s.pending[k] = struct{}{}
	s.pendingMu.Unlock()
	if err := renameNoReplace(tmp, filepath.Join(r.folder.dir, sub, fn.name())); err != nil {
		s.pendingMu.Lock()
		delete(s.pending, k)
		s.pendingMu.Unlock()
		if opt.Key != "" && errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExist, opt.Key)
		}
		return err
	}
	r.sub, r.name, r.mtime, r.written = sub, fn, now.Unix(), true
	return nil
}

// checkKey refuses a caller's key that is malformed or that the folder
// already holds: as a file in new/ (delivered, perhaps not yet indexed)
// or in the index (wherever the file went since, cur/ with flags).
func (s *Store) checkKey(ctx context.Context, fi *folderInfo, key string) error {
	if key == "" {
		return nil
	}
	if !validKey(key) {
		return fmt.Errorf("mailstore: bad Maildir key %q", key)
	}
	if _, err := os.Lstat(filepath.Join(fi.dir, subNew, key)); err == nil {
		return fmt.Errorf("%w: %s", ErrExist, key)
	}
	var n int
	err := s.ix.rdb.QueryRowContext(ctx, `SELECT count(*) FROM headers WHERE folder = ? AND key = ?`, fi.id, key).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: %s", ErrExist, key)
	}
	return nil
}

// validKey reports whether a caller's Maildir key is a safe file name.
func validKey(key string) bool {
	if key == "" || key[0] == '.' || len(key) > 200 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c > '~' || c == '/' || c == '\\' || c == ':' || c == '!' {
			return false
		}
	}
	return true
}

// indexRows syncs the directories of the delivered rows and inserts them
// in one transaction (commitBatch). On failure it keeps what it can
// (salvage) and removes the other files: it returns how many rows, from
// the first, are indexed, and the error.
func (s *Store) indexRows(ctx context.Context, rows []*row) (int, error) {
	err := s.insertCommit(ctx, rows)
	if err == nil {
		return len(rows), nil
	}
	return s.salvage(ctx, err, rows), err
}
