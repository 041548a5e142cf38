// Package atomicfile replaces files whole: the data goes to a temporary
// file in the same directory, fsynced, then renamed over the path, and the
// directory is fsynced, so that a reader (or a crash) sees the old file or
// the new one, never a part of it. A file of mode 0600 (or narrower) is
// private on Windows too: it is born with a DACL that lets only its owner
// in (Windows ignores the mode bits).
package atomicfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically with the permissions perm,
// creating the directory (mode 0700) when it is missing. On Windows, a perm
// that gives nothing to group and others makes the file owner-only (its
// DACL, set when the temporary file is created: never readable by others,
// not even for a moment).
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write is WriteFile for data that fill writes: a failure of fill leaves
// path as it was, and no temporary file behind.
func Write(path string, perm fs.FileMode, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := createTemp(dir, "."+filepath.Base(path)+".tmp", perm)
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := finish(f, perm, fill); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	SyncDir(dir) // the file is whole either way; a failure here is rare and harmless
	return nil
}

// finish fills f, gives it perm, fsyncs and closes it.
func finish(f *os.File, perm fs.FileMode, fill func(io.Writer) error) error {
	err := fill(f)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
