package mailstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"facteur/internal/atomicfile"
)

// SetFlags adds and removes flags on messages: each Maildir file is renamed
// (":2,FLAGS", moving it from new/ to cur/), then the index is updated.
// Messages that no longer exist are skipped.
func (s *Store) SetFlags(ctx context.Context, ids []int64, add, remove Flags) error {
	return s.renameOp(ctx, ChangeFlags, ids, func(l location) (location, bool) { return flagsMoved(l, add, remove) })
}

// FlagChange is a change of the flags of one message, for SetFlagsEach.
type FlagChange struct {
	ID          int64
	Add, Remove Flags
}

// SetFlagsEach applies the flag changes it reads from in, a slice at a
// time, until in is closed: what SetFlags does, each message with its
// own change, in one index transaction as long as they keep coming, the
// files renamed while the next changes come (renameChunks), so that the
// renames never wait for a commit. It is for a stream of changes, such
// as a flag-only resync applying the flags of a FETCH as they arrive. It
// reads in to its end even after an error, so that the sender never
// blocks; what was done before an error stays done, files and rows
// alike. A message named more than once gets its changes in turn. When
// the changes come slowly (nothing for 20 ms, and what came is done), or
// after a quarter of a second, it commits what it did and takes the
// index again for the next changes: neither a slow sender, such as a slow
// server, nor a long stream keeps the other writers of the store waiting
// (defaultFlagLimits).
func (s *Store) SetFlagsEach(ctx context.Context, in <-chan []FlagChange) error {
	chunks := make(chan renameChunk)
	go func() { // ends: renameStream reads chunks to its end
		defer close(chunks)
		for list := range in {
			if len(list) > 0 {
				chunks <- flagChunk(list)
			}
		}
	}()
	return s.renameStream(ctx, ChangeFlags, chunks, s.flagLimits)
}

// defaultFlagLimits are SetFlagsEach's streamLimits: it waits 20 ms for
// changes, its work done, before it commits and lets other writers in,
// and holds the index at most a quarter of a second while they keep
// coming (a resync of 100,000 flags lets the window's actions in four
// times a second).
var defaultFlagLimits = streamLimits{idle: 20 * time.Millisecond, hold: 250 * time.Millisecond}

// flagChunk is the renameChunk of a slice of SetFlagsEach.
func flagChunk(list []FlagChange) renameChunk {
	ids := make([]int64, 0, len(list))
	change := make(map[int64]FlagChange, len(list))
	for _, c := range list {
		if p, ok := change[c.ID]; ok { // the two in turn
			c.Add, c.Remove = p.Add&^c.Remove|c.Add, p.Remove&^c.Add|c.Remove
		} else {
			ids = append(ids, c.ID)
		}
		change[c.ID] = c
	}
	return renameChunk{ids: ids, each: true, plan: func(l location) (location, bool) {
		c := change[l.id]
		return flagsMoved(l, c.Add, c.Remove)
	}}
}

// flagsMoved tells where the file of a message goes when flags add are
// given to it and flags remove taken away: a new name, and cur/ once it
// has a flag; ok is false when it stays as it is.
func flagsMoved(l location, add, remove Flags) (dst location, ok bool) {
	flags := (l.name.Flags | add) &^ remove
	sub := l.sub
	if flags != 0 {
		sub = subCur
	}
	if flags == l.name.Flags && sub == l.sub {
		return l, false
	}
	return location{id: l.id, folder: l.folder, sub: sub, name: l.name.withFlags(flags, sub)}, true
}

// Move moves messages to another folder: each file is renamed into the
// destination Maildir (under a new unique name if its name is taken there),
// then its index row is updated; the message keeps its id. A message from
// another account takes its keywords by name (keywordmove.go): one that
// finds no free letter in the destination account is left out, and
// reported by a *KeywordsError once the messages moved.
func (s *Store) Move(ctx context.Context, ids []int64, dest FolderRef) error {
	dfi, err := s.folder(dest)
	if err != nil {
		return err
	}
	km, err := s.keywordMapFor(ctx, ids, dest.Account)
	if err != nil {
		return err
	}
	if err := s.move(ctx, ids, dfi, km); err != nil {
		return err
	}
	return km.err()
}

