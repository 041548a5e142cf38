package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
)

// UIDFile is the file of the UID index, beside the index in the profile
// directory. It is not part of the index: an index rebuilt from the
// Maildir files keeps the UIDs, which are tied to the files' unique names.
const UIDFile = "uids.sqlite"

// UIDIndex keeps the IMAP identity of the messages of a store (RFC 9051
// §2.3.1.1, RFC 3501 §2.3.1.1): per folder a UIDVALIDITY and the next
// UID, per message a UID. A message keeps its UID as long as its Maildir
// file keeps its unique name (the part before ":2,"), whoever renames it
// (flags changed by mutt, a rescan, an index rebuild). A message that
// leaves a folder loses its UID there, and one that comes back gets a new
// one, greater than every UID given before; UIDs are never reused. The
// UIDVALIDITY of a folder changes only when the folder is created again
// after Forget (an IMAP DELETE), or when the UID file is lost.
//
// The UIDs are given lazily, by Sync and Lookup, in order of arrival; a
// UIDIndex is safe for concurrent use, and several processes may share
// the file (SQLite transactions).
type UIDIndex struct {
	s  *Store
	db *sql.DB
	mu sync.Mutex // one assignment at a time in this process
}

// UIDMessage is one message of a folder as IMAP sees it.
type UIDMessage struct {
	UID     uint32
	ID      int64  // index id
	Key     string // Maildir unique name
	Flags   Flags
	Extra   string // info letters that are not standard flags (keywords)
	Size    int64  // bytes of the file
	Arrived time.Time
	// WireSize is the size of the message with CRLF line ends (RFC 9051
	// §2.3.4, RFC822.SIZE), 0 until SetWireSizes recorded it.
	WireSize int64
}

// UIDFolder is the IMAP view of a folder.
type UIDFolder struct {
	Validity uint32
	Next     uint32       // the UID the next message will get
	Messages []UIDMessage // ascending UIDs
}

var uidSchema = []string{
	`CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS folders(
		id INTEGER PRIMARY KEY,
		account TEXT NOT NULL,
		name TEXT NOT NULL,
		validity INTEGER NOT NULL,
		next INTEGER NOT NULL,
		UNIQUE(account, name))`,
	`CREATE TABLE IF NOT EXISTS uids(
		folder INTEGER NOT NULL,
		key TEXT NOT NULL,
		uid INTEGER NOT NULL,
		wire_size INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY(folder, key)) WITHOUT ROWID`,
	`CREATE UNIQUE INDEX IF NOT EXISTS uids_uid ON uids(folder, uid)`,
	`CREATE TABLE IF NOT EXISTS keywords(
		account TEXT NOT NULL,
		letter TEXT NOT NULL,
		name TEXT NOT NULL,
		PRIMARY KEY(account, letter),
		UNIQUE(account, name))`,
	`CREATE TABLE IF NOT EXISTS subscriptions(
		account TEXT NOT NULL,
		name TEXT NOT NULL,
		subscribed INTEGER NOT NULL,
		PRIMARY KEY(account, name)) WITHOUT ROWID`,
}

// OpenUIDIndex opens the UID index of s, creating it when needed.
func OpenUIDIndex(ctx context.Context, s *Store) (*UIDIndex, error) {
	db, err := sql.Open("sqlite", dsn(filepath.Join(s.dir, UIDFile), true))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	u := &UIDIndex{s: s, db: db}
	if err := u.create(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("mailstore: UID index: %w", err)
	}
	return u, nil
}

