package pop3

import (
	"bufio"
	"errors"
	"fmt"
	"io"
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
// their first download and the id of their copy in the store. On disk,
// one "UNIXTIME UID ID" line per message, appended and fsynced as messages
// are stored, rewritten compacted at the end of a session; a first line
// "index INDEXID" names the store's index the ids belong to
// (mailstore.Store.IndexID). Ids of another index (it was rebuilt), or of
// a file of an earlier version, are unknown: 0.
type seenState struct {
	path  string
	index string // the store's IndexID
	seen  map[string]seenMsg
	f     *os.File // append handle, opened on first add
}

// seenMsg is a collected message.
type seenMsg struct {
	at time.Time // first downloaded
	id int64     // its copy in the store; 0 when unknown
}

func (m seenMsg) line(uid string) string {
	return fmt.Sprintf("%d %s %d\n", m.at.Unix(), uid, m.id)
}

// statePath is DIR/pop3/ACCOUNT.uidl, the account name escaped.
func statePath(dir, acct string) string {
	return filepath.Join(dir, "pop3", url.PathEscape(acct)+".uidl")
}

func loadState(path, index string) (*seenState, error) {
	st := &seenState{path: path, index: index, seen: map[string]seenMsg{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	fileIndex := ""
	for sc.Scan() {
		var ts, id int64
		var uid string
		if idx, ok := strings.CutPrefix(sc.Text(), "index "); ok {
			fileIndex = idx
		} else if n, _ := fmt.Sscanf(sc.Text(), "%d %s %d", &ts, &uid, &id); n >= 2 {
			st.seen[uid] = seenMsg{at: time.Unix(ts, 0), id: id}
		}
	}
	if fileIndex != index || index == "" {
		for uid, m := range st.seen {
			m.id = 0
			st.seen[uid] = m
		}
	}
	return st, sc.Err()
}

// add records uid durably, with the id of its copy in the store.
func (st *seenState) add(uid string, m seenMsg) error {
	if st.f == nil {
		if err := os.MkdirAll(filepath.Dir(st.path), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(st.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		st.f = f
		if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
			io.WriteString(f, "index "+st.index+"\n")
		}
	}
	if _, err := io.WriteString(st.f, m.line(uid)); err != nil {
		return err
	}
	st.seen[uid] = m
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
	b.WriteString("index " + st.index + "\n")
	for _, uid := range uids {
		b.WriteString(st.seen[uid].line(uid))
	}
	return atomicfile.WriteFile(st.path, []byte(b.String()), 0o600)
}

func (st *seenState) close() {
	if st.f != nil {
		st.f.Close()
		st.f = nil
	}
}
