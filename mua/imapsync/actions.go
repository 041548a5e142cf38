package imapsync

import (
	"bytes"
	"context"
	"errors"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/internal/eol"
	"facteur/mailstore"
)

// SetFlags adds and removes flags on local messages at once and queues the
// change for the server.
func (s *Syncer) SetFlags(ctx context.Context, ids []int64, add, del mailstore.Flags) error {
	if err := s.opt.Store.SetFlags(ctx, ids, add, del); err != nil {
		return err
	}
	return s.journal(ctx, ids, func(folder string, mp mapping) action {
		return action{Op: opFlags, Folder: folder, UID: mp.UID, ID: mp.ID, Add: add & syncedFlags, Del: del & syncedFlags}
	})
}

// Move moves local messages to another folder of the account at once and
// queues UID MOVE.
func (s *Syncer) Move(ctx context.Context, ids []int64, dest string) error {
	if err := s.journal(ctx, ids, func(folder string, mp mapping) action {
		return action{Op: opMove, Folder: folder, UID: mp.UID, ID: mp.ID, Dest: dest}
	}); err != nil {
		return err
	}
	return s.opt.Store.Move(ctx, ids, s.ref(dest))
}

// Delete deletes local messages (to the account's Trash, or for good from
// the Trash, as mailstore.Store.Delete) and queues the same on the server:
// UID MOVE to the Trash folder, or \Deleted and UID EXPUNGE in the Trash.
func (s *Syncer) Delete(ctx context.Context, ids []int64) error {
	trash, err := s.trashName(ctx)
	if err != nil {
		return err
	}
	if err := s.journal(ctx, ids, func(folder string, mp mapping) action {
		if trash != "" && folder != trash {
			return action{Op: opMove, Folder: folder, UID: mp.UID, ID: mp.ID, Dest: trash}
		}
		return action{Op: opDelete, Folder: folder, UID: mp.UID, ID: mp.ID}
	}); err != nil {
		return err
	}
	return s.opt.Store.Delete(ctx, ids)
}

