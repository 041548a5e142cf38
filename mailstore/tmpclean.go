package mailstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tmpMaxAge is how long a file may stay in tmp/: "When you look through
// tmp/, you may see files that have not been accessed for 36 hours; you
// should delete them" (https://cr.yp.to/proto/maildir.html). Nothing
// writes a message for that long.
const tmpMaxAge = 36 * time.Hour

// started is when this process began: a tmp/ file of its PID written
// before then is a predecessor's that had the same PID.
var started = time.Now()

// createTmp creates a message file in the tmp/ directory of a Maildir,
// named "time.Ppid.host.random", so that a later process can tell when its
// writer is gone (tmpOrphan).
func createTmp(dir string, now time.Time) (*os.File, error) {
	return os.CreateTemp(filepath.Join(dir, subTmp), fmt.Sprintf("%d.P%d.%s.*", now.Unix(), pid, hostname))
}

// tmpWriter reads the time, PID and host from a name createTmp made.
func tmpWriter(name string) (sec int64, p int, host string, ok bool) {
	first, rest, ok1 := strings.Cut(name, ".P")
	ps, rest, ok2 := strings.Cut(rest, ".")
	i := strings.LastIndexByte(rest, '.')
	if !ok1 || !ok2 || i <= 0 {
		return 0, 0, "", false
	}
	var err1, err2 error
	sec, err1 = strconv.ParseInt(first, 10, 64)
	p, err2 = strconv.Atoi(ps)
	if err1 != nil || err2 != nil || p <= 0 {
		return 0, 0, "", false
	}
	return sec, p, rest[:i], true
}

// tmpOrphan tells whether a file of tmp/ was left by a Facteur process of
// this host that is gone (a crash, kill -9): its PID is dead, or is this
// process's and the file is older than this process.
func tmpOrphan(name string) bool {
	sec, p, host, ok := tmpWriter(name)
	if !ok || host != hostname {
		return false
	}
	if p == pid {
		return sec < started.Unix()
	}
	return !processAlive(p)
}

// cleanTmp removes the files of a Maildir's tmp/ whose writer is surely
// gone (tmpOrphan) and those older than tmpMaxAge, whoever wrote them. It
// returns how many it removed.
func cleanTmp(dir string, now time.Time) (int, error) {
	tmp := filepath.Join(dir, subTmp)
	names, err := listNames(tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		path := filepath.Join(tmp, name)
		if !tmpOrphan(name) {
			st, err := os.Lstat(path)
			if err != nil || !st.Mode().IsRegular() || now.Sub(st.ModTime()) < tmpMaxAge {
				continue
			}
		}
		if err := os.Remove(path); err == nil {
			n++
		}
	}
	return n, nil
}

// cleanTmpOnce cleans a folder's tmp/ the first time this process writes
// into the folder (the rescans clean every folder).
func (s *Store) cleanTmpOnce(fi *folderInfo) {
	if fi.tmpChecked.CompareAndSwap(false, true) {
		cleanTmp(fi.dir, time.Now())
	}
}
