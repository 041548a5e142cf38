package mailstore

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"facteur/internal/message"
)

// summaryCols are the columns scanSummary reads, in order.
const summaryCols = `id, folder, key, message_id, subject, addr_from, addr_to, addr_cc, date,
	size, flags, attachment, thread, mail_from, rcpt_to, env_recorded, problem, partial`

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func (s *Store) scanSummary(sc scanner) (Summary, error) {
	var (
		sum              Summary
		folderID, date   int64
		from, to, cc     string
		mailFrom, rcptTo sql.NullString
		recorded         bool
		partial          int64
	)
	err := sc.Scan(&sum.ID, &folderID, &sum.Key, &sum.MessageID, &sum.Subject, &from, &to, &cc,
		&date, &sum.Size, &sum.Flags, &sum.Attachment, &sum.ThreadID, &mailFrom, &rcptTo, &recorded, &sum.Problem, &partial)
	if err != nil {
		return sum, err
	}
	if partial > 0 {
		sum.Partial, sum.Size = true, partial
	}
	if fi := s.folderByID(folderID); fi != nil {
		sum.Folder = fi.ref
	}
	sum.From, sum.To, sum.Cc = decodeAddrs(from), decodeAddrs(to), decodeAddrs(cc)
	sum.Date = time.Unix(date, 0)
	if mailFrom.Valid || rcptTo.Valid {
		sum.Envelope = &Envelope{MailFrom: mailFrom.String, RcptTo: splitLines(rcptTo.String), Recorded: recorded}
	}
	return sum, nil
}

func (s *Store) scanSummaries(rows *sql.Rows) ([]Summary, error) {
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		sum, err := s.scanSummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, rows.Err()
}

// scanInt64s reads the rows of a query that selects one integer column
// (ids, threads), and closes them; err is the query's.
func scanInt64s(rows *sql.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Addresses are kept in one column as "name US addr RS name US addr ...".
const (
	unitSep   = "\x1f"
	recordSep = "\x1e"
)

func encodeAddrs(list []message.Address) string {
	var b strings.Builder
	for i, a := range list {
		if i > 0 {
			b.WriteString(recordSep)
		}
		b.WriteString(clean(a.Name))
		b.WriteString(unitSep)
		b.WriteString(clean(a.Addr))
	}
	return b.String()
}

func clean(s string) string {
	if strings.ContainsAny(s, unitSep+recordSep) {
		return strings.NewReplacer(unitSep, " ", recordSep, " ").Replace(s)
	}
	return s
}

func decodeAddrs(s string) []message.Address {
	if s == "" {
		return nil
	}
	recs := strings.Split(s, recordSep)
	out := make([]message.Address, 0, len(recs))
	for _, r := range recs {
		name, addr, _ := strings.Cut(r, unitSep)
		out = append(out, message.Address{Name: name, Addr: addr})
	}
	return out
}

// addrText is the searchable text of addresses: names and addresses.
func addrText(list []message.Address) string {
	var b strings.Builder
	for _, a := range list {
		b.WriteString(a.Name)
		b.WriteByte(' ')
		b.WriteString(a.Addr)
		b.WriteByte(' ')
	}
	return b.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// roleRank orders folders: INBOX first, then folders with a role, then the others.
var roleRank = map[Role]int{
	RoleInbox: 0, RoleOutbox: 1, RoleDrafts: 2, RoleSent: 3, RoleArchive: 4, RoleJunk: 5, RoleTrash: 6,
}

func folderLess(a, b Folder) bool {
	if a.Ref.Account != b.Ref.Account {
		return a.Ref.Account < b.Ref.Account
	}
	ra, oka := roleRank[a.Role]
	rb, okb := roleRank[b.Role]
	if strings.EqualFold(a.Ref.Name, "INBOX") {
		ra, oka = -1, true
	}
	if strings.EqualFold(b.Ref.Name, "INBOX") {
		rb, okb = -1, true
	}
	switch {
	case oka && okb && ra != rb:
		return ra < rb
	case oka != okb:
		return oka
	}
	return strings.ToLower(a.Ref.Name) < strings.ToLower(b.Ref.Name)
}

// foldersQuery counts the messages, the unread and the partial messages
// of every folder, each from an index: state's by folder, its unread by
// folder, and the partial messages of headers.
const foldersQuery = `SELECT folder, count(*),
	(SELECT count(*) FROM state u WHERE u.folder = state.folder AND ` + unreadTerm + `),
	(SELECT count(*) FROM headers h WHERE h.folder = state.folder AND h.partial > 0)
	FROM state GROUP BY folder`

// Folders returns every folder with its counts: accounts sorted by name, in
// each INBOX first, then the folders with a role, then the others by name.
func (s *Store) Folders(ctx context.Context) ([]Folder, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	counts := map[int64][3]int{}
	rows, err := s.ix.rdb.QueryContext(ctx, foldersQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c [3]int
		if err := rows.Scan(&id, &c[0], &c[1], &c[2]); err != nil {
			return nil, err
		}
		counts[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.sortedFolders(counts), nil
}

// FolderRoles returns every folder in the order of Folders, with its role
// but without its counts (Total, Unread and Partial are 0): it reads no
// row of the index, where Folders reads them all.
func (s *Store) FolderRoles(ctx context.Context) ([]Folder, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	return s.sortedFolders(nil), ctx.Err()
}

// sortedFolders lists the folders with their counts, if any, sorted.
func (s *Store) sortedFolders(counts map[int64][3]int) []Folder {
	s.foldersMu.RLock()
	out := make([]Folder, 0, len(s.byID))
	for id, fi := range s.byID {
		c := counts[id]
		out = append(out, Folder{Ref: fi.ref, Role: fi.role, Total: c[0], Unread: c[1], Partial: c[2]})
	}
	s.foldersMu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return folderLess(out[i], out[j]) })
	return out
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
