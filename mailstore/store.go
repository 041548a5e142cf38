package mailstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Store is an opened message store: Maildir folders under dir/mail and their
// index dir/index.sqlite. It is safe for concurrent use.
type Store struct {
	dir     string // profile directory
	mailDir string // dir/mail
	ix      *index

	fsMu     sync.Mutex // held while renaming Maildir files and while a rescan compares
	rescanMu sync.Mutex // one rescan at a time

	pendingMu sync.Mutex
	pending   map[pendingKey]struct{} // files written by an import, not yet indexed

	createMu  sync.Mutex   // one folder creation at a time
	foldersMu sync.RWMutex // guards byRef, byID and folderInfo.role
	byRef     map[FolderRef]*folderInfo
	byID      map[int64]*folderInfo

	gen     atomic.Uint64 // bumped on every index write
	threads threadCache

	hub *hub

	// flagLimits bound how long SetFlagsEach keeps the index (defaultFlagLimits)
	flagLimits streamLimits

	opsMu   sync.Mutex
	ops     int        // operations under way
	closing bool       // Close was called
	opsIdle *sync.Cond // signalled when ops drops to 0 while closing
}

type pendingKey struct {
	folder int64
	key    string
}

type folderInfo struct {
	id   int64
	ref  FolderRef
	role Role
	dir  string // absolute Maildir directory

	tmpChecked atomic.Bool // tmp/ was cleaned by this process (cleanTmpOnce)
}

// Open opens the store of the profile directory dir, creating it when needed.
// A missing or corrupt index is moved aside and rebuilt from the Maildir
// files, which may take a while for a big store (see OpenProgress). After an
// unclean shutdown, the index is checked and brought up to date (Rescan).
func Open(ctx context.Context, dir string) (*Store, error) {
	return OpenProgress(ctx, dir, nil)
}

// OpenProgress is Open reporting the progress of an index rebuild, if one is
// needed, to progress (which may be nil).
func OpenProgress(ctx context.Context, dir string, progress func(Progress)) (*Store, error) {
	s := newStore(dir)
	if err := os.MkdirAll(s.mailDir, 0o700); err != nil {
		return nil, err
	}
	ix, err := openIndexLocked(ctx, dir)
	if err := s.attach(ctx, ix, err); err != nil {
		return nil, err
	}
	if ix.rebuilt || ix.unclean {
		if _, err := s.Rescan(ctx, progress); err != nil {
			s.Close()
			return nil, fmt.Errorf("mailstore: rebuilding the index: %w", err)
		}
	}
	return s, nil
}

func newStore(dir string) *Store {
	return &Store{
		dir:     dir,
		mailDir: filepath.Join(dir, "mail"),
		pending: map[pendingKey]struct{}{},
		byRef:   map[FolderRef]*folderInfo{},
		byID:    map[int64]*folderInfo{},
		hub:     newHub(),

		flagLimits: defaultFlagLimits,
	}
}

// OpenReadOnly opens the store of the profile directory dir for reading:
// listing, searching, reading and exporting messages. It writes nothing
// (no lock file, no mark in the index, no rescan, no tmp/ clean-up), so
// it works on a full disk or a read-only file system; a change asked of
// it fails (ErrReadOnly, or SQLite's read-only error). The index must
// exist and be of the current version, else the error is
// ErrIndexNotReady and Open must be used. It does not see the changes
// other programs made to the Maildir files since the last rescan.
func OpenReadOnly(ctx context.Context, dir string) (*Store, error) {
	s := newStore(dir)
	ix, err := openIndexReadOnly(ctx, filepath.Join(dir, indexFile))
	if err := s.attach(ctx, ix, err); err != nil {
		return nil, err
	}
	return s, nil
}

// attach gives the store its opened index (or openErr, the error of its
// opening) and loads the folders.
func (s *Store) attach(ctx context.Context, ix *index, openErr error) error {
	if openErr != nil {
		return openErr
	}
	s.ix = ix
	if err := s.loadFolders(ctx); err != nil {
		ix.close()
		return err
	}
	return nil
}

