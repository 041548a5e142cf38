package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"facteur/internal/filelock"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// schemaVersion is kept in PRAGMA user_version. An index of version 3 to 7
// is migrated in place (migrations); one of another version is moved aside
// and rebuilt from the Maildir files.
const schemaVersion = 8

// indexFile is the name of the index in the profile directory.
const indexFile = "index.sqlite"

var schema = []string{
	`CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,
	`CREATE TABLE folders(
		id INTEGER PRIMARY KEY,
		account TEXT NOT NULL,
		name TEXT NOT NULL,
		role TEXT NOT NULL DEFAULT '',
		UNIQUE(account, name))`,
	// headers holds what a message's file says, written when it is
	// indexed; state (stateTable) what its flags change. The view messages
	// joins them for the queries that read messages.
	`CREATE TABLE headers(
		id INTEGER PRIMARY KEY,
		folder INTEGER NOT NULL,
		key TEXT NOT NULL,
		message_id TEXT NOT NULL,
		subject TEXT NOT NULL,
		subject_sort TEXT NOT NULL,
		sender_sort TEXT NOT NULL,
		addr_from TEXT NOT NULL,
		addr_to TEXT NOT NULL,
		addr_cc TEXT NOT NULL,
		date INTEGER NOT NULL,
		arrived INTEGER NOT NULL,
		size INTEGER NOT NULL,
		mtime INTEGER NOT NULL,
		attachment INTEGER NOT NULL,
		thread INTEGER NOT NULL,
		refs TEXT NOT NULL,
		mail_from TEXT,
		rcpt_to TEXT,
		env_recorded INTEGER NOT NULL DEFAULT 0,
		problem TEXT NOT NULL,
		partial INTEGER NOT NULL DEFAULT 0,
		hash BLOB)`,
	`CREATE UNIQUE INDEX messages_key ON headers(folder, key)`,
	`CREATE INDEX messages_date ON headers(folder, date, thread)`,
	`CREATE INDEX messages_sender ON headers(folder, sender_sort, date)`,
	`CREATE INDEX messages_subject ON headers(folder, subject_sort, date)`,
	`CREATE INDEX messages_alldate ON headers(date, thread)`,
	`CREATE INDEX messages_msgid ON headers(message_id) WHERE message_id <> ''`,
	`CREATE INDEX messages_thread ON headers(thread, folder)`,
	partialIndex,
	hashIndex,
	stateTable,
	stateFolderIndex,
	folderUnreadIndex,
	unreadIndex,
	flaggedIndex,
	stateCopies,
	stateDeleted,
	messagesView,
	answersTable,
	`CREATE TABLE refs(ref TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY(ref, id)) WITHOUT ROWID`,
	// Contentless FTS5 table (the text is in the Maildir files); rowid = messages.id.
	`CREATE VIRTUAL TABLE fts USING fts5(subject, addr_from, addr_to, addr_cc, body,
		content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
	// A bigger in-memory term buffer: fewer, larger segments while indexing.
	`INSERT INTO fts(fts, rank) VALUES('hashsize', 16777216)`,
	// Merge segments 8 at a time rather than 4: less rewriting while indexing.
	`INSERT INTO fts(fts, rank) VALUES('automerge', 8)`,
	fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion),
}

// dsn returns the connection string of the index with its pragmas. The index
// is only a cache of the Maildir files, so synchronous=NORMAL in WAL mode is
// enough: a crash loses at most the last transactions, never consistency.
func dsn(path string, writer bool) string {
	p := []string{
		"_pragma=busy_timeout(10000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=temp_store(MEMORY)",
		// No memory-mapped I/O: mapped pages of a large index count in the
		// resident size of the GUI, which holds a 100,000-message folder in
		// under 300 MB; the page caches below are bounded instead.
		"_pragma=mmap_size(0)",
	}
	if writer {
		// Checkpoint the WAL every 32 MiB rather than 4: pages rewritten in
		// between are copied once.
		p = append(p, "_pragma=cache_size(-65536)", "_pragma=wal_autocheckpoint(8192)", "_txlock=immediate")
	} else {
		// 4 MiB a reader, 16 MiB for the pool: a page a reader misses
		// is read from the system's file cache, which is not counted
		// in the window's RSS; BenchmarkListFirstPage, BenchmarkVirtual
		// and BenchmarkSearch measure the same with 16 MiB a reader.
		p = append(p, "_pragma=cache_size(-4096)")
	}
	return path + "?" + strings.Join(p, "&")
}

