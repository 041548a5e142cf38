package mailstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"facteur/mailstore/thread"
)

// orderBy returns the ORDER BY clause of a listing; each one follows an
// index, so the first page of a big folder is read without sorting.
func orderBy(sort SortField, asc bool) string {
	dir := " DESC"
	if asc {
		dir = " ASC"
	}
	var cols []string
	switch sort {
	case SortSender:
		cols = []string{"sender_sort", "date", "id"}
	case SortSubject:
		cols = []string{"subject_sort", "date", "id"}
	default:
		cols = []string{"date", "thread", "id"}
	}
	return strings.Join(cols, dir+", ") + dir
}

func pageOf(offset, limit int) (int, int) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	return max(offset, 0), limit
}

// List returns one page of a folder. Newest first by default; see
// ListOptions for the other orders and the threaded view.
func (s *Store) List(ctx context.Context, folder FolderRef, opt ListOptions) ([]Summary, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	fi, err := s.folder(folder)
	if err != nil {
		return nil, err
	}
	offset, limit := pageOf(opt.Offset, opt.Limit)
	if opt.Threaded {
		return s.listThreaded(ctx, fi, opt, offset, limit)
	}
	// The page's ids from an index of headers alone (a deep page skips
	// its offset there), then their rows.
	order := ` ORDER BY ` + orderBy(opt.Sort, opt.Ascending)
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT `+summaryCols+` FROM messages WHERE id IN
		(SELECT id FROM headers WHERE folder = ?`+order+` LIMIT ? OFFSET ?)`+order, fi.id, limit, offset)
	if err != nil {
		return nil, err
	}
	return s.scanSummaries(rows)
}

// threadCount is one thread of a folder and its number of messages there.
type threadCount struct {
	thread int64
	n      int
}

// threadCache keeps the thread order of the last folder listed threaded,
// valid until the next write to the index.
type threadCache struct {
	mu     sync.Mutex
	folder int64
	sort   SortField
	gen    uint64
	order  []threadCount
}

func (c *threadCache) valid(fi *folderInfo, sort SortField, gen uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order != nil && c.folder == fi.id && c.sort == sort && c.gen == gen
}

// prefixRows is the number of rows up to which a threaded page is found
// without reading the thread order of the whole folder.
const prefixRows = 2000

// threadPrefix returns the first threads of a folder, newest first, enough
// of them to hold need rows: the first page of a big folder opens without
// reading every row.
func (s *Store) threadPrefix(ctx context.Context, fi *folderInfo, need int, collapsed threadSet) ([]threadCount, error) {
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT thread FROM headers WHERE folder = ?
		ORDER BY date DESC, thread DESC, id DESC`, fi.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	var order []threadCount
	total := 0
	for total < need && rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if seen[t] {
			continue
		}
		seen[t] = true
		tc := threadCount{thread: t}
		err := s.ix.rdb.QueryRowContext(ctx, `SELECT count(*) FROM headers WHERE thread = ? AND folder = ?`,
			t, fi.id).Scan(&tc.n)
		if err != nil {
			return nil, err
		}
		order = append(order, tc)
		total += collapsed.rows(tc)
	}
	return order, rows.Err()
}

// threadKeyOrder orders the threads of a folder by the sender or the
// subject of their first message, as Thunderbird does, descending (the
// caller reverses it for ascending): SQLite takes the bare columns of a
// min() aggregate from the row of the minimum.
const threadKeyOrder = `SELECT thread, count(*), %s, min(date) AS first FROM headers
	WHERE folder = ? GROUP BY thread ORDER BY 3 DESC, first DESC, thread DESC`

// threadOrder returns the threads of a folder: newest (latest message)
// first, or by the sender or subject of their first message, descending.
func (s *Store) threadOrder(ctx context.Context, fi *folderInfo, sort SortField) ([]threadCount, error) {
	gen := s.gen.Load()
	c := &s.threads
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.order != nil && c.folder == fi.id && c.sort == sort && c.gen == gen {
		return c.order, nil
	}
	order, err := s.readThreadOrder(ctx, fi, sort)
	if err != nil {
		return nil, err
	}
	c.folder, c.sort, c.gen, c.order = fi.id, sort, gen, order
	return order, nil
}

