package pop3

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"facteur/internal/atomicfile"
)

// seenState is the unique-ids collected from one account, with the time of
// their first download. On disk, one "UNIXTIME UID" line per message,
// appended and fsynced as messages are stored, rewritten compacted at the
// end of a session.
type seenState struct {
	path string
	seen map[string]time.Time
	f    *os.File // append handle, opened on first add
}

// statePath is DIR/pop3/ACCOUNT.uidl, the account name escaped.
func statePath(dir, acct string) string {
	return filepath.Join(dir, "pop3", url.PathEscape(acct)+".uidl")
}

func loadState(path string) (*seenState, error) {
	st := &seenState{path: path, seen: map[string]time.Time{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ts int64
		var uid string
		if n, _ := fmt.Sscanf(sc.Text(), "%d %s", &ts, &uid); n == 2 {
			st.seen[uid] = time.Unix(ts, 0)
		}
	}
	return st, sc.Err()
}

// add records uid durably.
func (st *seenState) add(uid string, at time.Time) error {
	if st.f == nil {
		if err := os.MkdirAll(filepath.Dir(st.path), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(st.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		st.f = f
	}
	if _, err := fmt.Fprintf(st.f, "%d %s\n", at.Unix(), uid); err != nil {
		return err
	}
	st.seen[uid] = at
	return st.f.Sync()
}

// compact rewrites the file with only the unique-ids still on the server
// (keep), so that the file does not grow forever.
func (st *seenState) compact(keep map[string]bool) error {
	st.close()
	var b strings.Builder
	uids := make([]string, 0, len(st.seen))
	for uid := range st.seen {
		if keep[uid] {
			uids = append(uids, uid)
		}
	}
	sort.Strings(uids)
	for _, uid := range uids {
		fmt.Fprintf(&b, "%d %s\n", st.seen[uid].Unix(), uid)
	}
	return atomicfile.WriteFile(st.path, []byte(b.String()), 0o600)
}

func (st *seenState) close() {
	if st.f != nil {
		st.f.Close()
		st.f = nil
	}
}
