package mailstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// batchSize is the number of rows written per transaction when indexing many
// messages: large enough to make SQLite fast, small enough that a flag change
// from the GUI never waits long.
const batchSize = 1000

// batch is one write transaction of the index with its prepared statements.
type batch struct {
	tx     *sql.Tx
	lastID int64
	// prepared holds the statements the batch ran, by their text: each is
	// prepared at its first use (stmt), once per transaction; a batch
	// that only changes flags prepares none of the inserts'
	prepared map[string]*sql.Stmt
	files    []nameRow     // setFile's rows not yet written (flushFiles)
	fileAt   map[int64]int // the index in files of a message's row
	args     []any         // flushFiles' arguments, kept for the next
	rows     int
	added    map[*folderInfo][]int64
}

// The statements of batch.insert.
const (
	insMsgQuery = `INSERT INTO headers(id, folder, key, message_id, subject,
		subject_sort, sender_sort, addr_from, addr_to, addr_cc, date, arrived, size, mtime,
		attachment, thread, refs, mail_from, rcpt_to, env_recorded, problem, partial, hash)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(folder, key) DO UPDATE SET mail_from = coalesce(excluded.mail_from, mail_from),
			rcpt_to = coalesce(excluded.rcpt_to, rcpt_to), env_recorded = max(env_recorded, excluded.env_recorded)
		RETURNING id`
	insStateQuery = `INSERT INTO state(id, folder, key, date, thread, sub, flags, info) VALUES(?,?,?,?,?,?,?,?)`
	insFTSQuery   = `INSERT INTO fts(rowid, subject, addr_from, addr_to, addr_cc, body) VALUES(?,?,?,?,?,?)`
	insRefQuery   = `INSERT OR IGNORE INTO refs(ref, id) VALUES(?, ?)`
	threadsQuery  = `SELECT thread FROM headers
		WHERE message_id <> '' AND message_id IN (SELECT value FROM json_each(?1))
		UNION SELECT m.thread FROM refs r JOIN headers m ON m.id = r.id
		WHERE r.ref IN (SELECT value FROM json_each(?1))`
)

// stmt returns the statement of q, prepared in the batch's transaction at
// its first use.
func (b *batch) stmt(q string) (*sql.Stmt, error) {
	if st, ok := b.prepared[q]; ok {
		return st, nil
	}
	st, err := b.tx.Prepare(q)
	if err != nil {
		return nil, err
	}
	if b.prepared == nil {
		b.prepared = map[string]*sql.Stmt{}
	}
	b.prepared[q] = st
	return st, nil
}

// beginBatch opens a write transaction. Writes are never cancelled halfway:
// the caller decides between batches, so ctx only bounds the wait for the lock.
func (s *Store) beginBatch(ctx context.Context) (*batch, error) {
	tx, err := s.ix.wdb.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, err
	}
	b := &batch{tx: tx, added: map[*folderInfo][]int64{}}
	if err := b.prepare(); err != nil {
		tx.Rollback()
		return nil, err
	}
	return b, nil
}

