package imapsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"facteur/internal/filelock"
	"facteur/mailstore"
)

const schema = `
CREATE TABLE IF NOT EXISTS folders(
	account TEXT NOT NULL, name TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL DEFAULT 0, modseq INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY(account, name));
CREATE TABLE IF NOT EXISTS fids(
	fid INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL, folder TEXT NOT NULL, UNIQUE(account, folder));
CREATE TABLE IF NOT EXISTS uidmap(
	fuid INTEGER PRIMARY KEY, -- fid << 32 | uid
	id INTEGER NOT NULL, flags INTEGER NOT NULL, keys TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS uidmap_id ON uidmap(id);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal(
	seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,
	op TEXT NOT NULL, folder TEXT NOT NULL, uid INTEGER NOT NULL,
	id INTEGER NOT NULL, addf INTEGER NOT NULL DEFAULT 0, delf INTEGER NOT NULL DEFAULT 0,
	dest TEXT NOT NULL DEFAULT '');
`

// The UID map is keyed by integers: fids numbers the folders of every
// account (AUTOINCREMENT: a number is never given twice, so that a row
// left by a forgotten folder cannot be taken for another's), and a row of
// uidmap is keyed by its folder's number and its UID, fuid = fid << 32 |
// uid. A folder's rows are one range of the table's rowid, read in UID
// order and written without an index of names (a resync of 10,000 flags
// updates 10,000 rows by rowid).

// State is the sync state of the IMAP accounts of a profile: per folder
// UIDVALIDITY, HIGHESTMODSEQ, UIDNEXT, the subscribed state and the UID
// map; the id of the store's index the maps were made with; the journal of
// local actions. Safe for concurrent use.
//
// The database is in WAL mode with synchronous=NORMAL: a commit is atomic
// and commits are kept in order, but after a power failure (not a crash of
// the program) the last ones may be lost. That is allowed for the folders,
// fids and uidmap tables, a cache of the server's state written after the
// mailstore change it describes: a lost UID row is the same as a crash
// before it was written (the next sync adopts the local copy by
// Message-ID, see fetchNew), a lost HIGHESTMODSEQ or flag row makes the
// next sync fetch and apply the flags again (idempotent). The journal is
// not a cache (a lost action would never reach the server, a lost removal
// would replay a COPY), so its writes commit with synchronous=FULL
// (durable), which also makes every earlier commit durable.
type State struct {
	db  *sql.DB
	dir string // DIR/imap
}

// OpenState opens (creating) DIR/imap/state.sqlite. It connects and
// creates the schema under DIR/imap/state.lock: two processes that switch
// a new database to WAL at once get SQLITE_BUSY, which no busy timeout
// covers.
func OpenState(ctx context.Context, dir string) (*State, error) {
	path := filepath.Join(dir, "imap", "state.sqlite")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	l, err := filelock.Acquire(ctx, filepath.Join(dir, "imap", "state.lock"), nil)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, err
	}
	if err := addColumns(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if err := migrateUIDs(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return &State{db: db, dir: filepath.Dir(path)}, nil
}

// Close closes the state database.
func (s *State) Close() error { return s.db.Close() }

// folderState is what the last complete sync of a folder saw on SELECT.
type folderState struct {
	UIDValidity uint32
	ModSeq      uint64 // HIGHESTMODSEQ (RFC 7162), 0 without CONDSTORE
	UIDNext     uint32 // every UID below was mapped; 0 when unknown
	// Revalidate is set while the messages are matched again after a
	// change of UIDVALIDITY, until the folder's sync completes.
	Revalidate bool
}

func (s *State) folder(ctx context.Context, ref mailstore.FolderRef) (folderState, error) {
	var fs folderState
	err := s.db.QueryRowContext(ctx, `SELECT uidvalidity, modseq, uidnext, revalidate FROM folders WHERE account=? AND name=?`,
		ref.Account, ref.Name).Scan(&fs.UIDValidity, &fs.ModSeq, &fs.UIDNext, &fs.Revalidate)
	if errors.Is(err, sql.ErrNoRows) {
		return fs, nil
	}
	return fs, err
}

func (s *State) setFolder(ctx context.Context, ref mailstore.FolderRef, fs folderState) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO folders(account, name, uidvalidity, modseq, uidnext, revalidate) VALUES(?,?,?,?,?,?)
		ON CONFLICT(account, name) DO UPDATE SET uidvalidity=excluded.uidvalidity, modseq=excluded.modseq,
		uidnext=excluded.uidnext, revalidate=excluded.revalidate`,
		ref.Account, ref.Name, fs.UIDValidity, int64(fs.ModSeq), fs.UIDNext, fs.Revalidate)
	return err
}

// startRevalidate drops the UID map of a folder and records its new
// UIDVALIDITY with the mark of a revalidation in progress, in one
// transaction (see revalidate).
func (s *State) startRevalidate(ctx context.Context, ref mailstore.FolderRef, validity uint32) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM uidmap WHERE `+inFolder, ref.Account, ref.Name); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE folders SET uidvalidity=?, modseq=0, uidnext=0, revalidate=1
		WHERE account=? AND name=?`, validity, ref.Account, ref.Name); err != nil {
		return err
	}
	return tx.Commit()
}

// mapping is one message known on both sides.
type mapping struct {
	UID   uint32
	ID    int64
	Flags mailstore.Flags
	Keys  string // the keywords on the server, a key set (keywords.go)
}

// inFolder is the condition on uidmap of the rows of one folder, ?1 its
// account and ?2 its name: the range of its fid (none when it has no fid).
const inFolder = `fuid BETWEEN (SELECT fid << 32 FROM fids WHERE account = ?1 AND folder = ?2)
	AND (SELECT fid << 32 | 0xffffffff FROM fids WHERE account = ?1 AND folder = ?2)`

// fid returns the number of a folder in the UID map, 0 (no folder's) when
// it has none; with create, a folder without one is given one.
func fid(ctx context.Context, tx *sql.Tx, ref mailstore.FolderRef, create bool) (int64, error) {
	if create {
		_, err := tx.ExecContext(ctx, `INSERT INTO fids(account, folder) VALUES(?, ?) ON CONFLICT DO NOTHING`, ref.Account, ref.Name)
		if err != nil {
			return 0, err
		}
	}
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT fid FROM fids WHERE account = ? AND folder = ?`, ref.Account, ref.Name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// fuid is the key in uidmap of a UID of the folder numbered fid.
func fuid(fid int64, uid uint32) int64 { return fid<<32 | int64(uid) }

