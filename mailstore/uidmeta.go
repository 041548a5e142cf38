package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrTooManyKeywords: an account has keywords for every letter 'a' to
// 'z' already (the Maildir file name has room for 26).
var ErrTooManyKeywords = errors.New("mailstore: too many keywords")

// Keywords returns the keywords of an account by their Maildir letter
// (see SetKeywordLetters): the same letter means the same keyword in
// every folder of the account, so that a message moved or copied within
// it keeps its keywords (into another account, Move and Copy translate
// the letters: keywordmove.go).
func (u *UIDIndex) Keywords(ctx context.Context, account string) (map[byte]string, error) {
	rows, err := u.db.QueryContext(ctx, `SELECT letter, name FROM keywords WHERE account = ?`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[byte]string{}
	for rows.Next() {
		var letter, name string
		if err := rows.Scan(&letter, &name); err != nil {
			return nil, err
		}
		if len(letter) == 1 {
			out[letter[0]] = name
		}
	}
	return out, rows.Err()
}

// KeywordLetter returns the letter of a keyword of an account, giving it
// the first free one when it has none; ErrTooManyKeywords when none is
// free.
func (u *UIDIndex) KeywordLetter(ctx context.Context, account, keyword string) (byte, error) {
	var letter byte
	err := u.write(ctx, func(tx *sql.Tx) error {
		var l string
		err := tx.QueryRowContext(ctx, `SELECT letter FROM keywords WHERE account = ? AND name = ?`, account, keyword).Scan(&l)
		if err == nil && len(l) == 1 {
			letter = l[0]
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for c := byte('a'); c <= 'z'; c++ {
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO keywords(account, letter, name) VALUES(?, ?, ?)`,
				account, string(c), keyword)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				letter = c
				return nil
			}
		}
		return ErrTooManyKeywords
	})
	return letter, err
}

// Subscription is what the account's subscription list says of a name.
type Subscription int

// The states of a name in the subscription list.
const (
	SubscriptionDefault Subscription = iota // never changed: folders are subscribed
	Subscribed
	Unsubscribed
)

// Subscriptions returns the names of an account that were subscribed or
// unsubscribed (IMAP SUBSCRIBE, RFC 9051 §6.3.7); a name that is not
// there is in its default state (a folder that exists is subscribed).
func (u *UIDIndex) Subscriptions(ctx context.Context, account string) (map[string]Subscription, error) {
	rows, err := u.db.QueryContext(ctx, `SELECT name, subscribed FROM subscriptions WHERE account = ?`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Subscription{}
	for rows.Next() {
		var name string
		var on bool
		if err := rows.Scan(&name, &on); err != nil {
			return nil, err
		}
		out[name] = Unsubscribed
		if on {
			out[name] = Subscribed
		}
	}
	return out, rows.Err()
}

// Subscribe subscribes to a name, or unsubscribes from it.
func (u *UIDIndex) Subscribe(ctx context.Context, account, name string, on bool) error {
	return u.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO subscriptions(account, name, subscribed) VALUES(?, ?, ?)`,
			account, name, on)
		return err
	})
}

// KeywordsError: keywords that did not fit among the 26 letters of an
// account (ErrTooManyKeywords); the others were set.
type KeywordsError struct {
	Account  string
	Keywords []string
}

func (e *KeywordsError) Error() string {
	return fmt.Sprintf("mailstore: account %s has a letter for 26 keywords already; not kept: %s",
		e.Account, strings.Join(e.Keywords, " "))
}

func (e *KeywordsError) Unwrap() error { return ErrTooManyKeywords }

// SetKeywords adds and removes keywords, by name, on messages of an
// account: their letters (KeywordLetter; a keyword new to the account
// gets one) through Store.SetKeywordLetters. Keywords compare without
// case (RFC 9051 §2.3.2). A keyword that finds no free letter is left
// out, and reported by a *KeywordsError once the others are set.
func (u *UIDIndex) SetKeywords(ctx context.Context, account string, ids []int64, add, remove []string) error {
	addL, full, err := u.letters(ctx, account, add, true)
	if err != nil {
		return err
	}
	delL, _, err := u.letters(ctx, account, remove, false)
	if err != nil {
		return err
	}
	if addL != "" || delL != "" {
		if err := u.s.SetKeywordLetters(ctx, ids, addL, delL); err != nil {
			return err
		}
	}
	if len(full) > 0 {
		return &KeywordsError{Account: account, Keywords: full}
	}
	return nil
}

// letters returns the letters of keywords of an account; with create, a
// keyword without one gets one, else it is left out (and so are those
// that find no free letter, returned in full).
func (u *UIDIndex) letters(ctx context.Context, account string, names []string, create bool) (string, []string, error) {
	if len(names) == 0 {
		return "", nil, nil
	}
	kw, err := u.Keywords(ctx, account)
	if err != nil {
		return "", nil, err
	}
	var out []byte
	var full []string
	for _, n := range names {
		l, ok := letterOf(kw, n)
		if !ok && create {
			l, err = u.KeywordLetter(ctx, account, n)
			if errors.Is(err, ErrTooManyKeywords) {
				full = append(full, n)
				continue
			}
			if err != nil {
				return "", nil, err
			}
			kw[l], ok = n, true
		}
		if ok && !strings.ContainsRune(string(out), rune(l)) {
			out = append(out, l)
		}
	}
	return string(out), full, nil
}

// letterOf finds the letter of a keyword, compared without case.
func letterOf(kw map[byte]string, name string) (byte, bool) {
	for l, n := range kw {
		if strings.EqualFold(n, name) {
			return l, true
		}
	}
	return 0, false
}

// names gives the keyword letters of the messages of sums their names,
// sorted; the keywords of each account are read once.
func (u *UIDIndex) names(ctx context.Context, sums []Summary, letters map[int64]string) (map[int64][]string, error) {
	out := map[int64][]string{}
	accounts := map[string]map[byte]string{}
	for _, sum := range sums {
		l := letters[sum.ID]
		if l == "" {
			continue
		}
		kw, ok := accounts[sum.Folder.Account]
		if !ok {
			var err error
			if kw, err = u.Keywords(ctx, sum.Folder.Account); err != nil {
				return nil, err
			}
			accounts[sum.Folder.Account] = kw
		}
		var names []string
		for i := 0; i < len(l); i++ {
			if n, ok := kw[l[i]]; ok {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		out[sum.ID] = names
	}
	return out, nil
}
