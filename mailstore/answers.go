package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// answersTable keeps the user's answers to meeting invitations (version 7).
const answersTable = `CREATE TABLE IF NOT EXISTS answers(
	account TEXT NOT NULL,
	uid TEXT NOT NULL,
	partstat TEXT NOT NULL,
	answered INTEGER NOT NULL,
	PRIMARY KEY(account, uid)) WITHOUT ROWID`

// Answer is the user's answer to a meeting invitation (iTIP, RFC 5546):
// its participation status as iCalendar writes it (RFC 5545 §3.2.12,
// "ACCEPTED"), and when it was sent.
type Answer struct {
	PartStat string
	At       time.Time
}

// SetAnswer records the user's answer to the event uid (RFC 5545 UID)
// received in account; a later answer replaces it. The answer is kept in
// the index, so it is shown again when the invitation is opened, after a
// restart too; an index rebuilt from the Maildir files forgets it.
func (s *Store) SetAnswer(ctx context.Context, account, uid string, a Answer) error {
	if uid == "" || a.PartStat == "" {
		return errors.New("mailstore: an answer needs the event's UID and a status")
	}
	if err := s.enterWrite(); err != nil {
		return err
	}
	defer s.leave()
	_, err := s.ix.wdb.ExecContext(ctx, `INSERT OR REPLACE INTO answers(account, uid, partstat, answered)
		VALUES(?, ?, ?, ?)`, account, uid, a.PartStat, a.At.UnixMilli())
	return classify(err)
}

// Answer returns the answer recorded by SetAnswer, and false when the user
// has not answered the event in account.
func (s *Store) Answer(ctx context.Context, account, uid string) (Answer, bool, error) {
	if err := s.enter(); err != nil {
		return Answer{}, false, err
	}
	defer s.leave()
	var a Answer
	var ms int64
	err := s.ix.rdb.QueryRowContext(ctx, `SELECT partstat, answered FROM answers WHERE account = ? AND uid = ?`,
		account, uid).Scan(&a.PartStat, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return Answer{}, false, nil
	}
	if err != nil {
		return Answer{}, false, classify(err)
	}
	a.At = time.UnixMilli(ms)
	return a, true, nil
}