// uidsQuery reads the UID map of a folder (inFolder) as one value, not a
// row per UID: each row's UID, id, flags and keywords, the first three
// followed by a space, the rows joined by newlines. A keyword is an IMAP
// atom (RFC 9051 §9), which holds neither (the key set joins them with
// spaces: it comes last). Reading four columns of 10,000 rows through the
// driver cost most of what reading the map did.
const uidsQuery = `SELECT group_concat((fuid & 0xffffffff) || ' ' || id || ' ' || flags || ' ' || keys, char(10))
	FROM uidmap WHERE ` + inFolder

// uids returns the UID map of a folder.
func (s *State) uids(ctx context.Context, ref mailstore.FolderRef) (map[uint32]mapping, error) {
	var all sql.NullString
	if err := s.db.QueryRowContext(ctx, uidsQuery, ref.Account, ref.Name).Scan(&all); err != nil {
		return nil, err
	}
	m := make(map[uint32]mapping, strings.Count(all.String, "\n")+1)
	for rest := all.String; rest != ""; {
		var row string
		row, rest, _ = strings.Cut(rest, "\n")
		mp, err := parseMapping(row)
		if err != nil {
			return nil, err
		}
		m[mp.UID] = mp
	}
	return m, nil
}

// parseMapping reads a row of uidsQuery.
func parseMapping(row string) (mapping, error) {
	uid, rest, ok1 := strings.Cut(row, " ")
	id, rest, ok2 := strings.Cut(rest, " ")
	flags, keys, ok3 := strings.Cut(rest, " ")
	u, err1 := strconv.ParseUint(uid, 10, 32)
	i, err2 := strconv.ParseInt(id, 10, 64)
	f, err3 := strconv.ParseUint(flags, 10, 8)
	if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil || err3 != nil {
		return mapping{}, fmt.Errorf("imapsync: a row of the UID map reads %q", row)
	}
	return mapping{UID: uint32(u), ID: i, Flags: mailstore.Flags(f), Keys: keys}, nil
}

// putUID writes the row of one UID.
func (s *State) putUID(ctx context.Context, ref mailstore.FolderRef, mp mapping) error {
	return s.putUIDs(ctx, ref, []mapping{mp})
}

// mapped returns the row of one UID of the UID map.
func (s *State) mapped(ctx context.Context, ref mailstore.FolderRef, uid uint32) (mapping, bool, error) {
	mp := mapping{UID: uid}
	err := s.db.QueryRowContext(ctx, `SELECT id, flags, keys FROM uidmap
		WHERE fuid = (SELECT fid << 32 FROM fids WHERE account = ? AND folder = ?) | ?`,
		ref.Account, ref.Name, uid).Scan(&mp.ID, &mp.Flags, &mp.Keys)
	if errors.Is(err, sql.ErrNoRows) {
		return mapping{}, false, nil
	}
	return mp, err == nil, err
}