// Copy copies local messages into another folder of the account and
// queues UID COPY. It returns the ids of the copies.
func (s *Syncer) Copy(ctx context.Context, ids []int64, dest string) ([]int64, error) {
	var out []int64
	for _, id := range ids {
		cp, err := s.copyLocal(ctx, id, dest)
		if err != nil {
			return out, err
		}
		out = append(out, cp)
		if err := s.journal(ctx, []int64{id}, func(folder string, mp mapping) action {
			return action{Op: opCopy, Folder: folder, UID: mp.UID, ID: cp, Dest: dest}
		}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// copyLocal copies a message into dest with its flags and its keywords
// (their letters: the same account), as UID COPY does on the server.
func (s *Syncer) copyLocal(ctx context.Context, id int64, dest string) (int64, error) {
	cps, err := s.opt.Store.Copy(ctx, []int64{id}, s.ref(dest))
	if err != nil {
		return 0, err
	}
	if cps[0] == 0 {
		return 0, &mailstore.MessageError{ID: id, Op: "copy", Err: mailstore.ErrNotFound}
	}
	return cps[0], nil
}

// journal writes one action per mapped message; unmapped ones (not yet on
// the server) need none.
func (s *Syncer) journal(ctx context.Context, ids []int64, mk func(string, mapping) action) error {
	for _, id := range ids {
		folder, mp, ok, err := s.opt.State.byID(ctx, s.acct.Name, id)
		if err != nil {
			return err
		}
		if ok {
			if err := s.opt.State.enqueue(ctx, s.acct.Name, mk(folder, mp)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Syncer) trashName(ctx context.Context) (string, error) {
	folders, err := s.opt.Store.FolderRoles(ctx)
	if err != nil {
		return "", err
	}
	for _, f := range folders {
		if f.Ref.Account == s.acct.Name && f.Role == mailstore.RoleTrash {
			return f.Ref.Name, nil
		}
	}
	return "", nil
}

// Replay sends the journal of local actions to the server now, without a
// sync: a flag, a move or a deletion made while the server answers reaches
// it at once, instead of with the next sync. It waits for a sync of the
// account that runs (in this process or another: it holds the account's
// lock) to end, or for ctx. On a connection error the actions stay in the
// journal, for the next Replay or Sync. It returns how many it sent; when
// all went but keywords the server does not keep (they stay local), a
// *KeywordsRefusedError.
func (s *Syncer) Replay(ctx context.Context) (int, error) {
	lock, err := s.opt.State.lockAccount(ctx, s.acct.Name, s.opt.Waiting)
	if err != nil {
		return 0, err
	}
	defer lock.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = nil
	n, err := s.replayLocked(ctx)
	var se *ServerError
	if err != nil && !errors.As(err, &se) {
		s.drop()
	}
	return n, cmpOr(err, s.takeRefused())
}

func (s *Syncer) replayLocked(ctx context.Context) (int, error) {
	if n, err := s.opt.State.Pending(ctx, s.acct.Name); n == 0 || err != nil {
		return 0, err
	}
	c, err := s.connect(ctx)
	if err != nil {
		return 0, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if _, err := s.listFolders(ctx, c); err != nil { // the journal names local folders
		return 0, err
	}
	// an APPEND journals its flags again (mapAppended): a second pass
	// sends them, so that the journal is empty when the server answers
	total := 0
	for range 3 {
		n, err := s.replay(ctx, c)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}

// Pending counts the local actions waiting for the server.
func (s *Syncer) Pending(ctx context.Context) (int, error) {
	return s.opt.State.Pending(ctx, s.acct.Name)
}

// replay sends the journal in order; an action leaves the journal once
// the server accepted it, or refused it (NO/BAD: the message is gone).
func (s *Syncer) replay(ctx context.Context, c *imapclient.Client) (int, error) {
	list, err := s.opt.State.pending(ctx, s.acct.Name)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range list {
		err := s.apply(ctx, c, a)
		if errors.Is(err, errStale) {
			continue // waits for revalidate to give it its new UID
		}
		var se *ServerError
		if err != nil && !errors.As(err, &se) {
			return n, err
		}
		if err := s.opt.State.done(ctx, a.Seq); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// errStale: an action's UID belongs to an older UIDVALIDITY of its folder.
var errStale = errors.New("imapsync: the action's UIDVALIDITY is gone")

func (s *Syncer) apply(ctx context.Context, c *imapclient.Client, a action) error {
	if a.Op == opAppend {
		return s.applyAppend(ctx, c, a)
	}
	sel, err := s.selectLocal(ctx, c, a.Folder)
	if err != nil {
		return err
	}
	if a.Validity != 0 && a.Validity != sel.UIDValidity {
		return errStale
	}
	uids := imap.UIDSetNum(imap.UID(a.UID))
	switch a.Op {
	case opFlags:
		return s.applyStore(ctx, c, a, sel, uids)
	case opMove:
		return s.applyMove(ctx, c, a, uids)
	case opCopy:
		return s.applyCopy(ctx, c, a, uids)
	case opDelete:
		return s.applyDelete(ctx, c, a, uids)
	}
	return nil
}

// applyStore sends a flag change: UID STORE +FLAGS, then -FLAGS, with the
// keywords (and $Forwarded) that the folder keeps (permanent); those it
// does not keep, or that it answers NO to, are left out and recorded
// (refuse). The UID map then says what the server has, so that the next
// sync does not take the refused ones away locally.
func (s *Syncer) applyStore(ctx context.Context, c *imapclient.Client, a action, sel *imap.SelectData, uids imap.UIDSet) error {
	add, refused := permanent(sel, append(toIMAP(a.Add), keyFlags(a.AddK)...))
	del := append(toIMAP(a.Del), keyFlags(a.DelK)...)
	if len(add) > 0 {
		err := c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: add}, nil).Close()
		var ie *imap.Error
		if sys := toIMAP(a.Add &^ mailstore.FlagPassed); errors.As(err, &ie) && len(sys) < len(add) {
			refused = append(refused, flagNames(add[len(sys):])...)
			err = storeFlags(c, uids, imap.StoreFlagsAdd, sys) // without the keywords
		}
		if err != nil {
			return wrap(ctx, "UID STORE", err)
		}
	}
	if len(del) > 0 {
		if err := storeFlags(c, uids, imap.StoreFlagsDel, del); err != nil {
			return wrap(ctx, "UID STORE", err)
		}
	}
	s.refuse(a.Folder, refused)
	return s.storedFlags(ctx, a, refused)
}

// storedFlags records in the UID map the flags and keywords a STORE left
// on the server: those of a, but the refused ones.
func (s *Syncer) storedFlags(ctx context.Context, a action, refused []string) error {
	ref := s.ref(a.Folder)
	mp, ok, err := s.opt.State.mapped(ctx, ref, a.UID)
	if ok && err == nil {
		notKept := fromIMAP(keyFlags(joinKeys(refused)))
		mp.Flags = ((mp.Flags | a.Add) &^ a.Del) &^ (notKept &^ mp.Flags)
		mp.Keys = keysPlus(mp.Keys, keysMinus(a.AddK, joinKeys(refused)), splitKeys(a.DelK))
		err = s.opt.State.putUID(ctx, ref, mp)
	}
	return err
}

// storeFlags is a silent UID STORE; no flags, nothing to do.
func storeFlags(c *imapclient.Client, uids imap.UIDSet, op imap.StoreFlagsOp, flags []imap.Flag) error {
	if len(flags) == 0 {
		return nil
	}
	return c.Store(uids, &imap.StoreFlags{Op: op, Silent: true, Flags: flags}, nil).Close()
}

// keyFlags is the keywords of a key set as IMAP flags.
func keyFlags(set string) []imap.Flag {
	var out []imap.Flag
	for _, k := range splitKeys(set) {
		out = append(out, imap.Flag(k))
	}
	return out
}

func flagNames(flags []imap.Flag) []string {
	out := make([]string, len(flags))
	for i, f := range flags {
		out[i] = string(f)
	}
	return out
}

func (s *Syncer) applyMove(ctx context.Context, c *imapclient.Client, a action, uids imap.UIDSet) error {
	dest, err := s.remoteOf(ctx, a.Dest)
	if err != nil {
		return err
	}
	src, _, err := s.opt.State.mapped(ctx, s.ref(a.Folder), a.UID)
	if err != nil {
		return err
	}
	destUIDs, err := s.moveUIDs(ctx, c, uids, dest)
	if err != nil {
		return err
	}
	if err := s.opt.State.dropUID(ctx, s.ref(a.Folder), a.UID); err != nil {
		return err
	}
	return s.mapDest(ctx, a, src, destUIDs)
}

func (s *Syncer) applyCopy(ctx context.Context, c *imapclient.Client, a action, uids imap.UIDSet) error {
	dest, err := s.remoteOf(ctx, a.Dest)
	if err != nil {
		return err
	}
	src, _, err := s.opt.State.mapped(ctx, s.ref(a.Folder), a.UID)
	if err != nil {
		return err
	}
	data, err := c.Copy(uids, dest).Wait()
	if err != nil {
		return wrap(ctx, "UID COPY", err)
	}
	return s.mapDest(ctx, a, src, data.DestUIDs)
}

// mapDest maps the new UID that COPYUID gave (RFC 4315, in IMAP4rev2); when
// the server gives none, the next sync adopts the copy by Message-ID. src
// is the UID map's row of the original.
func (s *Syncer) mapDest(ctx context.Context, a action, src mapping, dest imap.NumSet) error {
	set, ok := dest.(imap.UIDSet)
	if !ok {
		return nil
	}
	nums, ok := set.Nums()
	if !ok || len(nums) != 1 {
		return nil
	}
	sum, err := s.opt.Store.Get(ctx, a.ID)
	if err != nil {
		return nil // gone locally meanwhile
	}
	// the keywords and $Forwarded go with the message (COPY and MOVE keep
	// the flags): those the original had on the server, not those a
	// refusal left local only
	f := sum.Flags&syncedFlags&^mailstore.FlagPassed | src.Flags&mailstore.FlagPassed
	return s.opt.State.putUID(ctx, s.ref(a.Dest), mapping{UID: uint32(nums[0]), ID: a.ID, Flags: f, Keys: src.Keys})
}

func (s *Syncer) applyDelete(ctx context.Context, c *imapclient.Client, a action, uids imap.UIDSet) error {
	if err := s.expungeUIDs(ctx, c, uids); err != nil {
		return err
	}
	return s.opt.State.dropUID(ctx, s.ref(a.Folder), a.UID)
}

// Append stores a message in a folder of the server (Sent, Drafts: RFC 9051
// §6.3.12) and in the local folder, mapped by APPENDUID when given. It needs
// a connection: the composer keeps the message in its outbox otherwise.
func (s *Syncer) Append(ctx context.Context, folder string, msg []byte, flags mailstore.Flags) (mailstore.Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.connect(ctx)
	if err != nil {
		return mailstore.Summary{}, err
	}
	remote, err := s.remoteOf(ctx, folder)
	if err != nil {
		return mailstore.Summary{}, err
	}
	wire := eol.ToCRLF(msg) // RFC 9051 §6.3.12: a message in CRLF lines
	cmd := c.Append(remote, int64(len(wire)), &imap.AppendOptions{Flags: toIMAP(flags)})
	if _, err := cmd.Write(wire); err != nil {
		cmd.Close()
		return mailstore.Summary{}, wrap(ctx, "APPEND", err)
	}
	if err := cmd.Close(); err != nil {
		return mailstore.Summary{}, wrap(ctx, "APPEND", err)
	}
	data, err := cmd.Wait()
	if err != nil {
		return mailstore.Summary{}, wrap(ctx, "APPEND", err)
	}
	sum, err := s.opt.Store.Add(ctx, s.ref(folder), bytes.NewReader(msg), mailstore.AddOptions{Flags: flags})
	if err != nil || data == nil || data.UID == 0 {
		return sum, err
	}
	return sum, s.mapAppended(ctx, folder, data.UID, sum.ID, flags, appendedKeys{})
}

// appendedKeys are the keywords (key sets) of a message that went up:
// those its APPEND gave the server, and those the STORE of its flags
// sends again (mapAppended).
type appendedKeys struct{ given, resend string }

// mapAppended maps the UID that APPENDUID gave to the local copy, the
// row saying what the APPEND gave the server (flags, keys.given), and
// journals the flags of the APPEND for the server again (UID STORE
// +FLAGS, with keys.resend): some servers ignore the flags of APPEND,
// and the next sync would take the message's flags away locally.
func (s *Syncer) mapAppended(ctx context.Context, folder string, uid imap.UID, id int64, flags mailstore.Flags, keys appendedKeys) error {
	flags &= syncedFlags
	if err := s.opt.State.putUID(ctx, s.ref(folder), mapping{UID: uint32(uid), ID: id, Flags: flags, Keys: keys.given}); err != nil {
		return err
	}
	if flags == 0 && keys.resend == "" {
		return nil
	}
	return s.opt.State.enqueue(ctx, s.acct.Name, action{Op: opFlags, Folder: folder, UID: uint32(uid), ID: id, Add: flags, AddK: keys.resend})
}
