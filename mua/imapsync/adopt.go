package imapsync

import (
	"bytes"
	"context"
	"errors"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// Messages that come into an account from elsewhere (a move or a copy from
// another account, the copy of a sent message in Sent) are put in the local
// folder at once and journaled with opAppend: the replay APPENDs
// (RFC 9051 §6.3.12) the local message into the folder that holds it then,
// with its flags then, so that a message moved or flagged meanwhile goes up
// as it is, and one deleted meanwhile does not. Before the APPEND the folder
// is searched for the message's Message-ID, so that a replay cut after its
// APPEND maps the copy the server has instead of making a second one; a
// folder the server does not have (NO [TRYCREATE], or a SELECT refused) is
// created first.

// Add stores msg in a local folder of the account with flags, and journals
// its APPEND to the server's folder: the server gets it when the journal
// is replayed (Sync, Replay), at once when it answers. It needs no
// connection.
func (s *Syncer) Add(ctx context.Context, folder string, msg []byte, flags mailstore.Flags) (mailstore.Summary, error) {
	sum, err := s.opt.Store.Add(ctx, s.ref(folder), bytes.NewReader(msg), mailstore.AddOptions{Flags: flags})
	if err != nil {
		return sum, err
	}
	return sum, s.Adopt(ctx, []int64{sum.ID})
}

// Adopt journals the APPEND of local messages that are, or are about to be
// (a move in progress), in a folder of the account without being on its
// server.
func (s *Syncer) Adopt(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if err := s.opt.State.enqueue(ctx, s.acct.Name, action{Op: opAppend, ID: id}); err != nil {
			return err
		}
	}
	return nil
}

// MoveIn moves local messages of other accounts into a folder of this
// account: the APPENDs are journaled first, then the files move.
func (s *Syncer) MoveIn(ctx context.Context, ids []int64, dest string) error {
	if err := s.Adopt(ctx, ids); err != nil {
		return err
	}
	return s.opt.Store.Move(ctx, ids, s.ref(dest))
}

// MoveOut moves messages of this account into a folder of another
// account: their removal from the server is journaled (\Deleted and UID
// EXPUNGE), then the files move. The destination account's Syncer adopts
// them first when it is an IMAP account (Adopt).
func (s *Syncer) MoveOut(ctx context.Context, ids []int64, dest mailstore.FolderRef) error {
	if err := s.journal(ctx, ids, func(folder string, mp mapping) action {
		return action{Op: opDelete, Folder: folder, UID: mp.UID, ID: mp.ID}
	}); err != nil {
		return err
	}
	return s.opt.Store.Move(ctx, ids, dest)
}

// Expunge removes messages for good: locally at once, on the server
// through the journal (\Deleted and UID EXPUNGE, RFC 9051 §6.4.3 and
// RFC 4315).
func (s *Syncer) Expunge(ctx context.Context, ids []int64) error {
	if err := s.journal(ctx, ids, func(folder string, mp mapping) action {
		return action{Op: opDelete, Folder: folder, UID: mp.UID, ID: mp.ID}
	}); err != nil {
		return err
	}
	return s.opt.Store.Purge(ctx, ids)
}

// applyAppend replays an opAppend: the local message goes up into the
// server folder of the local folder that holds it now, with its flags
// and the keywords that folder keeps (appendKeywords); the others stay
// local and are reported (refuse, KeywordsRefusedError).
func (s *Syncer) applyAppend(ctx context.Context, c *imapclient.Client, a action) error {
	sum, err := s.opt.Store.Get(ctx, a.ID)
	if isNotFound(err) || err == nil && sum.Folder.Account != s.acct.Name {
		return nil // deleted, or moved to another account, meanwhile
	}
	if err != nil {
		return err
	}
	if _, _, mapped, err := s.opt.State.byID(ctx, s.acct.Name, a.ID); err != nil || mapped {
		return err // a replay cut after the mapping
	}
	raw, err := s.readLocal(ctx, a.ID)
	if err != nil {
		return err
	}
	remote, sel, err := s.openOrCreate(ctx, c, sum.Folder.Name)
	if err != nil {
		return err
	}
	kept, refused, err := s.appendKeywords(ctx, sum, sel)
	if err != nil {
		return err
	}
	if sum.MessageID != "" {
		uid, ok, err := s.findByMessageID(ctx, c, sum.MessageID)
		if err != nil || ok { // its keywords go with the STORE of its flags
			s.refuse(sum.Folder.Name, refused)
			return cmpOr(err, s.mapAppended(ctx, sum.Folder.Name, uid, a.ID, sum.Flags, appendedKeys{resend: kept}))
		}
	}
	uid, given, dropped, err := s.appendKept(ctx, c, remote, raw, sum.Flags&syncedFlags, kept)
	if err != nil {
		return err
	}
	s.refuse(sum.Folder.Name, append(refused, dropped...))
	if uid == 0 && sum.MessageID != "" { // no APPENDUID: look for it
		var ok bool
		if uid, ok, err = s.findByMessageID(ctx, c, sum.MessageID); err != nil || !ok {
			return err // the next sync adopts it by Message-ID
		}
	}
	if uid == 0 {
		return nil
	}
	return s.mapAppended(ctx, sum.Folder.Name, uid, a.ID, sum.Flags, appendedKeys{given: given, resend: given})
}

// appendKeywords returns the keywords of a local message that its APPEND
// gives the selected folder (a key set), and those the folder does not
// keep (permanent, as applyStore decides).
func (s *Syncer) appendKeywords(ctx context.Context, sum mailstore.Summary, sel *imap.SelectData) (string, []string, error) {
	kws, err := s.opt.Store.KeywordsOf(ctx, []mailstore.Summary{sum})
	if err != nil || len(kws[sum.ID]) == 0 {
		return "", nil, err
	}
	kept, refused := permanent(sel, keyFlags(joinKeys(kws[sum.ID])))
	return joinKeys(flagNames(kept)), refused, nil
}

// appendKept APPENDs raw with flags and the keywords of the key set kept.
// A server that answers NO (or BAD) to an APPEND with keywords gets it
// again without them, as applyStore does with a STORE. It returns the
// keywords the server was given, and those it refused.
func (s *Syncer) appendKept(ctx context.Context, c *imapclient.Client, remote string, raw []byte, flags mailstore.Flags, kept string) (imap.UID, string, []string, error) {
	uid, err := s.appendFlags(ctx, c, remote, raw, flags, keyFlags(kept)...)
	var se *ServerError
	if kept == "" || !errors.As(err, &se) {
		return uid, kept, nil, err
	}
	uid, err = s.appendFlags(ctx, c, remote, raw, flags)
	return uid, "", splitKeys(kept), err
}

// openOrCreate selects the server folder of a local folder, creating it
// when the server refuses to select it (it does not exist: RFC 9051 gives
// NONEXISTENT, older servers a bare NO).
func (s *Syncer) openOrCreate(ctx context.Context, c *imapclient.Client, local string) (string, *imap.SelectData, error) {
	remote, err := s.remoteOf(ctx, local)
	if err != nil {
		return "", nil, err
	}
	sel, err := s.selectFolder(ctx, c, remote)
	var se *ServerError
	if !errors.As(err, &se) || se.Err.Type != imap.StatusResponseTypeNo {
		return remote, sel, err
	}
	if err := c.Create(remote, nil).Wait(); err != nil {
		return remote, nil, wrap(ctx, "CREATE", err)
	}
	if err := s.opt.State.setRemote(ctx, s.ref(local), remote); err != nil {
		return remote, nil, err
	}
	sel, err = s.selectFolder(ctx, c, remote)
	return remote, sel, err
}
