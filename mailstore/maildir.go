package mailstore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The Maildir subdirectories (https://cr.yp.to/proto/maildir.html).
const (
	subCur = "cur"
	subNew = "new"
	subTmp = "tmp"
)

// roleFile, in a folder's directory, keeps the folder's role so that a rebuilt
// index finds it again. Its leading dot keeps it apart from child folders,
// whose encoded names never start with a dot.
const roleFile = ".facteur-role"

// fileName is a Maildir file name split into its parts. Key+Info is the
// name on disk, whatever its separator; Flags and Extra are read from Info.
type fileName struct {
	Key   string // unique name, before the info separator
	Info  string // ":2,FS", "!2,S", or "" (files in new/)
	Flags Flags
	Extra string // info letters that are not standard flags, kept on renames
}

// parseFileName splits a Maildir file name. Both the ":2," separator and the
// "!2," one used where ':' is not allowed in file names are accepted.
func parseFileName(name string) fileName {
	i := strings.LastIndex(name, ":2,")
	if j := strings.LastIndex(name, "!2,"); i < 0 || j > i {
		i = j
	}
	if i < 0 {
		return fileName{Key: name}
	}
	return makeFileName(name[:i], name[i:])
}

// makeFileName returns the file name of key and info, flags read from info.
func makeFileName(key, info string) fileName {
	fn := fileName{Key: key, Info: info}
	if len(info) >= 3 {
		fn.Flags, fn.Extra = parseFlags(info[3:])
	}
	return fn
}

// infoSuffix returns the info part of a file name, separator included:
// ":2,FRS" (or "!2,FRS" on Windows). Extra letters are merged in ASCII order.
func infoSuffix(f Flags, extra string) string {
	letters := []byte(f.Maildir() + extra)
	for i := 1; i < len(letters); i++ { // insertion sort: a dozen letters at most
		for j := i; j > 0 && letters[j] < letters[j-1]; j-- {
			letters[j], letters[j-1] = letters[j-1], letters[j]
		}
	}
	return infoSeparator + "2," + string(letters)
}

// name returns the file name on disk.
func (n fileName) name() string { return n.Key + n.Info }

// withFlags returns the name of the file with other flags, in sub; extra
// letters are kept. A file in new/ without flags has no info.
func (n fileName) withFlags(f Flags, sub string) fileName {
	if sub == subNew && f == 0 && n.Extra == "" {
		return fileName{Key: n.Key}
	}
	return fileName{Key: n.Key, Info: infoSuffix(f, n.Extra), Flags: f, Extra: n.Extra}
}

var (
	keyCounter atomic.Uint64
	hostname   = sanitizeHost()
	pid        = os.Getpid()
)

// sanitizeHost returns the host name with the characters that would break a
// Maildir name replaced by octal escapes, as the Maildir specification asks.
func sanitizeHost() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	r := strings.NewReplacer("/", `\057`, ":", `\072`, "!", `\041`, ",", `\054`)
	return r.Replace(h)
}

// newKey returns a unique Maildir name: time.MusecPpidQnRrandom.host,S=size.
// The S= part is read by Dovecot and ignored by others.
func newKey(now time.Time, size int64) string {
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return fmt.Sprintf("%d.M%dP%dQ%dR%s.%s,S=%d", now.Unix(), now.Nanosecond()/1000,
		pid, keyCounter.Add(1), hex.EncodeToString(rnd[:]), hostname, size)
}

// keyTime reads the delivery time at the start of a Maildir key, if any.
func keyTime(key string) time.Time {
	end := strings.IndexByte(key, '.')
	if end <= 0 {
		return time.Time{}
	}
	sec, err := strconv.ParseInt(key[:end], 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// createMaildir makes dir and its cur, new and tmp subdirectories.
func createMaildir(dir string) error {
	for _, sub := range []string{subCur, subNew, subTmp} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	return nil
}

// isMaildir tells whether dir has the cur and new subdirectories.
func isMaildir(dir string) bool {
	for _, sub := range []string{subCur, subNew} {
		st, err := os.Stat(filepath.Join(dir, sub))
		if err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// deliver writes a message into the Maildir dir the safe way: a file in tmp/,
// written and fsynced, then renamed into sub (new or cur). The caller syncs the
// directory (atomicfile.SyncDir), possibly once for many files. reserve, if not nil, is
// called with the key before the file appears in sub. It returns the key and
// the file's size.
func deliver(dir, sub string, r io.Reader, flags Flags, now time.Time, reserve func(string)) (fileName, int64, error) {
	tmp, err := createTmp(dir, now)
	if err != nil {
		return fileName{}, 0, err
	}
	size, err := io.Copy(tmp, r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fileName{}, 0, err
	}
	fn := fileName{Key: newKey(now, size)}.withFlags(flags, sub)
	dst := filepath.Join(dir, sub, fn.name())
	if reserve != nil {
		reserve(fn.Key)
	}
	if err := renameNoReplace(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return fileName{}, 0, err
	}
	return fn, size, nil
}

// renameNoReplace renames oldPath to newPath, failing with fs.ErrExist when
// newPath exists (os.Rename would replace it and lose a message). A hard link
// gives that atomically; file systems without links fall back to a check.
func renameNoReplace(oldPath, newPath string) error {
	err := os.Link(oldPath, newPath)
	if err == nil {
		return os.Remove(oldPath)
	}
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(newPath); serr == nil {
		return &os.LinkError{Op: "rename", Old: oldPath, New: newPath, Err: fs.ErrExist}
	}
	return os.Rename(oldPath, newPath)
}

// listNames returns the names of the regular entries of dir, dot files left
// out. It does not stat the files: a rescan must stay cheap.
func listNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	out := names[:0]
	for _, n := range names {
		if n != "" && n[0] != '.' {
			out = append(out, n)
		}
	}
	return out, nil
}

// findFile looks for the file of key in cur/ then new/ of a Maildir, for when
// another program renamed it. It returns the subdirectory and file name.
func findFile(dir, key string) (sub, name string, err error) {
	for _, sub := range []string{subCur, subNew} {
		names, err := listNames(filepath.Join(dir, sub))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", "", err
		}
		for _, n := range names {
			if parseFileName(n).Key == key {
				return sub, n, nil
			}
		}
	}
	return "", "", fs.ErrNotExist
}