// move moves messages to dfi, their keyword letters translated by km
// (nil within an account).
func (s *Store) move(ctx context.Context, ids []int64, dfi *folderInfo, km *keywordMap) error {
	var added []int64
	err := s.fileOp(ctx, ChangeRemoved, ids, func(b *batch, l location, t *touched) error {
		if l.folder == dfi {
			return nil
		}
		dst, err := moveFile(l, km.moved(l), dfi)
		if err != nil {
			return err
		}
		t.dir(l.folder, l.sub)
		t.dir(dfi, dst.sub)
		t.changed(l.folder, l.id)
		added = append(added, l.id)
		if _, err := b.tx.Exec(`UPDATE headers SET folder = ?, key = ? WHERE id = ?`, dfi.id, dst.name.Key, l.id); err != nil {
			return err
		}
		_, err = b.tx.Exec(`UPDATE state SET sub = ?, info = ? WHERE id = ?`, dst.sub, dst.name.Info, l.id)
		return err
	})
	if len(added) > 0 {
		s.hub.publish(Change{Kind: ChangeAdded, Folder: dfi.ref, IDs: added})
	}
	return err
}

// moveFile renames a message file into another folder, as name, without
// ever replacing a file there.
func moveFile(l location, name fileName, dfi *folderInfo) (location, error) {
	dst := location{id: l.id, folder: dfi, sub: l.sub, name: name}
	err := renameNoReplace(l.path(), dst.path())
	if errors.Is(err, fs.ErrExist) {
		var size int64
		if st, serr := os.Stat(l.path()); serr == nil {
			size = st.Size()
		}
		dst.name.Key = newKey(time.Now(), size)
		err = renameNoReplace(l.path(), dst.path())
	}
	return dst, err
}

