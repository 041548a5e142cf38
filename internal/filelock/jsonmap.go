package filelock

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"facteur/internal/atomicfile"
)

// UpdateJSON reads the JSON object in path (a small state file that
// Facteur's processes share) under the lock path+".lock", lets f change
// it, and writes it back (internal/atomicfile: fsynced, renamed, private)
// when f reports a change. A missing file is an empty map; so is a broken one:
// such state is forgotten, not fatal.
func UpdateJSON[V any](ctx context.Context, path string, f func(map[string]V) bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	lock, err := Acquire(ctx, path+".lock", nil)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	all := map[string]V{}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		if json.Unmarshal(data, &all) != nil {
			all = map[string]V{}
		}
	}
	if !f(all) {
		return nil
	}
	out, err := json.Marshal(all)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, out, 0o600)
}
