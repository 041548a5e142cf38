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

// flagChunk is Options.FlagChunk's default: small, so that the store
// renames the first files while the first answers of the FETCH are read.
const flagChunk = 250

// applyFlags reads the FLAGS of a FETCH as they come and gives the
// changes to the store in slices (Options.FlagChunk) while the next ones
// arrive (mailstore.SetFlagsEach: the files renamed as the changes come).
// Once the FETCH is read, it writes the UID map's rows in one
// transaction while the store finishes, and commits it only after the
// store committed (setLocal's order: a crash in between applies the
// changes again next time, idempotent); then come the changes of
// keywords. It returns the rows of the UID map it wrote. After an error
// of the FETCH, what came before it is applied, files, index and UID map
// alike; after an error of the store, the UID map is left as it was. In
// both cases the folder's HIGHESTMODSEQ is not written: the next sync
// fetches the same changes again and finds the applied ones done.
func (s *Syncer) applyFlags(ctx context.Context, cmd *imapclient.FetchCommand, ref mailstore.FolderRef, known map[uint32]mapping) ([]mapping, error) {
	changes := make(chan []mailstore.FlagChange, 4)
	stored := make(chan error, 1)
	go func() { stored <- s.opt.Store.SetFlagsEach(ctx, changes) }()
	size := cmp.Or(s.opt.FlagChunk, flagChunk)
	slice := max(size/8, 1) // the first: the renames begin sooner
	fc := &flagChanges{}
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		uid, f, keys := uidFlags(m)
		fc.note(known, uid, f, keys)
		if len(fc.changes) >= slice {
			changes <- fc.changes
			fc.changes = nil
			slice = size
		}
	}
	err := wrap(ctx, "UID FETCH FLAGS", cmd.Close())
	if len(fc.changes) > 0 {
		changes <- fc.changes
		fc.changes = nil
	}
	close(changes)
	serr := s.putFlagsAfter(ctx, ref, fc.rows, stored)
	if serr == nil {
		serr = fc.setLocal(ctx, s)
	}
	if serr == nil {
		serr = s.opt.State.putKeys(ctx, ref, fc.keyRows)
	}
	if serr != nil {
		return nil, serr
	}
	return fc.rows, err
}

// putFlagsAfter writes rows to the UID map, committing only when stored
// tells that the store applied their changes (nil), else nothing.
func (s *Syncer) putFlagsAfter(ctx context.Context, ref mailstore.FolderRef, rows []mapping, stored <-chan error) error {
	if len(rows) == 0 {
		return <-stored
	}
	w, err := s.opt.State.flagsWriter(ctx, ref)
	if err != nil {
		return cmpOr(<-stored, err)
	}
	defer w.rollback()
	err = w.put(ctx, rows)
	if serr := <-stored; serr != nil || err != nil {
		return cmpOr(serr, err)
	}
	return w.commitWith(ctx, nil)
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

// flagChanges gathers the flag changes of the messages of a FETCH: those
// of the flags for mailstore.SetFlagsEach, those of keywords for one
// SetKeywords per distinct change, and the rows of the UID map.
type flagChanges struct {
	changes []mailstore.FlagChange // not yet given to the store
	keys    map[[2]string][]int64  // {add, del} key sets -> ids
	rows    []mapping
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
		fc.changes = append(fc.changes, mailstore.FlagChange{ID: mp.ID, Add: add, Remove: del})
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

// setLocal changes the local messages: the flags not yet given to the
// store (one SetFlagsEach), then the keywords, one setKeywords per
// distinct change (a keyword that finds no free letter is not kept
// locally). The caller then writes fc.rows to the UID map: a crash
// between the two applies the changes again next time (idempotent).
func (fc *flagChanges) setLocal(ctx context.Context, s *Syncer) error {
	if len(fc.changes) > 0 {
		in := make(chan []mailstore.FlagChange, 1)
		in <- fc.changes
		close(in)
		if err := s.opt.Store.SetFlagsEach(ctx, in); err != nil {
			return err
		}
		fc.changes = nil
	}
	for k, ids := range fc.keys {
		err := s.setKeywords(ctx, ids, splitKeys(k[0]), splitKeys(k[1]))
		if err != nil && !errors.Is(err, mailstore.ErrTooManyKeywords) {
			return err
		}
	}
	return nil
}
