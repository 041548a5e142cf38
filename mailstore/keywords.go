package mailstore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
)

// SetKeywordLetters adds and removes info letters that are not standard
// flags: the lower-case letters 'a' to 'z' with which Dovecot writes the
// keywords of a message in its Maildir file name (":2,Sab"), the letter
// i standing for the i-th keyword of the folder. Each file is renamed,
// then the index updated, as SetFlags does; subscribers get ChangeFlags.
func (s *Store) SetKeywordLetters(ctx context.Context, ids []int64, add, remove string) error {
	return s.fileOp(ctx, ChangeFlags, ids, func(b *batch, l location, t *touched) error {
		extra := l.name.Extra
		for _, c := range add {
			if !strings.ContainsRune(extra, c) {
				extra += string(c)
			}
		}
		extra = strings.Map(func(c rune) rune {
			if strings.ContainsRune(remove, c) {
				return -1
			}
			return c
		}, extra)
		if extra == l.name.Extra {
			return nil
		}
		fn := fileName{Key: l.name.Key, Info: infoSuffix(l.name.Flags, extra), Flags: l.name.Flags, Extra: sortLetters(extra)}
		dst := location{id: l.id, folder: l.folder, sub: subCur, name: fn}
		if err := os.Rename(l.path(), dst.path()); err != nil {
			return err
		}
		t.dir(dst.folder, subCur)
		t.changed(l.folder, l.id)
		return b.setFile(l.id, subCur, fn)
	})
}

func sortLetters(s string) string {
	b := []byte(s)
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && b[j] < b[j-1]; j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
	return string(b)
}

// Copy copies messages into another folder: each copy is a new message
// (a new file and id) with the bytes, flags, keywords, arrival time and
// envelope of its original. Within an account the copy has the keyword
// letters of its original; in another account, the letters of the same
// keywords there (keywordmove.go): one that finds no free letter is left
// out, and reported by a *KeywordsError once the copies are made. It
// returns the ids of the copies in the order of ids, 0 for a message that
// no longer exists.
func (s *Store) Copy(ctx context.Context, ids []int64, dest FolderRef) ([]int64, error) {
	km, err := s.keywordMapFor(ctx, ids, dest.Account)
	if err != nil {
		return nil, err
	}
	items := make([]AddItem, 0, len(ids))
	extras := make([]string, 0, len(ids))
	at := make([]int, 0, len(ids))
	for i, id := range ids {
		it, extra, err := s.copyItem(ctx, id, dest, km)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, err
		}
		items, extras, at = append(items, it), append(extras, extra), append(at, i)
	}
	out := make([]int64, len(ids))
	byExtra := map[string][]int64{}
	for i, res := range s.AddBatch(ctx, items) {
		if res.Err != nil {
			return out, res.Err
		}
		out[at[i]] = res.ID
		if extras[i] != "" {
			byExtra[extras[i]] = append(byExtra[extras[i]], res.ID)
		}
	}
	for extra, list := range byExtra {
		if err := s.SetKeywordLetters(ctx, list, extra, ""); err != nil {
			return out, err
		}
	}
	return out, km.err()
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// copyItem reads one message to copy, and the info letters that are not
// flags its copy gets (its keyword letters translated by km).
func (s *Store) copyItem(ctx context.Context, id int64, dest FolderRef, km *keywordMap) (AddItem, string, error) {
	sum, err := s.Get(ctx, id)
	if err != nil {
		return AddItem{}, "", err
	}
	var info string
	var arrived int64
	err = s.ix.rdb.QueryRowContext(ctx, `SELECT info, arrived FROM messages WHERE id = ?`, id).Scan(&info, &arrived)
	if err != nil {
		return AddItem{}, "", &MessageError{ID: id, Op: "copy", Err: ErrNotFound}
	}
	r, err := s.Open(ctx, id)
	if err != nil {
		return AddItem{}, "", err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return AddItem{}, "", err
	}
	fn := makeFileName(sum.Key, info)
	opt := AddOptions{Flags: fn.Flags, Envelope: sum.Envelope, Arrived: time.Unix(arrived, 0)}
	return AddItem{Folder: dest, Data: data, Options: opt}, km.extra(sum.Folder.Account, fn.Extra), nil
}

// MatchText returns the ids of the messages of a folder whose full-text
// index holds the words of text in a row (the last one as a prefix), in
// column: "" for any, or "subject", "from", "to", "cc", "body". ok is
// false when text has no word to look for: the index cannot answer.
// The index knows words, not arbitrary substrings, and at most the
// first 64 KB of text of a body.
func (s *Store) MatchText(ctx context.Context, ref FolderRef, column, text string) (ids []int64, ok bool, err error) {
	if err := s.enter(); err != nil {
		return nil, false, err
	}
	defer s.leave()
	fi, err := s.folder(ref)
	if err != nil {
		return nil, false, err
	}
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(words) == 0 {
		return nil, false, nil
	}
	expr := quoteFTS(strings.Join(words, " ")) + "*"
	if col := ftsColumns[column]; col != "" {
		expr = "{" + col + "} : " + expr
	}
	ids, err = scanInt64s(s.ix.rdb.QueryContext(ctx, `SELECT id FROM headers WHERE folder = ?
		AND id IN (SELECT rowid FROM fts WHERE fts MATCH ?) ORDER BY id`, fi.id, expr))
	return ids, true, ftsError(text, err)
}

// keywordLetters returns the keyword letters (see SetKeywordLetters) of
// the messages of sums that have some, read with one query.
func (s *Store) keywordLetters(ctx context.Context, sums []Summary) (map[int64]string, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	ids := make([]int64, len(sums))
	for i, sum := range sums {
		ids[i] = sum.ID
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT id, info FROM state WHERE id IN (SELECT value FROM json_each(?))`, string(js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var info string
		if err := rows.Scan(&id, &info); err != nil {
			return nil, err
		}
		if extra := makeFileName("", info).Extra; extra != "" {
			out[id] = extra
		}
	}
	return out, rows.Err()
}

// KeywordsOf returns the keywords by name, sorted, of the messages of
// sums that have some: their letters read with one query, the names of
// each account once from the UID index, which is opened only when one of
// the messages has a keyword (search --json).
func (s *Store) KeywordsOf(ctx context.Context, sums []Summary) (map[int64][]string, error) {
	letters, err := s.keywordLetters(ctx, sums)
	if err != nil || len(letters) == 0 {
		return nil, err
	}
	u, err := OpenUIDIndex(ctx, s)
	if err != nil {
		return nil, err
	}
	defer u.Close()
	return u.names(ctx, sums, letters)
}
