package mailstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrHasChildren: a folder with sub-folders cannot be deleted (their
// Maildirs are inside its directory).
var ErrHasChildren = errors.New("mailstore: folder has sub-folders")

// RenameFolder renames a folder and its sub-folders within an account:
// the directory is renamed on disk (never over an existing one), then the
// index; messages keep their ids. The new name must be free, even but for
// case.
func (s *Store) RenameFolder(ctx context.Context, from, to FolderRef) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if err := validRef(to); err != nil {
		return err
	}
	if from.Account != to.Account {
		return &FolderError{Ref: to, Err: ErrBadFolder}
	}
	defer s.lockFolderOps()()
	fi, err := s.folder(from)
	if err != nil {
		return err
	}
	if _, err := s.folder(to); err == nil || s.foldClash(to) && !sameFold(from, to) {
		return &FolderError{Ref: to, Err: ErrFolderExists}
	}
	tree := s.subtree(from)
	dst := filepath.Join(s.mailDir, folderDir(to))
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	if err := renameDirNoReplace(fi.dir, dst); err != nil {
		return err
	}
	return s.renameRows(ctx, tree, from.Name, to.Name)
}

// lockFolderOps takes the locks of a change to the folders themselves (no
// folder created, no file renamed meanwhile) and returns their release.
func (s *Store) lockFolderOps() func() {
	s.createMu.Lock()
	s.fsMu.Lock()
	return func() {
		s.fsMu.Unlock()
		s.createMu.Unlock()
	}
}

// renameDirNoReplace renames a directory unless newPath exists.
func renameDirNoReplace(oldPath, newPath string) error {
	if _, err := os.Lstat(newPath); err == nil {
		return &os.LinkError{Op: "rename", Old: oldPath, New: newPath, Err: fs.ErrExist}
	}
	return os.Rename(oldPath, newPath)
}

// subtree returns a folder and its sub-folders.
func (s *Store) subtree(ref FolderRef) []*folderInfo {
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	var out []*folderInfo
	for r, fi := range s.byRef {
		if r.Account == ref.Account && (r.Name == ref.Name || strings.HasPrefix(r.Name, ref.Name+"/")) {
			out = append(out, fi)
		}
	}
	return out
}

// renameRows renames the folders of tree in the index and in memory.
func (s *Store) renameRows(ctx context.Context, tree []*folderInfo, from, to string) error {
	tx, err := s.ix.wdb.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, fi := range tree {
		name := to + strings.TrimPrefix(fi.ref.Name, from)
		if _, err := tx.Exec(`UPDATE folders SET name = ? WHERE id = ?`, name, fi.id); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.foldersMu.Lock()
	for _, fi := range tree {
		delete(s.byRef, fi.ref)
		fi.ref.Name = to + strings.TrimPrefix(fi.ref.Name, from)
		fi.dir = filepath.Join(s.mailDir, folderDir(fi.ref))
		s.byRef[fi.ref] = fi
	}
	s.foldersMu.Unlock()
	s.gen.Add(1)
	s.hub.publish(Change{Kind: ChangeReset})
	return nil
}

// DeleteFolder removes a folder and its messages for good: the Maildir
// directory first, then the index rows. A folder with sub-folders is
// refused with ErrHasChildren.
func (s *Store) DeleteFolder(ctx context.Context, ref FolderRef) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	defer s.lockFolderOps()()
	fi, err := s.folder(ref)
	if err != nil {
		return err
	}
	if len(s.subtree(ref)) > 1 {
		return &FolderError{Ref: ref, Err: ErrHasChildren}
	}
	if err := os.RemoveAll(fi.dir); err != nil {
		return err
	}
	var st RescanStats
	if err := s.dropFolder(ctx, fi, &st); err != nil {
		return err
	}
	s.gen.Add(1)
	s.hub.publish(Change{Kind: ChangeReset})
	return nil
}

// RescanFolder is Rescan for one folder: it picks up the files that
// other programs added, renamed or removed there.
func (s *Store) RescanFolder(ctx context.Context, ref FolderRef) (RescanStats, error) {
	if err := s.enter(); err != nil {
		return RescanStats{}, err
	}
	defer s.leave()
	s.rescanMu.Lock()
	defer s.rescanMu.Unlock()
	var st RescanStats
	fi, err := s.folder(ref)
	if err != nil {
		return st, err
	}
	jobs, err := s.rescanFolder(ctx, fi, &st)
	if err != nil {
		return st, err
	}
	return s.indexFound(ctx, jobs, st, ref, nil)
}

// indexFound ends a rescan: subscribers are told of the changes (a reset
// of folder, of everything for the zero FolderRef), then the new files
// are indexed.
func (s *Store) indexFound(ctx context.Context, jobs []*job, st RescanStats, folder FolderRef, progress func(Progress)) (RescanStats, error) {
	if len(jobs) > 0 || st.Removed > 0 || st.Renamed > 0 {
		s.gen.Add(1)
		s.hub.publish(Change{Kind: ChangeReset, Folder: folder})
	}
	ist, err := s.ingest(ctx, func(ctx context.Context, emit func(*job) bool) error {
		for _, j := range jobs {
			if !emit(j) {
				return ctx.Err()
			}
		}
		return nil
	}, ingestOptions{progress: func(done int, _ int64) {
		if progress != nil {
			progress(Progress{Done: done, Total: len(jobs)})
		}
	}})
	st.Added = ist.done
	return st, err
}

// FolderPath returns the Maildir directory of a folder, for watching it
// (its cur/ and new/ change when other programs deliver or rename).
func (s *Store) FolderPath(ref FolderRef) (string, error) {
	fi, err := s.folder(ref)
	if err != nil {
		return "", err
	}
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	return fi.dir, nil
}