// readOnlyDSN opens the index with SQLITE_OPEN_READONLY (mode=ro) and
// refuses writes (query_only): the journal mode is left as it is (WAL),
// and SQLite reads a WAL index without growing its -shm file when that
// cannot be done (a full disk), from version 3.22.
func readOnlyDSN(path string) string {
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path), RawQuery: "mode=ro"}
	return u.String() + "&_pragma=busy_timeout(10000)&_pragma=temp_store(MEMORY)&_pragma=mmap_size(0)" +
		"&_pragma=cache_size(-16384)&_pragma=query_only(1)"
}

// index holds the two connection pools of the index: one connection for
// writes (SQLite has one writer at a time) and a few for reads, which WAL lets
// run alongside the writer.
type index struct {
	path     string
	wdb, rdb *sql.DB
	rebuilt  bool // created empty: the caller indexes the Maildir files
	unclean  bool // last session did not close the index
	readOnly bool // opened by openIndexReadOnly: nothing is written
}

// lockFile, in the profile directory, is held while a process opens the
// index: the creation of a new index, a migration and the move aside of a
// corrupt one happen in one process at a time (package
// facteur/internal/filelock; the system drops it if the process dies).
const lockFile = "index.lock"

// openIndexLocked is openIndex of the index of the profile dir under the
// profile's index lock, waiting while another process holds it.
func openIndexLocked(ctx context.Context, dir string) (*index, error) {
	l, err := filelock.Acquire(ctx, filepath.Join(dir, lockFile), nil)
	if err != nil {
		return nil, fmt.Errorf("mailstore: locking the index: %w", err)
	}
	defer l.Unlock()
	return openIndex(ctx, filepath.Join(dir, indexFile))
}

// openIndex opens or creates the index. An index that is not an SQLite file,
// has another schema version or fails its check is moved aside and a new one
// is created (rebuilt is then set).
func openIndex(ctx context.Context, path string) (*index, error) {
	ix, err := tryOpenIndex(ctx, path)
	if err == nil || !errors.Is(err, ErrCorruptIndex) {
		return ix, err
	}
	if err := moveAside(path); err != nil {
		return nil, err
	}
	return tryOpenIndex(ctx, path)
}

func tryOpenIndex(ctx context.Context, path string) (*index, error) {
	ix, err := newIndex(path, dsn(path, true), dsn(path, false))
	if err != nil {
		return nil, err
	}
	if err := ix.prepare(ctx); err != nil {
		ix.closeDBs()
		return nil, err
	}
	return ix, nil
}

// openIndexReadOnly opens an existing index of the current version for
// reading only: it is not marked as in use, not checked, migrated nor
// rebuilt, and both pools refuse writes (query_only), so that reading
// works on a full disk or a read-only file system. An index that is
// missing or of another version is ErrIndexNotReady.
func openIndexReadOnly(ctx context.Context, path string) (*index, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: no index yet", ErrIndexNotReady)
	}
	ix, version, err := tryReadOnly(ctx, path, "")
	if cannotMapWAL(err) && walEmpty(path) {
		// The WAL index (-shm) cannot be made (a full disk): with an
		// empty WAL the file alone is the whole index, read as immutable.
		ix, version, err = tryReadOnly(ctx, path, "&immutable=1")
	}
	if err != nil {
		return nil, classify(err)
	}
	if version != schemaVersion {
		ix.closeDBs()
		return nil, fmt.Errorf("%w: schema version %d, want %d", ErrIndexNotReady, version, schemaVersion)
	}
	return ix, nil
}

