package mailstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
)

// ErrFolderNotEmpty: RemoveFolder was asked to remove a folder that holds
// messages.
var ErrFolderNotEmpty = errors.New("mailstore: folder not empty")

// RemoveFolder removes an empty folder: its Maildir directories, its role
// file, its directory when no sub-folder is left in it, and its index row.
// A folder that holds a message (indexed, or a file in cur/ or new/ that a
// rescan would index) is refused with ErrFolderNotEmpty; a folder that
// does not exist, with ErrNotFound. Subscribers get ChangeFolders.
func (s *Store) RemoveFolder(ctx context.Context, ref FolderRef) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	s.createMu.Lock()
	defer s.createMu.Unlock()
	fi, err := s.folder(ref)
	if err != nil {
		return err
	}
	var n int
	if err := s.ix.wdb.QueryRowContext(ctx, `SELECT count(*) FROM headers WHERE folder = ?`, fi.id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &FolderError{Ref: ref, Err: ErrFolderNotEmpty}
	}
	if err := removeMaildir(fi.dir); err != nil {
		if errors.Is(err, ErrFolderNotEmpty) {
			return &FolderError{Ref: ref, Err: err}
		}
		return err
	}
	if _, err := s.ix.wdb.ExecContext(ctx, `DELETE FROM folders WHERE id = ?`, fi.id); err != nil {
		return err
	}
	s.foldersMu.Lock()
	delete(s.byID, fi.id)
	delete(s.byRef, fi.ref)
	s.foldersMu.Unlock()
	s.hub.publish(Change{Kind: ChangeFolders, Folder: ref})
	return nil
}

// removeMaildir removes the empty Maildir dir: cur, new and tmp (left
// files in tmp/ are unfinished deliveries), the role file, and dir itself
// unless it holds sub-folders.
func removeMaildir(dir string) error {
	for _, sub := range []string{subCur, subNew} {
		names, err := listNames(filepath.Join(dir, sub))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if len(names) > 0 {
			return ErrFolderNotEmpty
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, subTmp)); err != nil {
		return err
	}
	for _, p := range []string{subCur, subNew, roleFile} {
		if err := os.Remove(filepath.Join(dir, p)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	os.Remove(dir) // fails, as it should, when sub-folders are left
	return nil
}