// Delete moves messages to the Trash folder of their account (created with
// RoleTrash when there is none). Messages already in that Trash are removed
// for good: their file is deleted, then their index row.
func (s *Store) Delete(ctx context.Context, ids []int64) error {
	if err := s.enterWrite(); err != nil {
		return err
	}
	defer s.leave()
	trashes := map[string]*folderInfo{}
	var toTrash = map[*folderInfo][]int64{}
	var purge []int64
	for _, id := range ids {
		l, err := s.locate(ctx, s.ix.rdb, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		acct := l.folder.ref.Account
		if trashes[acct] == nil {
			if trashes[acct], err = s.trashOf(ctx, acct); err != nil {
				return err
			}
		}
		if l.folder == trashes[acct] {
			purge = append(purge, id)
		} else {
			toTrash[trashes[acct]] = append(toTrash[trashes[acct]], id)
		}
	}
	for fi, list := range toTrash {
		if err := s.move(ctx, list, fi, nil); err != nil {
			return err
		}
	}
	return s.purge(ctx, purge)
}

// Purge removes messages for good, wherever they are: their Maildir files
// are deleted, then their index rows. It is for deletions the user already
// made elsewhere (a POP3 DELE, a message expunged on the IMAP server); a
// user's delete goes through Delete, which keeps a copy in Trash. Unknown
// ids are skipped.
func (s *Store) Purge(ctx context.Context, ids []int64) error {
	return s.purge(ctx, ids)
}

// trashOf returns the Trash folder of an account, creating it if needed.
func (s *Store) trashOf(ctx context.Context, account string) (*folderInfo, error) {
	s.foldersMu.RLock()
	var byName *folderInfo
	for _, fi := range s.byID {
		if fi.ref.Account != account {
			continue
		}
		if fi.role == RoleTrash {
			s.foldersMu.RUnlock()
			return fi, nil
		}
		if equalFold(fi.ref.Name, "Trash") {
			byName = fi
		}
	}
	s.foldersMu.RUnlock()
	ref := FolderRef{Account: account, Name: "Trash"}
	if byName != nil {
		ref = byName.ref
	}
	return s.ensureFolder(ctx, ref, RoleTrash)
}

// purge removes messages for good: file first, then index row.
func (s *Store) purge(ctx context.Context, ids []int64) error {
	return s.fileOp(ctx, ChangeRemoved, ids, func(b *batch, l location, t *touched) error {
		if err := os.Remove(l.path()); err != nil {
			return err // fs.ErrNotExist: eachFile looks for it
		}
		t.dir(l.folder, l.sub)
		t.changed(l.folder, l.id)
		return b.deleteRows([]int64{l.id})
	})
}

// touched collects the directories to sync and the messages changed per
// folder during a fileOp.
type touched struct {
	dirs map[dirKey]bool // paths made once, when they are synced
	ids  map[*folderInfo][]int64
}

func newTouched() *touched {
	return &touched{dirs: map[dirKey]bool{}, ids: map[*folderInfo][]int64{}}
}

func (t *touched) dir(fi *folderInfo, sub string) { t.dirs[dirKey{fi, sub}] = true }

// syncDirs syncs each directory touched; it returns the first error.
func (t *touched) syncDirs() error {
	var err error
	for d := range t.dirs {
		if serr := atomicfile.SyncDir(filepath.Join(d.folder.dir, d.sub)); err == nil {
			err = serr
		}
	}
	return err
}

func (t *touched) changed(fi *folderInfo, id int64) { t.ids[fi] = append(t.ids[fi], id) }

// fileOp runs op on each message under the file lock, in one index
// transaction: files first, then rows. A file that another program renamed
// is looked for by key; one that is gone is skipped (the next rescan drops
// its row).
func (s *Store) fileOp(ctx context.Context, kind ChangeKind, ids []int64,
	op func(b *batch, l location, t *touched) error) error {
	if len(ids) == 0 {
		return s.noWrite()
	}
	return s.filesTx(ctx, kind, func(b *batch, t *touched) error { return s.eachFile(ctx, b, ids, t, op) })
}

// noWrite is a write of no message: ErrReadOnly on a read-only store, as
// a write of some, and nothing done.
func (s *Store) noWrite() error {
	if err := s.enterWrite(); err != nil {
		return err
	}
	s.leave()
	return nil
}

// filesTx runs work on files under the file lock, in one index
// transaction, and ends it (endOp): fileOp's and renameOp's frame.
func (s *Store) filesTx(ctx context.Context, kind ChangeKind, work func(b *batch, t *touched) error) error {
	if err := s.enterWrite(); err != nil {
		return err
	}
	defer s.leave()
	s.fsMu.Lock()
	defer s.fsMu.Unlock()
	b, err := s.beginBatch(ctx)
	if err != nil {
		return err
	}
	t := newTouched()
	return s.endOp(b, t, kind, work(b, t))
}

// endOp ends a fileOp or renameOp that returned err: the directories
// touched synced, the transaction committed (what was done before an
// error stays done: files and rows agree), the changes published.
func (s *Store) endOp(b *batch, t *touched, kind ChangeKind, err error) error {
	if serr := t.syncDirs(); err == nil {
		err = serr
	}
	if _, cerr := b.commit(); err == nil {
		err = cerr
	}
	s.gen.Add(1)
	for fi, list := range t.ids {
		s.hub.publish(Change{Kind: kind, Folder: fi.ref, IDs: list})
	}
	return err
}

// eachFile locates each message and runs op on it. An op that finds no file
// (fs.ErrNotExist, and nothing done) is run again on the file that another
// program renamed, found by its key; a message whose file is gone is
// skipped. An error stops the loop; what was done before stays done (files
// and rows agree).
func (s *Store) eachFile(ctx context.Context, b *batch, ids []int64, t *touched,
	op func(b *batch, l location, t *touched) error) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), locateChunk)]
		ids = ids[len(chunk):]
		found, err := s.locateMany(ctx, b, chunk)
		if err != nil {
			return err
		}
		if err := s.eachFound(ctx, b, chunk, found, t, op); err != nil {
			return err
		}
		if err := b.flushFiles(); err != nil {
			return err
		}
	}
	return nil
}

// locateChunk is the number of messages located with one query.
const locateChunk = 1000

// eachFound runs op on each message of ids that locateMany found.
func (s *Store) eachFound(ctx context.Context, b *batch, ids []int64, found map[int64]location, t *touched,
	op func(b *batch, l location, t *touched) error) error {
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		l, ok := found[id]
		if !ok {
			continue
		}
		err := op(b, l, t)
		if errors.Is(err, fs.ErrNotExist) { // renamed by another program, or gone
			if l, err = s.refind(b, l); err != nil {
				continue
			}
			err = op(b, l, t)
		}
		if err != nil {
			return &MessageError{ID: id, Op: "update", Err: err}
		}
	}
	return nil
}

// refind looks for a file renamed by another program and records its name.
func (s *Store) refind(b *batch, l location) (location, error) {
	sub, name, err := findFile(l.folder.dir, l.name.Key)
	if err != nil {
		return l, err
	}
	l.sub, l.name = sub, parseFileName(name)
	return l, b.setFile(l.id, l.sub, l.name)
}
