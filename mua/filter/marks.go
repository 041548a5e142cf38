package filter

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
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
	if err := os.MkdirAll(filepath.Dir(m.path), 0o700); err != nil {
		return err
	}
	lock, err := filelock.Acquire(ctx, m.path+".lock", nil)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	all := map[string]int64{}
	data, err := os.ReadFile(m.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		if json.Unmarshal(data, &all) != nil {
			all = map[string]int64{}
		}
	}
	if !f(all) {
		return nil
	}
	out, err := json.Marshal(all)
	if err != nil {
		return err
	}
	tmp := m.path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, m.path)
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
