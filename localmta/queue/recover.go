package queue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"facteur/internal/atomicfile"
)

// spoolNames are the files of one queue ID found in the directory.
type spoolNames struct {
	msg   bool // ID.msg, the queue file
	state bool // ID.json, a newer state (or the state of a version-1 spool)
}

// spoolDir is what a queue directory holds: the files of each queue ID,
// temporary files, spare files.
type spoolDir struct {
	ids    map[string]*spoolNames
	tmps   []string
	spares []string
}

// scanDir lists a queue directory.
func scanDir(dir string) (*spoolDir, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	sd := &spoolDir{ids: map[string]*spoolNames{}}
	for _, de := range ents {
		name := de.Name()
		switch {
		case strings.HasSuffix(name, ".tmp"):
			sd.tmps = append(sd.tmps, filepath.Join(dir, name))
		case strings.HasSuffix(name, spareExt):
			sd.spares = append(sd.spares, filepath.Join(dir, name))
		default:
			sd.add(name)
		}
	}
	return sd, nil
}

func (sd *spoolDir) add(name string) {
	id, ext, _ := strings.Cut(name, ".")
	if !ValidID(id) || (ext != "msg" && ext != "json") {
		return
	}
	n := sd.ids[id]
	if n == nil {
		n = &spoolNames{}
		sd.ids[id] = n
	}
	if ext == "msg" {
		n.msg = true
	} else {
		n.state = true
	}
}

// recover loads every complete message and removes the leftovers of a
// crash: temporary files, queue files without a valid trailer (never
// acknowledged), state files whose message is gone (removed before a
// crash). Spare files go back to the pool. A spool of version 1 (ID.msg holding only the message, ID.json
// the state) is migrated. Unreadable messages are moved aside into
// dir/corrupt. Every queue file is read whole, for its CRC.
func (q *Queue) recover(ctx context.Context) error {
	sd, err := scanDir(q.dir)
	if err != nil {
		return err
	}
	for _, p := range sd.tmps {
		os.Remove(p) // never renamed: never acknowledged
	}
	for _, p := range sd.spares {
		if q.spares.full() {
			os.Remove(p)
		} else {
			q.spares.put(p)
		}
	}
	for id, n := range sd.ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		q.recoverID(id, n)
	}
	return atomicfile.SyncDir(q.dir)
}

func (q *Queue) recoverID(id string, n *spoolNames) {
	if !n.msg {
		q.opt.Logger.Warn("queue: removing state file without message (removed before a crash)", "id", id)
		os.Remove(q.statePath(id))
		return
	}
	sf, err := openSpoolFile(q.msgPath(id), true)
	switch {
	case err == nil:
		sf.f.Close()
		q.recoverComplete(id, sf.msg, n.state)
	case errors.Is(err, ErrIncomplete) && n.state:
		q.migrate(id)
	case errors.Is(err, ErrIncomplete):
		q.opt.Logger.Warn("queue: removing half-written message (never acknowledged)", "id", id, "err", err)
		os.Remove(q.msgPath(id))
	default:
		q.quarantine(id, err)
	}
}

// recoverComplete loads a message whose queue file is complete, with the
// newer state of ID.json when there is one.
func (q *Queue) recoverComplete(id string, m *Message, hasState bool) {
	if m.ID != id {
		q.quarantine(id, fmt.Errorf("%w: id %q in %s.msg", ErrBadState, m.ID, id))
		return
	}
	stateFile := false
	if hasState {
		sm, err := readState(q.dir, id)
		switch {
		case err != nil:
			q.quarantine(id, err)
			return
		case sm.Version < stateVersion:
			// left by a migration that a crash interrupted: the
			// queue file has the same state
			os.Remove(q.statePath(id))
		default:
			sm.Size, m, stateFile = m.Size, sm, true
		}
	}
	q.msgs[id] = &entry{msg: *m, stateFile: stateFile}
}

