package mailstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
)

// IndexID returns the identifier of the index: random, made once per index
// file. An index rebuilt from the Maildir files, which gives the messages
// new ids, has a new one: a program that keeps message ids elsewhere
// (package facteur/mua/imapsync) compares it with the one it saw to know
// whether its ids still name the same messages.
func (s *Store) IndexID(ctx context.Context) (string, error) {
	if err := s.enter(); err != nil {
		return "", err
	}
	defer s.leave()
	var id string
	err := s.ix.rdb.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'index_id'`).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if s.ix.readOnly {
		return "", ErrReadOnly
	}
	return s.newIndexID(ctx) // an index made before index ids
}

func (s *Store) newIndexID(ctx context.Context) (string, error) {
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	if _, err := s.ix.wdb.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES('index_id', ?)`,
		hex.EncodeToString(rnd[:])); err != nil {
		return "", err
	}
	var id string
	err := s.ix.wdb.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'index_id'`).Scan(&id)
	return id, err
}
