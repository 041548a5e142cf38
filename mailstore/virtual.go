package mailstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Virtual is a folder that gathers messages of every account: one SQL
// query over the index (the date index for the newest first), never a
// loop over folders.
type Virtual string

// The virtual folders.
const (
	// VirtualInboxes: the messages of every inbox (role inbox, or named
	// INBOX).
	VirtualInboxes Virtual = "inboxes"
	// VirtualUnread: the unread messages of every folder but Trash and
	// Junk.
	VirtualUnread Virtual = "unread"
	// VirtualFlagged: the flagged messages of every folder but Trash and
	// Junk.
	VirtualFlagged Virtual = "flagged"
)

// Virtuals are the virtual folders, in the order they are shown.
var Virtuals = []Virtual{VirtualInboxes, VirtualUnread, VirtualFlagged}

// where is the condition on messages, or state, of a virtual folder. The
// terms of unread and flagged are those of their partial indexes on state
// (index.go).
func (s *Store) where(v Virtual) (string, error) {
	const notBin = ` AND folder NOT IN (SELECT id FROM folders WHERE role IN ('trash', 'junk'))`
	switch v {
	case VirtualInboxes:
		return `folder IN (SELECT id FROM folders WHERE role = 'inbox' OR name = 'INBOX' COLLATE NOCASE)`, nil
	case VirtualUnread:
		return unreadTerm + notBin, nil
	case VirtualFlagged:
		return flaggedTerm + notBin, nil
	}
	return "", fmt.Errorf("mailstore: no virtual folder %q", string(v))
}

// inboxes are the ids of the inboxes: role inbox, or named INBOX.
func (s *Store) inboxes() []int64 {
	s.foldersMu.RLock()
	defer s.foldersMu.RUnlock()
	var out []int64
	for id, fi := range s.byID {
		if fi.role == RoleInbox || strings.EqualFold(fi.ref.Name, "INBOX") {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// ListVirtual returns one page of a virtual folder, each Summary with the
// folder (and so the account) that holds it. ListOptions.Threaded is
// ignored: the messages come one by one. It is one query: for the
// inboxes, the first offset+limit messages of each inbox in the order
// of its folder index, merged; for unread and flagged, their partial
// indexes in date order.
func (s *Store) ListVirtual(ctx context.Context, v Virtual, opt ListOptions) ([]Summary, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	query, args, err := s.virtualQuery(v, opt)
	if err != nil || query == "" {
		return nil, err
	}
	rows, err := s.ix.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return s.scanSummaries(rows)
}

// virtualQuery is the query of a page of a virtual folder; "" when there
// is nothing to list (no inbox).
func (s *Store) virtualQuery(v Virtual, opt ListOptions) (string, []any, error) {
	offset, limit := pageOf(opt.Offset, opt.Limit)
	order := ` ORDER BY ` + orderBy(opt.Sort, opt.Ascending)
	var query string
	var args []any
	if v == VirtualInboxes {
		var arms []string
		for _, id := range s.inboxes() {
			arms = append(arms, `SELECT * FROM (SELECT `+summaryCols+`, sender_sort, subject_sort
				FROM messages WHERE folder = ?`+order+` LIMIT ?)`)
			args = append(args, id, offset+limit)
		}
		if len(arms) == 0 {
			return "", nil, nil
		}
		query = `SELECT ` + summaryCols + ` FROM (` + strings.Join(arms, ` UNION ALL `) + `)`
	} else {
		where, err := s.where(v)
		if err != nil {
			return "", nil, err
		}
		if opt.Sort == SortDate {
			// The page's ids from the partial index of state, in date
			// order; then their rows.
			return `SELECT ` + summaryCols + ` FROM messages WHERE id IN (SELECT id FROM state WHERE ` + where +
				order + ` LIMIT ? OFFSET ?)` + order, []any{limit, offset}, nil
		}
		query = `SELECT ` + summaryCols + ` FROM messages WHERE ` + where
	}
	return query + order + ` LIMIT ? OFFSET ?`, append(args, limit, offset), nil
}

// CountVirtual returns the number of messages and of unread messages of a
// virtual folder.
func (s *Store) CountVirtual(ctx context.Context, v Virtual) (total, unread int, err error) {
	if err := s.enter(); err != nil {
		return 0, 0, err
	}
	defer s.leave()
	where, err := s.where(v)
	if err != nil {
		return 0, 0, err
	}
	err = s.ix.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM state WHERE `+where+`),
		(SELECT count(*) FROM state WHERE `+where+` AND `+unreadTerm+`)`).Scan(&total, &unread)
	return total, unread, err
}
