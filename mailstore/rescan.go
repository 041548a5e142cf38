package mailstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Rescan brings the index up to date with the Maildir files that other
// programs changed (mutt adding a flag, Dovecot or an MDA delivering into
// new/, a file deleted). It compares directory listings with the index by
// unique key and touches only what differs: it opens no file but the new
// ones. Folders created on disk are added; folders whose directory is gone
// are dropped. The first rescan of a process also empties the tmp/
// directories of what crashed writers left (cleanTmp).
func (s *Store) Rescan(ctx context.Context, progress func(Progress)) (RescanStats, error) {
	if err := s.enterWrite(); err != nil {
		return RescanStats{}, err
	}
	defer s.leave()
	s.rescanMu.Lock()
	defer s.rescanMu.Unlock()
	var st RescanStats
	if err := s.discoverFolders(ctx); err != nil {
		return st, err
	}
	var jobs []*job
	for _, fi := range s.folderList() {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		fj, err := s.rescanFolder(ctx, fi, &st)
		if err != nil {
			return st, err
		}
		jobs = append(jobs, fj...)
	}
	return s.indexFound(ctx, jobs, st, FolderRef{}, progress)
}

func (s *Store) folderList() []*folderInfo {
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	out := make([]*folderInfo, 0, len(s.byID))
	for _, fi := range s.byID {
		out = append(out, fi)
	}
	return out
}

// diskEntry is a message file found in a listing.
type diskEntry struct {
	sub  string
	name fileName
}

// rescanFolder compares one folder with its index rows, applies the renames
// and removals, and returns the new files to index. The index is read before
// the directories are listed, so that a message an import commits meanwhile
// is never taken for a removed one.
func (s *Store) rescanFolder(ctx context.Context, fi *folderInfo, st *RescanStats) ([]*job, error) {
	s.fsMu.Lock()
	defer s.fsMu.Unlock()
	indexed, err := s.indexedFiles(ctx, fi)
	if err != nil {
		return nil, err
	}
	disk, err := listFolder(fi.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, s.dropFolder(ctx, fi, st)
	}
	if err != nil {
		return nil, err
	}
	if fi.tmpChecked.CompareAndSwap(false, true) {
		n, _ := cleanTmp(fi.dir, time.Now())
		st.Leftovers += n
	}
	var gone []int64
	var renamed []indexedFile
	for _, ix := range indexed {
		e, ok := disk[ix.name.Key]
		switch {
		case !ok:
			gone = append(gone, ix.id)
		case e != ix.diskEntry:
			renamed = append(renamed, indexedFile{ix.id, e})
		default:
			st.Unchanged++
		}
		delete(disk, ix.name.Key)
	}
	if err := s.applyRescan(ctx, renamed, gone); err != nil {
		return nil, err
	}
	st.Renamed += len(renamed)
	st.Removed += len(gone)
	return s.newJobs(fi, disk), nil
}

// indexedFile is a file as the index knows it.
type indexedFile struct {
	id int64
	diskEntry
}

func (s *Store) indexedFiles(ctx context.Context, fi *folderInfo) ([]indexedFile, error) {
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT id, key, sub, info FROM state WHERE folder = ?`, fi.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indexedFile
	for rows.Next() {
		var f indexedFile
		var key, info string
		if err := rows.Scan(&f.id, &key, &f.sub, &info); err != nil {
			return nil, err
		}
		f.name = makeFileName(key, info)
		out = append(out, f)
	}
	return out, rows.Err()
}

// applyRescan records renamed files and forgets removed ones.
func (s *Store) applyRescan(ctx context.Context, renamed []indexedFile, gone []int64) error {
	if len(renamed) == 0 && len(gone) == 0 {
		return nil
	}
	b, err := s.beginBatch(ctx)
	if err != nil {
		return err
	}
	for _, r := range renamed {
		if err := b.setFile(r.id, r.sub, r.name); err != nil {
			b.rollback()
			return err
		}
	}
	if err := b.deleteRows(gone); err != nil {
		b.rollback()
		return err
	}
	_, err = b.commit()
	return err
}

// newJobs turns the files left in a listing into jobs, except those an
// import is writing.
func (s *Store) newJobs(fi *folderInfo, disk map[string]diskEntry) []*job {
	var jobs []*job
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	for key, e := range disk {
		if _, busy := s.pending[pendingKey{fi.id, key}]; !busy {
			jobs = append(jobs, &job{folder: fi, sub: e.sub, name: e.name})
		}
	}
	return jobs
}

// listFolder lists cur/ and new/ of a Maildir by key.
func listFolder(dir string) (map[string]diskEntry, error) {
	out := map[string]diskEntry{}
	for _, sub := range []string{subNew, subCur} { // cur wins over a stale copy in new
		names, err := listNames(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			fn := parseFileName(n)
			out[fn.Key] = diskEntry{sub: sub, name: fn}
		}
	}
	return out, nil
}

// dropFolder forgets a folder whose directory was removed.
func (s *Store) dropFolder(ctx context.Context, fi *folderInfo, st *RescanStats) error {
	b, err := s.beginBatch(ctx)
	if err != nil {
		return err
	}
	ids, err := b.folderIDs(fi.id)
	if err == nil {
		err = b.deleteRows(ids)
	}
	if err == nil {
		_, err = b.tx.Exec(`DELETE FROM folders WHERE id = ?`, fi.id)
	}
	if err != nil {
		b.rollback()
		return err
	}
	if _, err := b.commit(); err != nil {
		return err
	}
	st.Removed += len(ids)
	s.foldersMu.Lock()
	delete(s.byID, fi.id)
	delete(s.byRef, fi.ref)
	s.foldersMu.Unlock()
	return nil
}

// discoverFolders adds to the index the Maildir folders found on disk.
func (s *Store) discoverFolders(ctx context.Context) error {
	accounts, err := os.ReadDir(s.mailDir)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if !a.IsDir() || strings.HasPrefix(a.Name(), ".") {
			continue
		}
		account := decodeLevel(a.Name())
		err := walkFolders(filepath.Join(s.mailDir, a.Name()), "", func(dir, name string) error {
			ref := FolderRef{Account: account, Name: name}
			if _, err := s.folder(ref); err == nil {
				return nil
			}
			_, err := s.ensureFolder(ctx, ref, readRole(dir, name))
			if errors.Is(err, ErrBadFolder) || errors.Is(err, ErrFolderExists) {
				return nil // a directory that is not one of ours
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// walkFolders calls fn for every Maildir below dir, with its decoded name.
func walkFolders(dir, prefix string, fn func(dir, name string) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || strings.HasPrefix(n, ".") || n == subCur || n == subNew || n == subTmp {
			continue
		}
		sub := filepath.Join(dir, n)
		name := prefix + decodeLevel(n)
		if isMaildir(sub) {
			if err := fn(sub, name); err != nil {
				return err
			}
		}
		if err := walkFolders(sub, name+"/", fn); err != nil {
			return err
		}
	}
	return nil
}

func readRole(dir, name string) Role {
	b, err := os.ReadFile(filepath.Join(dir, roleFile))
	if err == nil {
		if r := Role(strings.TrimSpace(string(b))); r != RoleNone {
			return r
		}
	}
	return RoleForName(name)
}
