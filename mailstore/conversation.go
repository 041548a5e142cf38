package mailstore

import "context"

// Conversation returns the messages of the thread of message id in the
// folders of its account (the user's replies in Sent included; Trash and
// Junk left out unless the message is there), oldest first. A message
// alone in its thread gives a conversation of one.
func (s *Store) Conversation(ctx context.Context, id int64) ([]Summary, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT `+summaryCols+` FROM messages
		WHERE thread = (SELECT thread FROM headers WHERE id = ?1)
		AND folder IN (SELECT f.id FROM folders f, folders o, headers m
			WHERE m.id = ?1 AND o.id = m.folder AND f.account = o.account
			AND (f.role NOT IN ('trash', 'junk') OR f.id = o.id))
		ORDER BY date, id`, id)
	if err != nil {
		return nil, err
	}
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

// ByMessageID returns the messages whose Message-ID is msgid (without
// <>), in every account, leaving out Drafts folders (a draft of a reply
// shares nothing with the message it answers but may reuse an id when
// edited as new). A message kept in two folders gives both; none gives nil.
func (s *Store) ByMessageID(ctx context.Context, msgid string) ([]int64, error) {
	if msgid == "" {
		return nil, nil
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	return scanInt64s(s.ix.rdb.QueryContext(ctx, `SELECT m.id FROM headers m
		JOIN folders f ON f.id = m.folder
		WHERE m.message_id = ? AND f.role <> ?
		ORDER BY m.id`, msgid, string(RoleDrafts)))
}