// putUIDs writes the rows of a batch in one transaction, uidsPerInsert
// rows per statement; the folder is given a fid if it has none.
func (s *State) putUIDs(ctx context.Context, ref mailstore.FolderRef, mps []mapping) error {
	// an update in place rather than REPLACE's delete and insert
	return s.uidsTx(ctx, ref, true, mps, `INSERT INTO uidmap(fuid, id, flags, keys) VALUES `, `(?,?,?,?)`,
		` ON CONFLICT(fuid) DO UPDATE SET id = excluded.id, flags = excluded.flags, keys = excluded.keys`,
		func(args []any, fid int64, mp mapping) []any {
			return append(args, fuid(fid, mp.UID), mp.ID, mp.Flags, mp.Keys)
		})
}

// putFlags writes the flags of rows of the UID map that are there (a
// flag-only change: the UID keeps its message), like putUIDs but as an
// UPDATE of the flags alone: the uidmap_id index, whose column does not
// change, is not written (an upsert's DO UPDATE SET id = ... rewrites its
// entry even when the id is the same). A UID that has no row is skipped.
func (s *State) putFlags(ctx context.Context, ref mailstore.FolderRef, mps []mapping) error {
	if len(mps) == 0 {
		return nil
	}
	w, err := s.flagsWriter(ctx, ref)
	if err != nil {
		return err
	}
	return w.commitWith(ctx, mps)
}

// flagsWriter begins a putFlags whose rows come in parts (uidsWriter.put),
// for a resync that writes them while the store applies the changes, and
// commits once the store committed.
func (s *State) flagsWriter(ctx context.Context, ref mailstore.FolderRef) (*uidsWriter, error) {
	return s.beginUIDs(ctx, ref, false, flagsStmt)
}

// flagsStmt updates the flags of rows of the UID map (flagsWriter).
var flagsStmt = uidsStmt{`UPDATE uidmap SET flags = v.column2 FROM (VALUES `, `(?,?)`,
	`) AS v WHERE uidmap.fuid = v.column1`,
	func(args []any, fid int64, mp mapping) []any { return append(args, fuid(fid, mp.UID), mp.Flags) }}

// putKeys writes the keywords of rows of the UID map, as putFlags the
// flags: apart, so that a flag-only resync writes what it wrote before
// keywords were kept, and the few rows whose keywords changed come after.
func (s *State) putKeys(ctx context.Context, ref mailstore.FolderRef, mps []mapping) error {
	return s.uidsTx(ctx, ref, false, mps, `UPDATE uidmap SET keys = v.column2 FROM (VALUES `, `(?,?)`,
		`) AS v WHERE uidmap.fuid = v.column1`,
		func(args []any, fid int64, mp mapping) []any { return append(args, fuid(fid, mp.UID), mp.Keys) })
}

// uidsTx runs, in one transaction, one statement per uidsPerInsert rows
// of mps: head, one placeholder tuple per row (its values appended by
// add), tail; with create, the folder is given a fid if it has none.
func (s *State) uidsTx(ctx context.Context, ref mailstore.FolderRef, create bool, mps []mapping, head, tuple, tail string,
	add func(args []any, fid int64, mp mapping) []any) error {
	if len(mps) == 0 {
		return nil
	}
	w, err := s.beginUIDs(ctx, ref, create, uidsStmt{head, tuple, tail, add})
	if err != nil {
		return err
	}
	return w.commitWith(ctx, mps)
}

// uidsStmt is a statement over rows of the UID map: head, one placeholder
// tuple per row (its values appended by add, given the folder's fid),
// tail.
type uidsStmt struct {
	head, tuple, tail string
	add               func(args []any, fid int64, mp mapping) []any
}

// uidsWriter runs a uidsStmt over rows given in parts, in one
// transaction: a statement per uidsPerInsert rows, that of a full chunk
// prepared once (the text of 2,000 tuples costs more to parse than to
// run).
type uidsWriter struct {
	tx   *sql.Tx
	fid  int64 // 0 for a folder without one: its rows are none
	st   uidsStmt
	full *sql.Stmt // the statement of uidsPerInsert rows, at its first use
	rows []mapping // not yet written
	args []any
}

// beginUIDs begins a uidsWriter on the rows of ref; with create, the
// folder is given a fid if it has none.
func (s *State) beginUIDs(ctx context.Context, ref mailstore.FolderRef, create bool, st uidsStmt) (*uidsWriter, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	n, err := fid(ctx, tx, ref, create)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return &uidsWriter{tx: tx, fid: n, st: st}, nil
}

