package imapsync

import (
	"cmp"
	"context"
	"errors"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// syncFlags applies the server's flags to known messages: with CONDSTORE
// (RFC 7162 §3.1.4) only those of the messages changed since the last
// sync's HIGHESTMODSEQ (FETCH FLAGS CHANGEDSINCE), nothing at all when it
// did not move (§3.1.2.1); without, the flags of every message.
func (s *Syncer) syncFlags(ctx context.Context, c *imapclient.Client, ref mailstore.FolderRef, known map[uint32]mapping, last folderState, sel *imap.SelectData) (int, error) {
	if len(known) == 0 {
		return 0, nil
	}
	opt := &imap.FetchOptions{UID: true, Flags: true}
	if c.Caps().Has(imap.CapCondStore) && last.ModSeq != 0 && sel.HighestModSeq != 0 {
		if last.ModSeq == sel.HighestModSeq {
			return 0, nil
		}
		opt.ChangedSince = last.ModSeq
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	rows, err := s.applyFlags(ctx, c.Fetch(all, opt), ref, known)
	if err != nil {
		return 0, err
	}
	for _, mp := range rows {
		known[mp.UID] = mp
	}
	return len(rows), nil
}

// flagChunk is Options.FlagChunk's default.
const flagChunk = 2500

// applyFlags reads the FLAGS of a FETCH as they come and applies the
// changes in chunks (Options.FlagChunk), in a goroutine, while the next
// ones arrive: each chunk to the store, then to the UID map (setLocal's
// order). It returns the rows of the UID map it wrote. After an error,
// the chunks applied stay applied, files, index and UID map alike, and
// the folder's HIGHESTMODSEQ is not written: the next sync fetches the
// same changes again and finds the applied ones done (idempotent).
func (s *Syncer) applyFlags(ctx context.Context, cmd *imapclient.FetchCommand, ref mailstore.FolderRef, known map[uint32]mapping) ([]mapping, error) {
	chunks := make(chan *flagChanges, 1)
	applied := make(chan error, 1)
	go func() {
		var err error
		for fc := range chunks {
			if err == nil {
				err = fc.setLocal(ctx, s)
			}
			if err == nil {
				err = s.opt.State.putFlags(ctx, ref, fc.rows)
			}
			if err == nil {
				err = s.opt.State.putKeys(ctx, ref, fc.keyRows)
			}
		}
		applied <- err
	}()
	size := cmp.Or(s.opt.FlagChunk, flagChunk)
	var rows []mapping
	fc := &flagChanges{}
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		uid, f, keys := uidFlags(m)
		fc.note(known, uid, f, keys)
		if len(fc.rows) >= size {
			rows = append(rows, fc.rows...)
			chunks <- fc
			fc = &flagChanges{}
		}
	}
	err := wrap(ctx, "UID FETCH FLAGS", cmd.Close())
	rows = append(rows, fc.rows...)
	chunks <- fc
	close(chunks)
	return rows, cmpOr(err, <-applied)
}

// uidFlags reads the UID, the FLAGS and the keywords (a key set) of one
// message of a FETCH, item by item rather than through
// FetchMessageData.Collect's buffer. A message without UID (an
// unsolicited FETCH) gives 0, which no known message has.
func uidFlags(m *imapclient.FetchMessageData) (uint32, mailstore.Flags, string) {
	var uid uint32
	var f mailstore.Flags
	var keys string
	for item := m.Next(); item != nil; item = m.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = uint32(it.UID)
		case imapclient.FetchItemDataFlags:
			f, keys = fromIMAP(it.Flags), keywordsOf(it.Flags)
		}
	}
	return uid, f, keys
}

// flagChanges gathers the flag changes of a chunk of messages, to apply
// them with one mailstore.SetFlags per distinct change (and one
// SetKeywords per distinct change of keywords) and one state transaction.
type flagChanges struct {
	groups map[[2]mailstore.Flags][]int64 // {add, del} -> ids
	keys   map[[2]string][]int64          // {add, del} key sets -> ids
	rows   []mapping
	// keyRows are the rows of rows whose keywords changed (putKeys)
	keyRows []mapping
}

// note records the server's flags f and keywords keys of a known UID, if
// they changed since the UID map's row (the server's at the last sync):
// only what the server changed is changed locally, so that a keyword the
// server does not keep stays on the local message.
func (fc *flagChanges) note(known map[uint32]mapping, uid uint32, f mailstore.Flags, keys string) {
	mp, ok := known[uid]
	if !ok || mp.Flags&syncedFlags == f && sameKeys(mp.Keys, keys) {
		return
	}
	if add, del := f&^mp.Flags, (mp.Flags&^f)&syncedFlags; add|del != 0 {
		if fc.groups == nil {
			fc.groups = map[[2]mailstore.Flags][]int64{}
		}
		k := [2]mailstore.Flags{add, del}
		fc.groups[k] = append(fc.groups[k], mp.ID)
	}
	keysChanged := !sameKeys(mp.Keys, keys)
	if keysChanged {
		fc.noteKeys(mp, keys)
	}
	mp.Flags, mp.Keys = f, keys
	fc.rows = append(fc.rows, mp)
	if keysChanged {
		fc.keyRows = append(fc.keyRows, mp)
	}
}

// sameKeys compares key sets without case (a server may change the case
// of a keyword: RFC 9051 §2.3.2).
func sameKeys(a, b string) bool { return a == b || strings.EqualFold(a, b) }

// noteKeys records a change of the keywords of mp to keys.
func (fc *flagChanges) noteKeys(mp mapping, keys string) {
	k := [2]string{joinKeys(keysMinus(keys, mp.Keys)), joinKeys(keysMinus(mp.Keys, keys))}
	if k[0] == "" && k[1] == "" {
		return // the same keywords, in another case
	}
	if fc.keys == nil {
		fc.keys = map[[2]string][]int64{}
	}
	fc.keys[k] = append(fc.keys[k], mp.ID)
}

// setLocal changes the local messages, one SetFlags per distinct change,
// one setKeywords per distinct change of keywords (a keyword that finds
// no free letter is not kept locally). The caller then writes fc.rows to
// the UID map: a crash between the two applies the changes again next
// time (idempotent).
func (fc *flagChanges) setLocal(ctx context.Context, s *Syncer) error {
	for k, ids := range fc.groups {
		if err := s.opt.Store.SetFlags(ctx, ids, k[0], k[1]); err != nil {
			return err
		}
	}
	for k, ids := range fc.keys {
		err := s.setKeywords(ctx, ids, splitKeys(k[0]), splitKeys(k[1]))
		if err != nil && !errors.Is(err, mailstore.ErrTooManyKeywords) {
			return err
		}
	}
	return nil
}