// Close ends the subscriptions, waits for the operations under way (cancel
// their contexts to make that quick) and closes the index.
func (s *Store) Close() error {
	s.opsMu.Lock()
	if s.closing {
		s.opsMu.Unlock()
		return nil
	}
	s.closing = true
	s.opsIdle = sync.NewCond(&s.opsMu)
	for s.ops > 0 {
		s.opsIdle.Wait()
	}
	s.opsMu.Unlock()
	s.hub.close()
	return s.ix.close()
}

// enter starts an operation, or returns ErrClosed; leave ends it. Close
// waits for the operations under way.
func (s *Store) enter() error {
	s.opsMu.Lock()
	defer s.opsMu.Unlock()
	if s.closing {
		return ErrClosed
	}
	s.ops++
	return nil
}

// enterWrite is enter for the operations that change the store: a store
// opened with OpenReadOnly refuses them with ErrReadOnly.
func (s *Store) enterWrite() error {
	if s.ix.readOnly {
		return ErrReadOnly
	}
	return s.enter()
}

func (s *Store) leave() {
	s.opsMu.Lock()
	defer s.opsMu.Unlock()
	if s.ops--; s.ops == 0 && s.opsIdle != nil {
		s.opsIdle.Broadcast()
	}
}

// loadFolders reads the folders table into memory.
func (s *Store) loadFolders(ctx context.Context) error {
	rows, err := s.ix.wdb.QueryContext(ctx, `SELECT id, account, name, role FROM folders`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		fi := &folderInfo{}
		if err := rows.Scan(&fi.id, &fi.ref.Account, &fi.ref.Name, &fi.role); err != nil {
			return err
		}
		fi.dir = filepath.Join(s.mailDir, folderDir(fi.ref))
		s.byRef[fi.ref] = fi
		s.byID[fi.id] = fi
	}
	return rows.Err()
}

// folder returns the folder of ref, or a *FolderError wrapping ErrNotFound.
func (s *Store) folder(ref FolderRef) (*folderInfo, error) {
	s.foldersMu.RLock()
	fi := s.byRef[ref]
	s.foldersMu.RUnlock()
	if fi == nil {
		return nil, &FolderError{Ref: ref, Err: ErrNotFound}
	}
	return fi, nil
}

func (s *Store) folderByID(id int64) *folderInfo {
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	return s.byID[id]
}

// CreateFolder creates a folder (its Maildir directories and index row). It
// does nothing when the folder exists, except setting role when the folder
// had none. A different name that differs only by case is refused with
// ErrFolderExists, as case-insensitive file systems could not keep both.
func (s *Store) CreateFolder(ctx context.Context, ref FolderRef, role Role) error {
	_, err := s.ensureFolder(ctx, ref, role)
	return err
}