// put writes rows, keeping those short of a full chunk for later.
func (w *uidsWriter) put(ctx context.Context, rows []mapping) error {
	w.rows = append(w.rows, rows...)
	for len(w.rows) >= uidsPerInsert {
		if w.full == nil {
			st, err := w.tx.PrepareContext(ctx, w.text(uidsPerInsert))
			if err != nil {
				return err
			}
			w.full = st
		}
		if _, err := w.full.ExecContext(ctx, w.values(w.rows[:uidsPerInsert])...); err != nil {
			return err
		}
		w.rows = w.rows[uidsPerInsert:]
	}
	return nil
}

// commitWith writes rows and those kept, and commits; after an error,
// nothing is written.
func (w *uidsWriter) commitWith(ctx context.Context, rows []mapping) error {
	defer w.tx.Rollback()
	if err := w.put(ctx, rows); err != nil {
		return err
	}
	if len(w.rows) > 0 {
		if _, err := w.tx.ExecContext(ctx, w.text(len(w.rows)), w.values(w.rows)...); err != nil {
			return err
		}
	}
	return w.tx.Commit()
}

// rollback ends the transaction, nothing written.
func (w *uidsWriter) rollback() { w.tx.Rollback() }

// text is the statement's text for n rows.
func (w *uidsWriter) text(n int) string {
	var q strings.Builder
	q.WriteString(w.st.head)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(w.st.tuple)
	}
	q.WriteString(w.st.tail)
	return q.String()
}

// values are the statement's arguments for rows.
func (w *uidsWriter) values(rows []mapping) []any {
	w.args = w.args[:0]
	for _, mp := range rows {
		w.args = w.st.add(w.args, w.fid, mp)
	}
	return w.args
}

// uidsPerInsert keeps a statement under SQLite's limit of 32766 variables.
const uidsPerInsert = 2000

// dropUIDs removes the rows of several UIDs in one transaction.
func (s *State) dropUIDs(ctx context.Context, ref mailstore.FolderRef, uids []uint32) error {
	if len(uids) == 0 {
		return nil
	}
	return s.inTx(ctx, `DELETE FROM uidmap WHERE fuid = ?`, func(tx *sql.Tx, st *sql.Stmt) error {
		n, err := fid(ctx, tx, ref, false)
		if err != nil || n == 0 {
			return err
		}
		for _, uid := range uids {
			if _, err := st.ExecContext(ctx, fuid(n, uid)); err != nil {
				return err
			}
		}
		return nil
	})
}

// inTx runs f with the statement query prepared in one transaction.
func (s *State) inTx(ctx context.Context, query string, f func(*sql.Tx, *sql.Stmt) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := f(tx, st); err != nil {
		return err
	}
	return tx.Commit()
}

// durable runs one statement committed with synchronous=FULL (see State).
func (s *State) durable(ctx context.Context, query string, args ...any) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous=FULL`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, query, args...)
	// back to NORMAL; should that fail, the connection stays FULL: slower, as safe
	conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous=NORMAL`)
	return err
}

func (s *State) dropUID(ctx context.Context, ref mailstore.FolderRef, uid uint32) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM uidmap
		WHERE fuid = (SELECT fid << 32 FROM fids WHERE account = ? AND folder = ?) | ?`, ref.Account, ref.Name, uid)
	return err
}

// byIDQuery is byID's: the folder and the row of a local id (?1) in an
// account (?2).
const byIDQuery = `SELECT f.folder, m.fuid & 0xffffffff, m.id, m.flags, m.keys
	FROM uidmap m JOIN fids f ON f.fid = m.fuid >> 32 WHERE m.id = ? AND f.account = ?`

// byID finds the server side of a local message.
func (s *State) byID(ctx context.Context, account string, id int64) (string, mapping, bool, error) {
	var folder string
	var mp mapping
	err := s.db.QueryRowContext(ctx, byIDQuery, id, account).
		Scan(&folder, &mp.UID, &mp.ID, &mp.Flags, &mp.Keys)
	if errors.Is(err, sql.ErrNoRows) {
		return "", mp, false, nil
	}
	return folder, mp, err == nil, err
}

// mappedIDs is the set of local ids mapped in a folder.
func (s *State) mappedIDs(ctx context.Context, ref mailstore.FolderRef) (map[int64]bool, error) {
	m, err := s.uids(ctx, ref)
	if err != nil {
		return nil, err
	}
	ids := make(map[int64]bool, len(m))
	for _, mp := range m {
		ids[mp.ID] = true
	}
	return ids, nil
}

// lockAccount takes the lock that keeps two syncs of one account from
// running at once, in this process or another (the app and `facteur
// sync`): they would both download the same new messages. It waits while
// another sync holds it, telling waiting once.
func (s *State) lockAccount(ctx context.Context, account string, waiting func()) (*filelock.Lock, error) {
	return filelock.Acquire(ctx, filepath.Join(s.dir, url.PathEscape(account)+".lock"), waiting)
}
