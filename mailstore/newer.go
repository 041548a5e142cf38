package mailstore

import (
	"context"
	"errors"
)

// NewerThan returns the ids of a folder's messages whose id is above
// after, lowest first, at most limit (0 means DefaultLimit): the messages
// that came into the folder since a caller last looked, for the mail
// filters that run after a sync. Ids grow with each message the index
// adds; a message moved in keeps its id. LastID gives the mark to start
// from.
func (s *Store) NewerThan(ctx context.Context, folder FolderRef, after int64, limit int) ([]int64, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	fi, err := s.folder(folder)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	_, limit = pageOf(0, limit)
	return scanInt64s(s.ix.rdb.QueryContext(ctx, `SELECT id FROM state WHERE folder = ? AND id > ? ORDER BY id LIMIT ?`, fi.id, after, limit))
}

// LastID returns the highest message id of the whole store (0 when
// empty): a mark above every message there is now.
func (s *Store) LastID(ctx context.Context) (int64, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	var id int64
	err := s.ix.rdb.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM headers`).Scan(&id)
	return id, err
}