// readState reads ID.json and checks that it names id.
func readState(dir, id string) (*Message, error) {
	data, err := os.ReadFile(statePath(dir, id))
	if err != nil {
		return nil, err
	}
	m, err := ParseState(data)
	if err == nil && m.ID != id {
		err = fmt.Errorf("%w: id %q in %s.json", ErrBadState, m.ID, id)
	}
	return m, err
}

// migrate rewrites a message of a version-1 spool (raw ID.msg, state in
// ID.json) as a queue file: written under a temporary name, fsync'd,
// renamed over ID.msg, then ID.json removed. A crash in between leaves
// either the old pair or a complete queue file beside a version-1 state,
// which recoverComplete removes.
func (q *Queue) migrate(id string) {
	m, err := readState(q.dir, id)
	if err == nil && m.Version >= stateVersion {
		err = fmt.Errorf("%w: %s.msg has no trailer", ErrIncomplete, id)
	}
	if err == nil {
		err = q.rewrite(m)
	}
	if err != nil {
		q.quarantine(id, err)
		return
	}
	os.Remove(q.statePath(id))
	q.msgs[id] = &entry{msg: *m}
	q.opt.Logger.Info("queue: message of an older spool migrated", "id", id)
}

// rewrite copies a raw message file into a queue file with m's state.
// ID.msg is closed before the temporary file is renamed over it: Windows
// refuses to replace a file that is open.
func (q *Queue) rewrite(m *Message) error {
	tmp := q.msgPath(m.ID) + ".migrate.tmp"
	err := q.writeMigrated(m, tmp)
	if err == nil {
		err = renameFile(tmp, q.msgPath(m.ID))
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// writeMigrated writes the queue file of m into tmp, fsync'd, from the
// raw ID.msg; both files are closed when it returns.
func (q *Queue) writeMigrated(m *Message, tmp string) error {
	src, err := os.Open(q.msgPath(m.ID))
	if err != nil {
		return err
	}
	defer src.Close()
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := newSpoolWriter(f)
	defer w.release()
	w.keep = false
	err = writeSpoolTo(w, m, src)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// renameFile is os.Rename; a test wraps it to check that no file is
// still open at the time of a rename (Windows refuses it).
var renameFile = os.Rename

// quarantine moves a broken message to dir/corrupt for a human to look at.
func (q *Queue) quarantine(id string, err error) {
	q.opt.Logger.Error("queue: moving unreadable message aside", "id", id, "err", err)
	bad := filepath.Join(q.dir, "corrupt")
	os.MkdirAll(bad, 0o700)
	renameFile(q.statePath(id), filepath.Join(bad, id+".json"))
	renameFile(q.msgPath(id), filepath.Join(bad, id+".msg"))
}

// ReadSpool lists the messages of a queue directory, oldest first, for
// mailq: it never writes, so it works whether an MTA runs on the
// directory or not. It reads the state of each queue file (ID.json when
// the state changed, else the file's trailer), without checking CRCs;
// files being written or removed meanwhile are skipped, and the ones it
// cannot read are reported to warn.
func ReadSpool(dir string, warn func(id string, err error)) ([]Message, error) {
	sd, err := scanDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Message
	for id, n := range sd.ids {
		m, err := readSpoolState(dir, id, n)
		switch {
		case err == nil:
			out = append(out, *m)
		case errors.Is(err, os.ErrNotExist), errors.Is(err, ErrIncomplete) && !n.state:
			// delivered, or not acknowledged yet
		default:
			warn(id, err)
		}
	}
	sortMessages(out)
	return out, nil
}

func readSpoolState(dir, id string, n *spoolNames) (*Message, error) {
	if !n.msg {
		return nil, os.ErrNotExist
	}
	if n.state {
		return readState(dir, id)
	}
	sf, err := openSpoolFile(msgPath(dir, id), false)
	if err != nil {
		return nil, err
	}
	sf.f.Close()
	if sf.msg.ID != id {
		return nil, os.ErrNotExist // renamed meanwhile
	}
	return sf.msg, nil
}
