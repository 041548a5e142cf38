package mailstore

import (
	"context"
	"encoding/json"
)

// threadSet is the set of the collapsed threads of a listing.
type threadSet map[int64]bool

func newThreadSet(ids []int64) threadSet {
	set := make(threadSet, len(ids))
	for _, t := range ids {
		set[t] = true
	}
	return set
}

// rows is the number of rows a thread takes in the listing.
func (set threadSet) rows(tc threadCount) int {
	if set[tc.thread] && tc.n > 0 {
		return 1
	}
	return tc.n
}

// threadCounts counts the messages of a thread and the unread ones.
func threadCounts(msgs []Summary) (size, unread int) {
	for _, m := range msgs {
		if m.Flags&FlagSeen == 0 {
			unread++
		}
	}
	return len(msgs), unread
}

// ListLength returns the number of rows of a listing of the folder with
// opt (its Offset and Limit aside): the messages of the folder, but for a
// threaded listing only one for each collapsed thread.
func (s *Store) ListLength(ctx context.Context, folder FolderRef, opt ListOptions) (int, error) {
	total, _, err := s.Count(ctx, folder)
	if err != nil || !opt.Threaded || len(opt.Collapsed) == 0 {
		return total, err
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	fi, err := s.folder(folder)
	if err != nil {
		return 0, err
	}
	js, _ := json.Marshal(opt.Collapsed)
	var hidden int
	err = s.ix.rdb.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT thread) FROM headers
		WHERE folder = ? AND thread IN (SELECT value FROM json_each(?))`, fi.id, string(js)).Scan(&hidden)
	return total - hidden, err
}