// tryReadOnly opens the index read-only, with more URI parameters, and
// reads its version.
func tryReadOnly(ctx context.Context, path, params string) (*index, int, error) {
	ix, err := newIndex(path, readOnlyDSN(path)+params, readOnlyDSN(path)+params)
	if err != nil {
		return nil, 0, err
	}
	ix.readOnly = true
	var version int
	if err := ix.wdb.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		ix.closeDBs()
		return nil, 0, err
	}
	return ix, version, nil
}

// cannotMapWAL tells SQLite's errors for a -shm file that cannot be
// created or grown.
func cannotMapWAL(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_IOERR || code == sqlite3.SQLITE_CANTOPEN
}

// walEmpty tells whether the index has no WAL content: no -wal file, or
// an empty one.
func walEmpty(path string) bool {
	st, err := os.Stat(path + "-wal")
	return errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0)
}

// maxReaders is the size of the pool of reading connections.
const maxReaders = 4

// newIndex makes the two connection pools; nothing is opened yet.
func newIndex(path, wdsn, rdsn string) (*index, error) {
	wdb, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	rdb, err := sql.Open("sqlite", rdsn)
	if err != nil {
		wdb.Close()
		return nil, err
	}
	rdb.SetMaxOpenConns(maxReaders)
	rdb.SetMaxIdleConns(maxReaders)
	return &index{path: path, wdb: wdb, rdb: rdb}, nil
}

func (ix *index) closeDBs() error {
	ix.rdb.Close()
	return ix.wdb.Close()
}

// prepare checks the schema, creating it in an empty file. The check and
// the creation are one immediate transaction, so that of two processes
// opening a new index at once, one creates it and the other finds it made.
func (ix *index) prepare(ctx context.Context) error {
	created, err := ix.createIfEmpty(ctx)
	if err != nil || created {
		return err
	}
	var version int
	if err := ix.wdb.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return classify(err)
	}
	if _, ok := migrations[version]; ok {
		if err := ix.migrate(ctx); err != nil {
			return err
		}
		version = schemaVersion
	}
	if version != schemaVersion {
		return fmt.Errorf("%w: schema version %d, want %d", ErrCorruptIndex, version, schemaVersion)
	}
	return ix.checkClean(ctx)
}

// checkClean runs a quick integrity check when the last session did not close
// the index, then marks the index as in use.
func (ix *index) checkClean(ctx context.Context) error {
	var clean string
	err := ix.wdb.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'clean'`).Scan(&clean)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return classify(err)
	}
	if clean != "1" {
		ix.unclean = true
		var res string
		if err := ix.wdb.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
			return classify(err)
		}
		if res != "ok" {
			return fmt.Errorf("%w: %s", ErrCorruptIndex, res)
		}
	}
	return ix.setClean(ctx, false)
}

func (ix *index) setClean(ctx context.Context, clean bool) error {
	v := "0"
	if clean {
		v = "1"
	}
	_, err := ix.wdb.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES('clean', ?)`, v)
	return classify(err)
}

// createIfEmpty creates the schema in a file without tables, in a write
// transaction that holds the lock from the check on. It tells whether it
// created it; a file with tables but no version is corrupt.
func (ix *index) createIfEmpty(ctx context.Context) (bool, error) {
	tx, err := ix.wdb.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
	if err != nil {
		return false, classify(err)
	}
	defer tx.Rollback()
	var version, n int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return false, classify(err)
	}
	if version != 0 {
		return false, nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return false, classify(err)
	}
	if n != 0 {
		return false, fmt.Errorf("%w: unknown tables", ErrCorruptIndex)
	}
	for _, stmt := range schema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("mailstore: creating index: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('clean', '0')`); err != nil {
		return false, err
	}
	ix.rebuilt = true
	return true, classify(tx.Commit())
}

func (ix *index) close() error {
	var err error
	if !ix.readOnly {
		err = ix.setClean(context.Background(), true)
	}
	if cerr := ix.closeDBs(); err == nil {
		err = cerr
	}
	return err
}

// classify turns SQLite's "not a database" and "corrupt" errors into
// ErrCorruptIndex.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %v", ErrCorruptIndex, err)
		}
	}
	return err
}