func (u *UIDIndex) create(ctx context.Context) error {
	tx, err := u.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range uidSchema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Close closes the UID index (not the store).
func (u *UIDIndex) Close() error { return u.db.Close() }

// fileRow is a message of a folder as the index knows it.
type fileRow struct {
	id, size, arrived int64
	key, info         string
}

func (u *UIDIndex) indexRows(ctx context.Context, fi *folderInfo, ids []int64) ([]fileRow, error) {
	q := `SELECT id, key, info, size, arrived FROM messages WHERE folder = ?`
	args := []any{fi.id}
	if ids != nil {
		q += ` AND id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonInts(ids))
	}
	rows, err := u.s.ix.rdb.QueryContext(ctx, q+` ORDER BY arrived, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fileRow
	for rows.Next() {
		var r fileRow
		if err := rows.Scan(&r.id, &r.key, &r.info, &r.size, &r.arrived); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func jsonInts(ids []int64) string {
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// Sync returns the IMAP view of a folder: every message of the folder in
// the index, with its UID. Messages without one get the next UIDs, in
// order of arrival; the UIDs of messages no longer in the folder are
// forgotten.
func (u *UIDIndex) Sync(ctx context.Context, ref FolderRef) (UIDFolder, error) {
	return u.view(ctx, ref, nil)
}

// Lookup is Sync for some messages only: those of ids that are in the
// folder, with their UIDs (given now when they have none, in the order of
// ids: COPYUID pairs them with their originals), in UID order. It
// forgets nothing.
func (u *UIDIndex) Lookup(ctx context.Context, ref FolderRef, ids []int64) (UIDFolder, error) {
	if ids == nil {
		ids = []int64{}
	}
	return u.view(ctx, ref, ids)
}

func (u *UIDIndex) view(ctx context.Context, ref FolderRef, ids []int64) (UIDFolder, error) {
	if err := u.s.enter(); err != nil {
		return UIDFolder{}, err
	}
	defer u.s.leave()
	fi, err := u.s.folder(ref)
	if err != nil {
		return UIDFolder{}, err
	}
	rows, err := u.indexRows(ctx, fi, ids)
	if err != nil {
		return UIDFolder{}, err
	}
	if ids != nil {
		pos := make(map[int64]int, len(ids))
		for i, id := range ids {
			pos[id] = i
		}
		sort.SliceStable(rows, func(i, j int) bool { return pos[rows[i].id] < pos[rows[j].id] })
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	tx, err := u.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return UIDFolder{}, err
	}
	defer tx.Rollback()
	f, err := u.assign(ctx, tx, ref, rows, ids == nil)
	if err != nil {
		return UIDFolder{}, err
	}
	return f, tx.Commit()
}

// uidState is a folder's row of the UID file.
type uidState struct {
	id             int64
	validity, next uint32
}

// folderState reads the state of a folder, creating it with a new
// UIDVALIDITY when it has none.
func folderState(ctx context.Context, tx *sql.Tx, ref FolderRef) (uidState, error) {
	var st uidState
	err := tx.QueryRowContext(ctx, `SELECT id, validity, next FROM folders WHERE account = ? AND name = ?`,
		ref.Account, ref.Name).Scan(&st.id, &st.validity, &st.next)
	if !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	if st.validity, err = newValidity(ctx, tx); err != nil {
		return st, err
	}
	st.next = 1
	res, err := tx.ExecContext(ctx, `INSERT INTO folders(account, name, validity, next) VALUES(?, ?, ?, 1)`,
		ref.Account, ref.Name, st.validity)
	if err != nil {
		return st, err
	}
	st.id, err = res.LastInsertId()
	return st, err
}

// newValidity returns a UIDVALIDITY never given before in this file: the
// time in seconds, or one more than the last one given.
func newValidity(ctx context.Context, tx *sql.Tx) (uint32, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'validity'`).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	v := max(time.Now().Unix()&0x7fffffff, last+1)
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES('validity', ?)`, v)
	return uint32(v), err
}

type uidRow struct {
	uid      uint32
	wireSize int64
}

func knownUIDs(ctx context.Context, tx *sql.Tx, folder int64) (map[string]uidRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, uid, wire_size FROM uids WHERE folder = ?`, folder)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]uidRow{}
	for rows.Next() {
		var key string
		var r uidRow
		if err := rows.Scan(&key, &r.uid, &r.wireSize); err != nil {
			return nil, err
		}
		out[key] = r
	}
	return out, rows.Err()
}

// assign gives UIDs to the rows that have none; with forget, the UIDs of
// keys not among rows are dropped.
func (u *UIDIndex) assign(ctx context.Context, tx *sql.Tx, ref FolderRef, rows []fileRow, forget bool) (UIDFolder, error) {
	st, err := folderState(ctx, tx, ref)
	if err != nil {
		return UIDFolder{}, err
	}
	known, err := knownUIDs(ctx, tx, st.id)
	if err != nil {
		return UIDFolder{}, err
	}
	f := UIDFolder{Validity: st.validity, Messages: make([]UIDMessage, 0, len(rows))}
	next := st.next
	for _, r := range rows {
		k, ok := known[r.key]
		if !ok {
			k = uidRow{uid: next}
			next++
			if _, err := tx.ExecContext(ctx, `INSERT INTO uids(folder, key, uid) VALUES(?, ?, ?)`, st.id, r.key, k.uid); err != nil {
				return UIDFolder{}, err
			}
		}
		delete(known, r.key)
		fn := makeFileName(r.key, r.info)
		f.Messages = append(f.Messages, UIDMessage{UID: k.uid, ID: r.id, Key: r.key, Flags: fn.Flags, Extra: fn.Extra,
			Size: r.size, Arrived: time.Unix(r.arrived, 0), WireSize: k.wireSize})
	}
	if forget {
		for key := range known {
			if _, err := tx.ExecContext(ctx, `DELETE FROM uids WHERE folder = ? AND key = ?`, st.id, key); err != nil {
				return UIDFolder{}, err
			}
		}
	}
	if next != st.next {
		if _, err := tx.ExecContext(ctx, `UPDATE folders SET next = ? WHERE id = ?`, next, st.id); err != nil {
			return UIDFolder{}, err
		}
	}
	f.Next = next
	sort.Slice(f.Messages, func(i, j int) bool { return f.Messages[i].UID < f.Messages[j].UID })
	return f, nil
}

// Drop forgets the UIDs of messages that left a folder (their keys), so
// that a message that comes back gets a new UID.
func (u *UIDIndex) Drop(ctx context.Context, ref FolderRef, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return u.write(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			_, err := tx.ExecContext(ctx, `DELETE FROM uids WHERE key = ? AND folder =
				(SELECT id FROM folders WHERE account = ? AND name = ?)`, k, ref.Account, ref.Name)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// SetWireSizes records the CRLF sizes of messages of a folder, by key.
func (u *UIDIndex) SetWireSizes(ctx context.Context, ref FolderRef, sizes map[string]int64) error {
	if len(sizes) == 0 {
		return nil
	}
	return u.write(ctx, func(tx *sql.Tx) error {
		for k, n := range sizes {
			_, err := tx.ExecContext(ctx, `UPDATE uids SET wire_size = ? WHERE key = ? AND folder =
				(SELECT id FROM folders WHERE account = ? AND name = ?)`, n, k, ref.Account, ref.Name)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Rename gives the UID state of folder from, and of its sub-folders, to
// the name to (an IMAP RENAME keeps UIDVALIDITY and UIDs). State already
// kept under the new names is dropped first.
func (u *UIDIndex) Rename(ctx context.Context, from, to FolderRef) error {
	return u.write(ctx, func(tx *sql.Tx) error {
		if err := forgetTree(ctx, tx, to); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE folders SET account = ?, name = ? || substr(name, length(?) + 1)
			WHERE account = ? AND (name = ? OR substr(name, 1, length(?)) = ?)`,
			to.Account, to.Name, from.Name, from.Account, from.Name, from.Name+"/", from.Name+"/")
		return err
	})
}

// Forget drops the UID state of a folder and of its sub-folders (an IMAP
// DELETE): a folder made again under one of these names gets a new
// UIDVALIDITY.
func (u *UIDIndex) Forget(ctx context.Context, ref FolderRef) error {
	return u.write(ctx, func(tx *sql.Tx) error { return forgetTree(ctx, tx, ref) })
}

func forgetTree(ctx context.Context, tx *sql.Tx, ref FolderRef) error {
	const which = `account = ? AND (name = ? OR substr(name, 1, length(?)) = ?)`
	args := []any{ref.Account, ref.Name, ref.Name + "/", ref.Name + "/"}
	if _, err := tx.ExecContext(ctx, `DELETE FROM uids WHERE folder IN (SELECT id FROM folders WHERE `+which+`)`, args...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM folders WHERE `+which, args...)
	return err
}

func (u *UIDIndex) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	tx, err := u.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
