package filter

import (
	"context"
	"path/filepath"

	"facteur/internal/filelock"
)

// marks are the highest message id filtered per account, in
// filters/marks.json, under a lock that Facteur's processes share.
type marks struct {
	path string
}

func marksOf(dir string) marks { return marks{path: filepath.Join(dir, "marks.json")} }

// update reads the marks under their lock and writes them back when f
// says they changed.
func (m marks) update(ctx context.Context, f func(map[string]int64) bool) error {
	return filelock.UpdateJSON(ctx, m.path, f)
}

// get returns an account's mark, and whether it has one.
func (m marks) get(ctx context.Context, acct string) (int64, bool, error) {
	var id int64
	var ok bool
	err := m.update(ctx, func(all map[string]int64) bool {
		id, ok = all[acct]
		return false
	})
	return id, ok, err
}

// set raises an account's mark to id (never lowers it).
func (m marks) set(ctx context.Context, acct string, id int64) error {
	return m.update(ctx, func(all map[string]int64) bool {
		if cur, ok := all[acct]; ok && cur >= id {
			return false
		}
		all[acct] = id
		return true
	})
}
