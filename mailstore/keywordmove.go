package mailstore

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
)

// A message that goes to a folder of another account (Move, Copy) takes
// its keywords by name, not by letter: the letters of a Maildir file name
// point into the table of its account (UIDIndex.Keywords), and the same
// letter names another keyword, or none, in the destination's. Each
// letter of the source account's table becomes the destination's letter
// of the same keyword, given one when it has none (KeywordLetter). A
// keyword that finds no free letter there is left out, never turned into
// another, and reported by a *KeywordsError once the messages moved; a
// letter that names no keyword in its account is left out too, and so is
// one that another writer gave a message between the reading of the
// letters and the move (never another keyword's). Within an account
// nothing changes.

// keywordMap translates the keyword letters of messages that change
// account.
type keywordMap struct {
	dest    string                   // the destination account
	letters map[string]map[byte]byte // source account -> its letter -> the destination's
	full    []string                 // keywords without a free letter in dest
}

// keywordMapFor reads the keyword letters of the messages of ids that are
// in another account than dest and gives them their letters in dest; nil
// when none has any (the UID index is opened only then).
func (s *Store) keywordMapFor(ctx context.Context, ids []int64, dest string) (*keywordMap, error) {
	used, err := s.foreignLetters(ctx, ids, dest)
	if err != nil || len(used) == 0 {
		return nil, err
	}
	if err := s.noWrite(); err != nil {
		return nil, err // a read-only store: no letter given
	}
	u, err := OpenUIDIndex(ctx, s)
	if err != nil {
		return nil, err
	}
	defer u.Close()
	destKw, err := u.Keywords(ctx, dest)
	if err != nil {
		return nil, err
	}
	km := &keywordMap{dest: dest, letters: map[string]map[byte]byte{}}
	for _, acct := range slices.Sorted(maps.Keys(used)) {
		if km.letters[acct], err = km.translate(ctx, u, acct, used[acct], destKw); err != nil {
			return nil, err
		}
	}
	return km, nil
}

// translate gives the letters used of account their letters in the
// destination account, whose table destKw is kept up to date.
func (km *keywordMap) translate(ctx context.Context, u *UIDIndex, account, used string, destKw map[byte]string) (map[byte]byte, error) {
	kw, err := u.Keywords(ctx, account)
	if err != nil {
		return nil, err
	}
	out := map[byte]byte{}
	for i := 0; i < len(used); i++ {
		name, ok := kw[used[i]]
		if !ok {
			continue // a letter without a keyword: left out
		}
		l, ok := letterOf(destKw, name)
		if !ok {
			l, err = u.KeywordLetter(ctx, km.dest, name)
			if errors.Is(err, ErrTooManyKeywords) {
				if !slices.Contains(km.full, name) {
					km.full = append(km.full, name)
				}
				continue
			}
			if err != nil {
				return nil, err
			}
			destKw[l] = name
		}
		out[used[i]] = l
	}
	return out, nil
}

// extra returns the info letters that are not flags of a message of
// account once in the destination account: its keyword letters
// translated, those without a letter there left out, other letters kept.
func (km *keywordMap) extra(account, extra string) string {
	if km == nil || account == km.dest || extra == "" {
		return extra
	}
	m := km.letters[account]
	out := make([]byte, 0, len(extra))
	for i := 0; i < len(extra); i++ {
		c := extra[i]
		if !isKeywordLetter(c) {
			out = append(out, c)
			continue
		}
		if l, ok := m[c]; ok && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return sortLetters(string(out))
}

// moved is the file name of a message of l once in the destination
// account (its keyword letters translated).
func (km *keywordMap) moved(l location) fileName {
	if km == nil || l.folder.ref.Account == km.dest || l.name.Extra == "" {
		return l.name
	}
	extra := km.extra(l.folder.ref.Account, l.name.Extra)
	if extra == l.name.Extra {
		return l.name
	}
	return fileName{Key: l.name.Key, Info: infoSuffix(l.name.Flags, extra), Flags: l.name.Flags, Extra: extra}
}

// err reports the keywords that found no free letter (nil when none).
func (km *keywordMap) err() error {
	if km == nil || len(km.full) == 0 {
		return nil
	}
	return &KeywordsError{Account: km.dest, Keywords: km.full}
}

func isKeywordLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// foreignLetters returns, per account other than dest, the keyword
// letters that the messages of ids have (sorted), read with one query
// that gives only the rows with a lower-case letter (flags are upper
// case): a move without keywords scans no row in Go.
func (s *Store) foreignLetters(ctx context.Context, ids []int64, dest string) (map[string]string, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	js, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT folder, info FROM state
		WHERE id IN (SELECT value FROM json_each(?)) AND info GLOB '*[a-z]*'`, string(js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	used := map[string]string{}
	for rows.Next() {
		var folder int64
		var info string
		if err := rows.Scan(&folder, &info); err != nil {
			return nil, err
		}
		fi := s.folderByID(folder)
		if fi == nil || fi.ref.Account == dest {
			continue
		}
		used[fi.ref.Account] = addKeywordLetters(used[fi.ref.Account], makeFileName("", info).Extra)
	}
	return used, rows.Err()
}

// addKeywordLetters adds the keyword letters of extra to the sorted set.
func addKeywordLetters(set, extra string) string {
	for i := 0; i < len(extra); i++ {
		if c := extra[i]; isKeywordLetter(c) && strings.IndexByte(set, c) < 0 {
			set = sortLetters(set + string(c))
		}
	}
	return set
}