func (s *Store) ensureFolder(ctx context.Context, ref FolderRef, role Role) (*folderInfo, error) {
	if err := s.enterWrite(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := validRef(ref); err != nil {
		return nil, err
	}
	// createMu, not foldersMu, is held during the SQL write: a batch that
	// holds the write connection may need foldersMu to look a folder up.
	s.createMu.Lock()
	defer s.createMu.Unlock()
	if fi, err := s.folder(ref); err == nil {
		s.cleanTmpOnce(fi)
		return fi, s.setRole(ctx, fi, role)
	}
	if s.foldClash(ref) {
		return nil, &FolderError{Ref: ref, Err: ErrFolderExists}
	}
	fi := &folderInfo{ref: ref, role: role, dir: filepath.Join(s.mailDir, folderDir(ref))}
	if err := createMaildir(fi.dir); err != nil {
		return nil, err
	}
	if err := writeRole(fi.dir, role); err != nil {
		return nil, err
	}
	// Another process may have made the folder since this one loaded the
	// folders: its row is then taken as it is (with the role asked for, if any).
	var dbRole string
	err := s.ix.wdb.QueryRowContext(ctx, `INSERT INTO folders(account, name, role) VALUES(?, ?, ?)
		ON CONFLICT(account, name) DO UPDATE SET role = iif(excluded.role = '', role, excluded.role)
		RETURNING id, role`, ref.Account, ref.Name, string(role)).Scan(&fi.id, &dbRole)
	if err != nil {
		return nil, err
	}
	fi.role = Role(dbRole)
	s.foldersMu.Lock()
	s.byRef[ref], s.byID[fi.id] = fi, fi
	s.foldersMu.Unlock()
	s.hub.publish(Change{Kind: ChangeFolders, Folder: ref})
	return fi, nil
}

// foldClash tells whether another folder has the same name but for case.
func (s *Store) foldClash(ref FolderRef) bool {
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	for r := range s.byRef {
		if sameFold(r, ref) {
			return true
		}
	}
	return false
}

// setRole gives a folder a role, unless role is RoleNone. Called with createMu.
func (s *Store) setRole(ctx context.Context, fi *folderInfo, role Role) error {
	if role == RoleNone || s.roleOf(fi) == role {
		return nil
	}
	if _, err := s.ix.wdb.ExecContext(ctx, `UPDATE folders SET role = ? WHERE id = ?`, string(role), fi.id); err != nil {
		return err
	}
	s.foldersMu.Lock()
	fi.role = role
	s.foldersMu.Unlock()
	return writeRole(fi.dir, role)
}

func (s *Store) roleOf(fi *folderInfo) Role {
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	return fi.role
}

func sameFold(a, b FolderRef) bool {
	return equalFold(a.Account, b.Account) && equalFold(a.Name, b.Name) && a != b
}

// writeRole keeps the role in the folder's directory, for rebuilds.
func writeRole(dir string, role Role) error {
	if role == RoleNone {
		return nil
	}
	return os.WriteFile(filepath.Join(dir, roleFile), []byte(string(role)+"\n"), 0o600)
}

// Get returns the summary of one message, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Summary, error) {
	if err := s.enter(); err != nil {
		return Summary{}, err
	}
	defer s.leave()
	row := s.ix.rdb.QueryRowContext(ctx, `SELECT `+summaryCols+` FROM messages WHERE id = ?`, id)
	sum, err := s.scanSummary(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Summary{}, &MessageError{ID: id, Op: "get", Err: ErrNotFound}
	}
	return sum, err
}

// location is where a message file is.
type location struct {
	id     int64
	folder *folderInfo
	sub    string
	name   fileName
}

func (l location) path() string { return filepath.Join(l.dir(), l.name.name()) }

// dir is the directory of the message file (new/ or cur/ of its folder).
func (l location) dir() string { return filepath.Join(l.folder.dir, l.sub) }

// queryRower is *sql.DB or *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// locate reads where the file of message id is, per the index.
func (s *Store) locate(ctx context.Context, db queryRower, id int64) (location, error) {
	var folderID int64
	l := location{id: id}
	var key, info string
	err := db.QueryRowContext(ctx, `SELECT folder, sub, key, info FROM state WHERE id = ?`, id).
		Scan(&folderID, &l.sub, &key, &info)
	l.name = makeFileName(key, info)
	if errors.Is(err, sql.ErrNoRows) {
		return l, &MessageError{ID: id, Op: "locate", Err: ErrNotFound}
	}
	if err != nil {
		return l, err
	}
	if l.folder = s.folderByID(folderID); l.folder == nil {
		return l, &MessageError{ID: id, Op: "locate", Err: ErrNotFound}
	}
	return l, nil
}

// locateManyQuery is locateMany's, prepared once per batch. It answers
// one value, not a row per message: the id, folder, subdirectory, key and
// info of every message found, all joined by '/', which none of them
// holds (the last three are parts of a file name). Reading five columns
// of each row through the driver (a few calls into SQLite per column,
// each under its mutex) was half of what locating 10,000 messages cost.
const locateManyQuery = `SELECT group_concat(id || '/' || folder || '/' || sub || '/' || key || '/' || info, '/')
	FROM state WHERE id IN (SELECT value FROM json_each(?))`