// moveAside renames a bad index (and its WAL files, which must not be applied
// to a new file) to index.sqlite.bad-TIME, so nothing is deleted.
func moveAside(path string) error {
	suffix := fmt.Sprintf(".bad-%d", time.Now().UnixNano())
	for _, ext := range []string{"", "-wal", "-shm"} {
		err := os.Rename(path+ext, path+suffix+ext)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("mailstore: moving the bad index aside: %w", err)
		}
	}
	return nil
}

// partialIndex finds the partial messages of a folder (PartialField).
const partialIndex = `CREATE INDEX messages_partial ON headers(folder) WHERE partial > 0`

// hashIndex finds a message of a folder by content (contentHash), so that
// an import skips what the folder already holds.
const hashIndex = `CREATE INDEX messages_hash ON headers(folder, hash)`

// stateTable holds what changes with a message's flags: the Maildir
// subdirectory of its file (sub), its flags and the info part of the
// file name. Apart from headers, a change of flags rewrites a row of
// a few dozen bytes rather than one of several hundred: a resync that
// changes the flags of 10,000 messages writes ~250 pages of the index
// instead of ~1,100. It keeps copies of the folder, key, date and
// thread of headers (stateCopies keeps them equal): with the key, a
// file is found (locate) from state alone; with the others, its
// indexes count the unread messages of a folder and list the unread
// and the flagged ones newest first without reading headers.
const stateTable = `CREATE TABLE state(
		id INTEGER PRIMARY KEY,
		folder INTEGER NOT NULL,
		key TEXT NOT NULL,
		date INTEGER NOT NULL,
		thread INTEGER NOT NULL,
		sub TEXT NOT NULL,
		flags INTEGER NOT NULL,
		info TEXT NOT NULL)`

// stateCopies and stateDeleted keep state in step with headers: the
// copies of folder, key, date and thread follow a move, a replacement
// or a merge of threads, and a message deleted from headers goes from
// state. A message is added to both by batch.insert.
const (
	stateCopies = `CREATE TRIGGER state_copies AFTER UPDATE OF folder, key, date, thread ON headers BEGIN
		UPDATE state SET folder = new.folder, key = new.key, date = new.date, thread = new.thread WHERE id = new.id;
	END`
	stateDeleted = `CREATE TRIGGER state_deleted AFTER DELETE ON headers BEGIN
		DELETE FROM state WHERE id = old.id;
	END`
)

// messagesView is what queries that read messages read: a row of
// headers with the sub, flags and info of its state. Its folder, date
// and thread are those of headers, so that a query on them uses the
// indexes of headers. Writes go to the tables.
const messagesView = `CREATE VIEW messages AS SELECT h.id AS id, h.folder AS folder, h.key AS key,
		s.sub AS sub, s.flags AS flags, s.info AS info, h.message_id AS message_id, h.subject AS subject,
		h.subject_sort AS subject_sort, h.sender_sort AS sender_sort, h.addr_from AS addr_from,
		h.addr_to AS addr_to, h.addr_cc AS addr_cc, h.date AS date, h.arrived AS arrived, h.size AS size,
		h.mtime AS mtime, h.attachment AS attachment, h.thread AS thread, h.refs AS refs,
		h.mail_from AS mail_from, h.rcpt_to AS rcpt_to, h.env_recorded AS env_recorded,
		h.problem AS problem, h.partial AS partial, h.hash AS hash
	FROM headers h JOIN state s ON s.id = h.id`

// stateFolderIndex and folderUnreadIndex count the messages and the
// unread messages of a folder from the indexes alone (Folders, Count).
// A change of flags leaves the first as it is, and the second holds
// only the unread messages. (folderUnreadIndex has the flags so that
// SQLite reads it alone: it checks the term of a partial index on the
// row otherwise.)
const (
	stateFolderIndex  = `CREATE INDEX state_folder ON state(folder)`
	folderUnreadIndex = `CREATE INDEX state_folder_unread ON state(folder, flags) WHERE ` + unreadTerm
)

