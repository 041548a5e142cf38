package mailstore

import (
	"context"
	"errors"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Search returns the messages matching a query (see the query language in
// query.go: words, "phrases", from:, to:, cc:, subject:, body:, folder:,
// is:unread, is:read, is:flagged, has:attachment, -negation), newest first.
// A query that cannot be understood gives an error matching ErrBadQuery.
func (s *Store) Search(ctx context.Context, src string, opt SearchOptions) ([]Summary, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	q, err := parseQuery(src)
	if err != nil {
		return nil, err
	}
	offset, limit := pageOf(opt.Offset, opt.Limit)
	few, err := s.fewMatches(ctx, q, offset+limit)
	if err != nil {
		return nil, ftsError(src, err)
	}
	where, args, ok := s.searchWhere(q, opt.Folder, few)
	if !ok {
		return nil, nil // a folder that does not exist: nothing matches
	}
	const order = ` ORDER BY date DESC, thread DESC, id DESC`
	query := `SELECT ` + summaryCols + ` FROM messages h WHERE ` + where + order + ` LIMIT ? OFFSET ?`
	if !few && opt.Folder == nil && len(q.folders) == 0 {
		// Walk the date index of every folder until the page is full:
		// the page's ids from headers and state, then their rows.
		query = `SELECT ` + summaryCols + ` FROM messages WHERE id IN (SELECT id
			FROM headers h INDEXED BY messages_alldate JOIN state s USING (id) WHERE ` + where +
			` ORDER BY h.date DESC, h.thread DESC, id DESC LIMIT ? OFFSET ?)` + order
	}
	rows, err := s.ix.rdb.QueryContext(ctx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, ftsError(src, err)
	}
	out, err := s.scanSummaries(rows)
	return out, ftsError(src, err)
}

// ftsError turns an SQL error about the MATCH expression into a *QueryError:
// the quoting of query.go should make it impossible, but an SQL error must
// never reach the user as such.
func ftsError(src string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_ERROR {
		return &QueryError{Query: src, Reason: "not understood"}
	}
	return err
}

// fewThreshold is the number of full-text matches under which a search reads
// the matching rows by id and sorts them, rather than walking the date index
// until a page is full.
const fewThreshold = 2000

// fewMatches tells whether the full-text part of q matches few messages.
func (s *Store) fewMatches(ctx context.Context, q *query, page int) (bool, error) {
	pos, _ := q.fts()
	if pos == "" {
		return false, nil
	}
	limit := max(fewThreshold, page)
	var n int
	err := s.ix.rdb.QueryRowContext(ctx, `SELECT count(*) FROM
		(SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?)`, pos, limit).Scan(&n)
	return n < limit, err
}

// searchWhere builds the WHERE clause of a query, on messages or on
// headers joined with state, either named h. ok is false when a folder
// condition can match nothing. With few full-text matches, the folder
// conditions are written so that SQLite reads the matches by id ("+h.folder"
// keeps it from walking a folder index).
func (s *Store) searchWhere(q *query, folder *FolderRef, few bool) (where string, args []any, ok bool) {
	col := "h.folder"
	if few {
		col = "+h.folder"
	}
	var conds []string
	pos, neg := q.fts()
	if pos != "" {
		conds = append(conds, `id IN (SELECT rowid FROM fts WHERE fts MATCH ?)`)
		args = append(args, pos)
	}
	if neg != "" {
		conds = append(conds, `id NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)`)
		args = append(args, neg)
	}
	if folder != nil {
		fi, err := s.folder(*folder)
		if err != nil {
			return "", nil, false
		}
		conds = append(conds, col+` = ?`)
		args = append(args, fi.id)
	}
	if len(q.folders) > 0 {
		ids := s.matchFolders(q.folders)
		if len(ids) == 0 {
			return "", nil, false
		}
		conds = append(conds, col+` IN (`+placeholders(len(ids))+`)`)
		args = append(args, ids...)
	}
	if ids := s.matchFolders(q.nfolder); len(ids) > 0 {
		conds = append(conds, `h.folder NOT IN (`+placeholders(len(ids))+`)`)
		args = append(args, ids...)
	}
	if q.set != 0 {
		conds = append(conds, `(flags & ?) = ?`)
		args = append(args, q.set, q.set)
	}
	if q.unset != 0 {
		conds = append(conds, `(flags & ?) = 0`)
		args = append(args, q.unset)
	}
	switch q.attach {
	case 1:
		conds = append(conds, `attachment`)
	case -1:
		conds = append(conds, `NOT attachment`)
	}
	if len(conds) == 0 {
		conds = append(conds, "1")
	}
	return strings.Join(conds, " AND "), args, true
}

// matchFolders returns the ids of the folders named by folder: values: a
// folder name ("INBOX", "Lists/golang") in any account, its last level
// ("golang"), or "Account/Name", compared without regard to case.
func (s *Store) matchFolders(names []string) []any {
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	var ids []any
	for id, fi := range s.byID {
		for _, n := range names {
			last := fi.ref.Name[strings.LastIndexByte(fi.ref.Name, '/')+1:]
			if equalFold(n, fi.ref.Name) || equalFold(n, fi.ref.String()) || equalFold(n, last) {
				ids = append(ids, id)
				break
			}
		}
	}
	return ids
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
