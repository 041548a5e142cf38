package imapsync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// Keywords (RFC 9051 §2.3.2: flags that do not begin with \, such as
// $Label1 or Work) are kept locally as the Maildir letters 'a' to 'z' of
// the account (mailstore.UIDIndex.SetKeywords, Dovecot's convention). The
// UID map keeps, beside the flags, the keywords each message had on the
// server at the last sync, as a key set: the names sorted without case,
// separated by a space ("" for none, which most messages are, so that a
// flag-only resync compares one empty string more per message).
// $Forwarded is not among them: it is the flag P (flagMap).

// ValidKeyword tells whether s may be given as a keyword: an atom (RFC
// 9051 §9: 1*ATOM-CHAR, printable ASCII but the atom-specials), here
// without "," either, and not a system flag (those begin with \). A key
// set separates keywords with spaces, which an atom never holds.
func ValidKeyword(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\],`, c) >= 0 {
			return false
		}
	}
	return true
}

// keywordsOf returns the key set of the keywords among IMAP flags,
// without allocating when there are none.
func keywordsOf(flags []imap.Flag) string {
	var kws []string
	for _, fl := range flags {
		if isKeyword(fl) {
			kws = append(kws, string(fl))
		}
	}
	return joinKeys(kws)
}

// isKeyword tells whether an IMAP flag is a keyword kept as a letter.
func isKeyword(fl imap.Flag) bool {
	return len(fl) > 0 && fl[0] != '\\' && !sameFlag(fl, imap.FlagForwarded)
}

// joinKeys makes a key set of keywords: sorted without case, duplicates
// (without case) dropped.
func joinKeys(kws []string) string {
	switch len(kws) {
	case 0:
		return ""
	case 1:
		return kws[0]
	}
	kws = slices.Clone(kws)
	slices.SortFunc(kws, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	kws = slices.CompactFunc(kws, strings.EqualFold)
	return strings.Join(kws, " ")
}

// splitKeys is the keywords of a key set.
func splitKeys(set string) []string {
	if set == "" {
		return nil
	}
	return strings.Split(set, " ")
}

// keysMinus returns the keywords of set a that are not in set b.
func keysMinus(a, b string) []string {
	var out []string
	for _, k := range splitKeys(a) {
		if !slices.ContainsFunc(splitKeys(b), func(o string) bool { return strings.EqualFold(o, k) }) {
			out = append(out, k)
		}
	}
	return out
}

// keysPlus returns set with add added and del taken away.
func keysPlus(set string, add, del []string) string {
	out := splitKeys(set)
	out = slices.DeleteFunc(out, func(k string) bool {
		return slices.ContainsFunc(del, func(d string) bool { return strings.EqualFold(d, k) })
	})
	return joinKeys(append(out, add...))
}

// setKeywords adds and removes keywords on local messages of the account
// (their letters in the store's UID index, opened for the call). A
// keyword that finds no free letter (mailstore.ErrTooManyKeywords) is
// reported by a *mailstore.KeywordsError; the others are set.
func (s *Syncer) setKeywords(ctx context.Context, ids []int64, add, del []string) error {
	if len(add) == 0 && len(del) == 0 {
		return nil
	}
	u, err := mailstore.OpenUIDIndex(ctx, s.opt.Store)
	if err != nil {
		return err
	}
	defer u.Close()
	return u.SetKeywords(ctx, s.acct.Name, ids, add, del)
}

// SetKeywords adds and removes keywords on local messages at once and
// queues the change for the server (UID STORE +FLAGS/-FLAGS with the
// keywords). A keyword the server does not keep (PERMANENTFLAGS without
// it nor \*) stays local: Replay and Sync report it (KeywordsRefusedError).
func (s *Syncer) SetKeywords(ctx context.Context, ids []int64, add, del []string) error {
	err := s.setKeywords(ctx, ids, add, del)
	var full *mailstore.KeywordsError
	if err != nil && !errors.As(err, &full) {
		return err
	}
	addK, delK := joinKeys(add), joinKeys(del)
	if full != nil {
		addK = joinKeys(keysMinus(addK, joinKeys(full.Keywords)))
	}
	if addK == "" && delK == "" {
		return err
	}
	return cmpOr(s.journal(ctx, ids, func(folder string, mp mapping) action {
		return action{Op: opFlags, Folder: folder, UID: mp.UID, ID: mp.ID, AddK: addK, DelK: delK}
	}), err)
}

// ErrKeywordRefused: the server does not keep a keyword (RFC 9051 §7.1:
// PERMANENTFLAGS has neither it nor \*).
var ErrKeywordRefused = errors.New("imapsync: the server does not keep this keyword")

// KeywordsRefusedError names the keywords that a server refused to keep,
// in which folders; they stay on the local messages. It wraps
// ErrKeywordRefused.
type KeywordsRefusedError struct {
	Account string
	// Keywords maps each refused keyword to the remote folders.
	Keywords map[string][]string
}

func (e *KeywordsRefusedError) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e.Keywords)) {
		parts = append(parts, fmt.Sprintf("%s (in %s)", k, strings.Join(e.Keywords[k], ", ")))
	}
	return fmt.Sprintf("%s: the server does not keep the keywords %s: they stay on this computer only",
		e.Account, strings.Join(parts, ", "))
}

func (e *KeywordsRefusedError) Unwrap() error { return ErrKeywordRefused }

// refuse records that the server refused keywords in a folder.
func (s *Syncer) refuse(folder string, kws []string) {
	if len(kws) == 0 {
		return
	}
	if s.refused == nil {
		s.refused = &KeywordsRefusedError{Account: s.acct.Name, Keywords: map[string][]string{}}
	}
	for _, k := range kws {
		if !slices.Contains(s.refused.Keywords[k], folder) {
			s.refused.Keywords[k] = append(s.refused.Keywords[k], folder)
		}
	}
}

// takeRefused returns the refusals recorded since the last call, as an
// error (nil when none).
func (s *Syncer) takeRefused() error {
	r := s.refused
	s.refused = nil
	if r == nil {
		return nil
	}
	return r
}

// permanent splits the keywords (and $Forwarded) of flags into those the
// selected folder keeps (RFC 9051 §7.1, PERMANENTFLAGS: \* means any
// keyword; no PERMANENTFLAGS at all means every flag) and those it does
// not.
func permanent(sel *imap.SelectData, flags []imap.Flag) (kept []imap.Flag, refused []string) {
	if sel == nil || sel.PermanentFlags == nil {
		return flags, nil
	}
	wild := slices.ContainsFunc(sel.PermanentFlags, func(f imap.Flag) bool { return f == imap.FlagWildcard })
	for _, fl := range flags {
		if fl[0] == '\\' || wild || slices.ContainsFunc(sel.PermanentFlags, func(p imap.Flag) bool { return sameFlag(p, fl) }) {
			kept = append(kept, fl)
			continue
		}
		refused = append(refused, string(fl))
	}
	return kept, refused
}

// keywordsOfNew gives the messages just stored the keywords they have on
// the server (rows: their UID map rows), one setKeywords per key set.
func (s *Syncer) keywordsOfNew(ctx context.Context, rows []mapping) error {
	var bySet map[string][]int64
	for _, mp := range rows {
		if mp.Keys != "" {
			if bySet == nil {
				bySet = map[string][]int64{}
			}
			bySet[mp.Keys] = append(bySet[mp.Keys], mp.ID)
		}
	}
	for set, ids := range bySet {
		err := s.setKeywords(ctx, ids, splitKeys(set), nil)
		if err != nil && !errors.Is(err, mailstore.ErrTooManyKeywords) {
			return err
		}
	}
	return nil
}