// unreadIndex and flaggedIndex list the unread and the flagged messages
// of every folder newest first (ListVirtual), and count them, without
// reading the others. A query uses them when its WHERE has the same
// terms: unreadTerm, flaggedTerm (FlagSeen is 1, FlagFlagged 4).
const (
	unreadTerm   = `(flags & 1) = 0`
	flaggedTerm  = `(flags & 4) <> 0`
	unreadIndex  = `CREATE INDEX state_unread ON state(date, thread) WHERE ` + unreadTerm
	flaggedIndex = `CREATE INDEX state_flagged ON state(date, thread) WHERE ` + flaggedTerm
)

// The indexes of the virtual folders in versions 6 and 7, on messages.
const (
	oldUnreadIndex  = `CREATE INDEX messages_unread ON messages(date, thread) WHERE ` + unreadTerm
	oldFlaggedIndex = `CREATE INDEX messages_flagged ON messages(date, thread) WHERE ` + flaggedTerm
)

// migrations bring an index of an older version up to the next one, in
// place: ids, and with them the index id, stay. Up to version 7 the
// messages table was one table (headers today).
var migrations = map[int][]string{
	// 4 added the partial column: no file of a version 3 index is
	// partial, so the column's default is right.
	3: {`ALTER TABLE messages ADD COLUMN partial INTEGER NOT NULL DEFAULT 0`,
		`CREATE INDEX messages_partial ON messages(folder) WHERE partial > 0`},
	// 5 added the content hash: NULL for the messages already there,
	// computed when an import needs it (fillHashes).
	4: {`ALTER TABLE messages ADD COLUMN hash BLOB`, `CREATE INDEX messages_hash ON messages(folder, hash)`},
	// 6 added the indexes of the virtual folders All unread and All
	// flagged (virtual.go).
	5: {oldUnreadIndex, oldFlaggedIndex},
	// 7 added the answers to invitations (answers.go).
	6: {answersTable},
	// 8 moved sub, flags and info out of the messages table (renamed
	// headers) into state, and made messages a view of both.
	7: {
		`DROP INDEX messages_flags`, `DROP INDEX messages_unread`, `DROP INDEX messages_flagged`,
		`ALTER TABLE messages RENAME TO headers`,
		stateTable,
		`INSERT INTO state(id, folder, key, date, thread, sub, flags, info)
			SELECT id, folder, key, date, thread, sub, flags, info FROM headers`,
		`ALTER TABLE headers DROP COLUMN sub`, `ALTER TABLE headers DROP COLUMN flags`, `ALTER TABLE headers DROP COLUMN info`,
		stateFolderIndex, folderUnreadIndex, unreadIndex, flaggedIndex, stateCopies, stateDeleted, messagesView,
	},
}

// migrate brings the index to schemaVersion in one immediate transaction
// that reads the version again, so that of two processes that open an old
// index at once, one migrates and the other finds it done.
func (ix *index) migrate(ctx context.Context) error {
	tx, err := ix.wdb.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return classify(err)
	}
	for ; version < schemaVersion; version++ {
		stmts, ok := migrations[version]
		if !ok {
			return fmt.Errorf("%w: schema version %d, want %d", ErrCorruptIndex, version, schemaVersion)
		}
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("mailstore: migrating the index to version %d: %w", version+1, classify(err))
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return classify(err)
	}
	return classify(tx.Commit())
}

// releaseMemory hands back the page caches of the index's connections that
// are idle (sqlite3_db_release_memory, PRAGMA shrink_memory): the writer's,
// filled by a rescan of every folder, and those of the readers. The caches
// fill again as queries need them.
func (ix *index) releaseMemory(ctx context.Context) error {
	if _, err := ix.wdb.ExecContext(ctx, `PRAGMA shrink_memory`); err != nil {
		return err
	}
	// Take every reader connection at once, so that each one is shrunk:
	// one the window holds for a query is waited for.
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range maxReaders {
		c, err := ix.rdb.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if _, err := c.ExecContext(ctx, `PRAGMA shrink_memory`); err != nil {
			return err
		}
	}
	return nil
}