// locateMany finds the files of several messages with one query in the
// batch's transaction; the messages it does not find are left out.
func (s *Store) locateMany(ctx context.Context, b *batch, ids []int64) (map[int64]location, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	st, err := b.stmt(locateManyQuery)
	if err != nil {
		return nil, err
	}
	var found sql.NullString
	if err := st.QueryRowContext(ctx, string(list)).Scan(&found); err != nil {
		return nil, err
	}
	out := make(map[int64]location, len(ids))
	for rest := found.String; rest != ""; {
		var f [5]string
		for i := range f {
			f[i], rest, _ = strings.Cut(rest, "/")
		}
		id, err1 := strconv.ParseInt(f[0], 10, 64)
		folderID, err2 := strconv.ParseInt(f[1], 10, 64)
		if err := cmp.Or(err1, err2); err != nil {
			return nil, fmt.Errorf("%w: a row of state reads %q", ErrCorruptIndex, strings.Join(f[:], "/"))
		}
		l := location{id: id, sub: f[2], name: makeFileName(f[3], f[4])}
		if l.folder = s.folderByID(folderID); l.folder != nil {
			out[l.id] = l
		}
	}
	return out, nil
}

// Path returns the path of the Maildir file of a message. Reading that file
// (or Open) is the one way to get a message's bytes.
func (s *Store) Path(ctx context.Context, id int64) (string, error) {
	if err := s.enter(); err != nil {
		return "", err
	}
	defer s.leave()
	l, err := s.locate(ctx, s.ix.rdb, id)
	if err != nil {
		return "", err
	}
	p := l.path()
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return s.relocate(ctx, l)
	}
	return p, nil
}

// relocate finds a file that another program renamed (flags changed, moved
// from new/ to cur/) and records its new name.
func (s *Store) relocate(ctx context.Context, l location) (string, error) {
	sub, name, err := findFile(l.folder.dir, l.name.Key)
	if errors.Is(err, fs.ErrNotExist) {
		return "", &MessageError{ID: l.id, Op: "open", Err: ErrNotFound}
	}
	if err != nil || s.ix.readOnly {
		return filepath.Join(l.folder.dir, sub, name), err
	}
	fn := parseFileName(name)
	_, err = s.ix.wdb.ExecContext(ctx, `UPDATE state SET sub = ?, flags = ?, info = ? WHERE id = ?`,
		sub, fn.Flags, fn.Info, l.id)
	return filepath.Join(l.folder.dir, sub, name), err
}

// Open returns the raw bytes of a message's Maildir file.
func (s *Store) Open(ctx context.Context, id int64) (io.ReadCloser, error) {
	p, err := s.Path(ctx, id)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// countQuery counts the messages and the unread messages of a folder,
// each from an index of state.
const countQuery = `SELECT (SELECT count(*) FROM state WHERE folder = ?1),
	(SELECT count(*) FROM state WHERE folder = ?1 AND ` + unreadTerm + `)`

// Count returns the number of messages and of unread messages of a folder.
func (s *Store) Count(ctx context.Context, ref FolderRef) (total, unread int, err error) {
	if err := s.enter(); err != nil {
		return 0, 0, err
	}
	defer s.leave()
	fi, err := s.folder(ref)
	if err != nil {
		return 0, 0, err
	}
	err = s.ix.rdb.QueryRowContext(ctx, countQuery, fi.id).Scan(&total, &unread)
	return total, unread, err
}

// ReleaseMemory hands back the memory that the index's page caches hold
// (the GUI calls it once its start-up rescan is done); they fill again as
// queries need them.
func (s *Store) ReleaseMemory(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	return s.ix.releaseMemory(ctx)
}