// readThreadOrder reads the order of threadOrder from the index.
func (s *Store) readThreadOrder(ctx context.Context, fi *folderInfo, sort SortField) ([]threadCount, error) {
	if col, ok := threadKeyCols[sort]; ok {
		return s.readThreadKeyOrder(ctx, fi, col)
	}
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT thread FROM headers WHERE folder = ?
		ORDER BY date DESC, thread DESC, id DESC`, fi.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	pos := map[int64]int{}
	order := []threadCount{}
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if i, ok := pos[t]; ok {
			order[i].n++
			continue
		}
		pos[t] = len(order)
		order = append(order, threadCount{thread: t, n: 1})
	}
	return order, rows.Err()
}

// threadKeyCols are the columns of the sorts by a thread's first message.
var threadKeyCols = map[SortField]string{SortSender: "sender_sort", SortSubject: "subject_sort"}

// readThreadKeyOrder orders the threads by col of their first message.
func (s *Store) readThreadKeyOrder(ctx context.Context, fi *folderInfo, col string) ([]threadCount, error) {
	rows, err := s.ix.rdb.QueryContext(ctx, fmt.Sprintf(threadKeyOrder, col), fi.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var order []threadCount
	for rows.Next() {
		var tc threadCount
		var key, first any
		if err := rows.Scan(&tc.thread, &tc.n, &key, &first); err != nil {
			return nil, err
		}
		order = append(order, tc)
	}
	return order, rows.Err()
}

// listThreaded returns rows offset..offset+limit of the folder in thread
// order (threadOrder), each thread in JWZ order (package thread) with depth,
// a collapsed thread as its first message only (collapse.go).
func (s *Store) listThreaded(ctx context.Context, fi *folderInfo, opt ListOptions, offset, limit int) ([]Summary, error) {
	sort, asc := opt.Sort, opt.Ascending
	collapsed := newThreadSet(opt.Collapsed)
	var order []threadCount
	var err error
	if _, byKey := threadKeyCols[sort]; !byKey && !asc && offset+limit <= prefixRows && !s.threads.valid(fi, sort, s.gen.Load()) {
		order, err = s.threadPrefix(ctx, fi, offset+limit, collapsed)
	} else {
		order, err = s.threadOrder(ctx, fi, sort)
	}
	if err != nil {
		return nil, err
	}
	var page []int64
	skip, pos := 0, 0
	for i := range order {
		tc := order[i]
		if asc {
			tc = order[len(order)-1-i]
		}
		n := collapsed.rows(tc)
		if pos+n > offset && pos < offset+limit {
			if len(page) == 0 {
				skip = offset - pos
			}
			page = append(page, tc.thread)
		}
		pos += n
		if pos >= offset+limit {
			break
		}
	}
	if len(page) == 0 {
		return nil, nil
	}
	out, err := s.threadRows(ctx, fi, page, collapsed)
	if err != nil {
		return nil, err
	}
	out = out[min(skip, len(out)):]
	return out[:min(limit, len(out))], nil
}

// threadRows returns the messages of the given threads in a folder, thread
// by thread in the given order, each thread in JWZ order with Depth set.
func (s *Store) threadRows(ctx context.Context, fi *folderInfo, threads []int64, collapsed threadSet) ([]Summary, error) {
	js, _ := json.Marshal(threads)
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT `+summaryCols+`, refs FROM messages
		WHERE folder = ? AND thread IN (SELECT value FROM json_each(?))`, fi.id, string(js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	groups := map[int64][]thread.Item{}
	byID := map[int64]Summary{}
	for rows.Next() {
		var refs string
		sum, err := s.scanSummary(withExtra{rows, &refs})
		if err != nil {
			return nil, err
		}
		byID[sum.ID] = sum
		groups[sum.ThreadID] = append(groups[sum.ThreadID], thread.Item{ID: sum.ID,
			MessageID: sum.MessageID, References: strings.Fields(refs), Subject: sum.Subject, Date: sum.Date})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Summary
	for _, t := range threads {
		out = appendThread(out, groups[t], byID, collapsed[t])
	}
	return out, nil
}

// withExtra scans the summary columns followed by extra ones.
type withExtra struct {
	sc    scanner
	extra *string
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra)...) }

// appendThread appends the messages of one thread in JWZ order, the first
// with the thread's counts, only the first when collapsed. Messages the
// threader left out (duplicate Message-IDs) follow at depth 0, so that
// pages keep their size.
func appendThread(out []Summary, items []thread.Item, byID map[int64]Summary, collapsed bool) []Summary {
	start := len(out)
	done := make(map[int64]bool, len(items))
	thread.Walk(thread.Build(items), func(n *thread.Node, depth int) {
		if n.Item == nil || done[n.Item.ID] {
			return // a dummy container: its children keep their depth
		}
		done[n.Item.ID] = true
		sum := byID[n.Item.ID]
		sum.Depth = depth
		out = append(out, sum)
	})
	for _, it := range items {
		if !done[it.ID] {
			out = append(out, byID[it.ID])
		}
	}
	if len(out) == start {
		return out
	}
	out[start].ThreadSize, out[start].ThreadUnread = threadCounts(out[start:])
	if collapsed {
		out[start].Collapsed = true
		out = out[:start+1]
	}
	return out
}
