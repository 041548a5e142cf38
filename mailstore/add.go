package mailstore

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"time"
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
	id, err := s.addBytes(ctx, fi, data, arrived, opt)
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