func (b *batch) prepare() error {
	var v string
	err := b.tx.QueryRow(`SELECT value FROM meta WHERE key = 'last_id'`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	b.lastID, _ = strconv.ParseInt(v, 10, 64)
	var maxID int64
	if err := b.tx.QueryRow(`SELECT coalesce(max(id), 0) FROM headers`).Scan(&maxID); err != nil {
		return err
	}
	b.lastID = max(b.lastID, maxID)
	return nil
}

// commit writes last_id and commits; it returns the ids added per folder.
func (b *batch) commit() (map[*folderInfo][]int64, error) {
	if err := b.flushFiles(); err != nil {
		b.tx.Rollback()
		return nil, err
	}
	if _, err := b.tx.Exec(`INSERT OR REPLACE INTO meta(key, value) VALUES('last_id', ?)`,
		strconv.FormatInt(b.lastID, 10)); err != nil {
		b.tx.Rollback()
		return nil, err
	}
	return b.added, b.tx.Commit()
}

func (b *batch) rollback() { b.tx.Rollback() }

// insert adds one row to the index and gives it its id and thread.
func (b *batch) insert(r *row) error {
	b.lastID++
	r.id = b.lastID
	th, err := b.thread(r)
	if err != nil {
		return err
	}
	var mailFrom, rcptTo sql.NullString
	recorded := false
	if r.envelope != nil {
		mailFrom = sql.NullString{String: r.envelope.MailFrom, Valid: true}
		rcptTo = sql.NullString{String: strings.Join(r.envelope.RcptTo, "\n"), Valid: true}
		recorded = r.envelope.Recorded
	}
	ins, err := b.stmt(insMsgQuery)
	if err != nil {
		return err
	}
	var id int64
	err = ins.QueryRow(r.id, r.folder.id, r.name.Key, r.messageID, r.subject, subjectSort(r.subject), senderSort(r.from),
		encodeAddrs(r.from), encodeAddrs(r.to), encodeAddrs(r.cc), r.date, r.arrived, r.size,
		r.mtime, r.attachment, th, strings.Join(r.refs, " "), mailFrom, rcptTo, recorded, r.problem, r.partial, r.hash).Scan(&id)
	if err != nil {
		return err
	}
	if id != r.id {
		// Indexed meanwhile, by a rescan of this process or of another
		// one that found the file before its writer indexed it: the row
		// is that message's (the envelope given with it is kept).
		r.id = id
		return nil
	}
	if err := b.exec(insStateQuery, r.id, r.folder.id, r.name.Key, r.date, th, r.sub, r.name.Flags, r.name.Info); err != nil {
		return err
	}
	if err := b.exec(insFTSQuery, r.id, r.subject, addrText(r.from), addrText(r.to), addrText(r.cc), r.body); err != nil {
		return err
	}
	for _, ref := range r.refs {
		if err := b.exec(insRefQuery, ref, r.id); err != nil {
			return err
		}
	}
	b.rows++
	b.added[r.folder] = append(b.added[r.folder], r.id)
	return nil
}

// thread finds the thread of a new message: the threads of the messages it
// refers to, of the messages that refer to it, and of the messages that share
// a reference with it (a missing parent), merged into the oldest one. A reply
// without references joins the latest thread of its base subject in the
// folder (the JWZ subject fallback). Listings order each thread with the JWZ
// algorithm (package thread).
func (b *batch) thread(r *row) (int64, error) {
	keys := r.refs
	if r.messageID != "" {
		keys = append(append([]string(nil), r.refs...), r.messageID)
	}
	var found []int64
	if len(keys) > 0 {
		var err error
		if found, err = b.lookupThreads(keys); err != nil {
			return 0, err
		}
	}
	if len(found) == 0 && len(r.refs) == 0 {
		return b.subjectThread(r)
	}
	if len(found) == 0 {
		return r.id, nil
	}
	th := found[0]
	for _, t := range found[1:] {
		th = min(th, t)
	}
	return th, b.mergeThreads(th, found)
}

func (b *batch) lookupThreads(keys []string) ([]int64, error) {
	js, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	st, err := b.stmt(threadsQuery)
	if err != nil {
		return nil, err
	}
	return scanInt64s(st.Query(string(js)))
}

func (b *batch) subjectThread(r *row) (int64, error) {
	base := subjectSort(r.subject)
	if base == "" || !isReply(r.subject) {
		return r.id, nil
	}
	var th int64
	err := b.tx.QueryRow(`SELECT thread FROM headers WHERE folder = ? AND subject_sort = ?
		ORDER BY date DESC LIMIT 1`, r.folder.id, base).Scan(&th)
	if errors.Is(err, sql.ErrNoRows) {
		return r.id, nil
	}
	return th, err
}

func (b *batch) mergeThreads(into int64, threads []int64) error {
	for _, t := range threads {
		if t == into {
			continue
		}
		if _, err := b.tx.Exec(`UPDATE headers SET thread = ? WHERE thread = ?`, into, t); err != nil {
			return err
		}
	}
	return nil
}

// setFile records a new name (flags) or subdirectory of a message file.
// The rows are written by flushFiles, many per statement: at the latest
// before the transaction commits, and before any read of them (eachFile
// flushes after each chunk it located). A message given a name twice
// before they are written keeps the last: an UPDATE ... FROM that joins
// a row twice uses one of the two, which one undefined (SQLite).
func (b *batch) setFile(id int64, sub string, name fileName) error {
	row := nameRow{id: id, sub: sub, flags: name.Flags, info: name.Info}
	if i, ok := b.fileAt[id]; ok {
		b.files[i] = row
		return nil
	}
	if b.fileAt == nil {
		b.fileAt = map[int64]int{}
	}
	b.fileAt[id] = len(b.files)
	b.files = append(b.files, row)
	if len(b.files) >= filesPerUpdate {
		return b.flushFiles()
	}
	return nil
}

// nameRow is a row change that setFile keeps for flushFiles.
type nameRow struct {
	id    int64
	sub   string
	flags Flags
	info  string
}

// filesPerUpdate is the number of rows one UPDATE writes: 4 variables
// each, under SQLite's limit of 32766.
const filesPerUpdate = 500

// flushFiles writes the rows setFile kept: one UPDATE ... FROM (VALUES
// ...) per filesPerUpdate rows (a lookup by id each), rather than one
// statement per message.
func (b *batch) flushFiles() error {
	for rest := b.files; len(rest) > 0; {
		n := min(len(rest), filesPerUpdate)
		b.args = b.args[:0]
		for _, f := range rest[:n] {
			b.args = append(b.args, f.id, f.sub, f.flags, f.info)
		}
		var err error
		if n == filesPerUpdate { // prepared once: the text of 500 tuples costs more to parse than to run
			err = b.exec(setFilesFull, b.args...)
		} else {
			_, err = b.tx.Exec(setFilesText(n), b.args...)
		}
		if err != nil {
			return err
		}
		rest = rest[n:]
	}
	b.files = b.files[:0]
	clear(b.fileAt)
	return nil
}

// exec runs the statement of q (stmt).
func (b *batch) exec(q string, args ...any) error {
	st, err := b.stmt(q)
	if err == nil {
		_, err = st.Exec(args...)
	}
	return err
}

// setFilesFull is flushFiles' statement for filesPerUpdate rows.
var setFilesFull = setFilesText(filesPerUpdate)

// setFilesText is flushFiles' statement for n rows.
func setFilesText(n int) string {
	var q strings.Builder
	q.WriteString(`UPDATE state SET sub = v.column2, flags = v.column3, info = v.column4 FROM (VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(`(?,?,?,?)`)
	}
	q.WriteString(`) AS v WHERE state.id = v.column1`)
	return q.String()
}

// deleteRows removes messages from the index (not their files).
func (b *batch) deleteRows(ids []int64) error {
	for _, id := range ids {
		var refs string
		err := b.tx.QueryRow(`DELETE FROM headers WHERE id = ? RETURNING refs`, id).Scan(&refs)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := b.tx.Exec(`DELETE FROM fts WHERE rowid = ?`, id); err != nil {
			return err
		}
		for _, ref := range strings.Fields(refs) {
			if _, err := b.tx.Exec(`DELETE FROM refs WHERE ref = ? AND id = ?`, ref, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// folderIDs returns the ids of the messages of a folder.
func (b *batch) folderIDs(folder int64) ([]int64, error) {
	return scanInt64s(b.tx.Query(`SELECT id FROM headers WHERE folder = ?`, folder))
}
