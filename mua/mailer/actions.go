package mailer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync"
)

// Change tells what a message action left for the servers.
type Change struct {
	// Journaled names the IMAP accounts whose servers get the action from
	// their journal: at once with Push or Replay, else with the next sync.
	Journaled []string
	// KeywordsLeft, after a move or a copy into another account, names
	// the keywords that found no free letter there (*mailstore.KeywordsError,
	// one per destination, joined): the messages went without them. It is
	// a warning, not the action's failure.
	KeywordsLeft error
}

func (c *Change) journaled(name string) {
	for _, n := range c.Journaled {
		if n == name {
			return
		}
	}
	c.Journaled = append(c.Journaled, name)
}

// merge adds the accounts of o.
func (c *Change) merge(o Change) {
	for _, n := range o.Journaled {
		c.journaled(n)
	}
	c.KeywordsLeft = errors.Join(c.KeywordsLeft, o.KeywordsLeft)
}

// keywordsLeft moves a *mailstore.KeywordsError that err is (the move or
// copy done, some keywords left out) to c.KeywordsLeft, and returns the
// error that is left (nil then).
func (c *Change) keywordsLeft(err error) error {
	var ke *mailstore.KeywordsError
	if errors.As(err, &ke) && error(ke) == err {
		c.KeywordsLeft = errors.Join(c.KeywordsLeft, err)
		return nil
	}
	return err
}

// group is the messages of one account.
type group struct {
	account string
	ids     []int64
}

// byAccount groups ids by the account that holds each message, in the
// order they come; messages that no longer exist are left out.
func (m *Mailer) byAccount(ctx context.Context, ids []int64) ([]group, error) {
	var out []group
	at := map[string]int{}
	for _, id := range ids {
		sum, err := m.opt.Store.Get(ctx, id)
		if errors.Is(err, mailstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		name := sum.Folder.Account
		i, ok := at[name]
		if !ok {
			i = len(out)
			at[name] = i
			out = append(out, group{account: name})
		}
		out[i].ids = append(out[i].ids, id)
	}
	return out, nil
}

// each runs imap on the messages of IMAP accounts (then pushed), local on
// the others.
func (m *Mailer) each(ctx context.Context, ids []int64, imap func(account.Account, []int64) error, local func(string, []int64) error) (Change, error) {
	ch, err := m.eachQuiet(ctx, ids, imap, local)
	m.push(ch)
	return ch, err
}

// eachQuiet is each without the push: for a caller that pushes once for
// several actions (Send).
func (m *Mailer) eachQuiet(ctx context.Context, ids []int64, imap func(account.Account, []int64) error, local func(string, []int64) error) (Change, error) {
	var ch Change
	groups, err := m.byAccount(ctx, ids)
	if err != nil {
		return ch, err
	}
	var errs []error
	for _, g := range groups {
		a, ok, err := m.imapAccount(g.account)
		switch {
		case err != nil:
		case ok:
			if err = imap(a, g.ids); err == nil {
				ch.journaled(a.Name)
			}
		default:
			err = local(g.account, g.ids)
		}
		errs = append(errs, accountErr(g.account, err))
	}
	return ch, errors.Join(errs...)
}

// SetFlags adds and removes flags (\Seen, \Flagged, \Answered, \Draft).
func (m *Mailer) SetFlags(ctx context.Context, ids []int64, add, remove mailstore.Flags) (Change, error) {
	ch, err := m.setFlags(ctx, ids, add, remove)
	m.push(ch)
	return ch, err
}

// setFlags is SetFlags without the push.
func (m *Mailer) setFlags(ctx context.Context, ids []int64, add, remove mailstore.Flags) (Change, error) {
	return m.eachQuiet(ctx, ids, func(a account.Account, ids []int64) error {
		return m.journal(a).SetFlags(ctx, ids, add, remove)
	}, func(_ string, ids []int64) error {
		return m.opt.Store.SetFlags(ctx, ids, add, remove)
	})
}

// ErrBadKeyword: a keyword that is not an IMAP atom
// (imapsync.ValidKeyword); nothing was changed.
var ErrBadKeyword = errors.New("mailer: not an IMAP keyword")

// SetKeywords adds and removes IMAP keywords ($Label1, Work: RFC 9051
// §2.3.2), kept in the store as the Maildir letters of the account
// (mailstore.UIDIndex.SetKeywords). On an IMAP server: UID STORE with the
// keywords; one that the server does not keep stays local, and Replay
// says so (Replayed.Refused). A keyword that finds no free letter among
// the 26 of its account gives a *mailstore.KeywordsError, the others set.
func (m *Mailer) SetKeywords(ctx context.Context, ids []int64, add, remove []string) (Change, error) {
	ch, err := m.setKeywords(ctx, ids, add, remove)
	m.push(ch)
	return ch, err
}

// setKeywords is SetKeywords without the push.
func (m *Mailer) setKeywords(ctx context.Context, ids []int64, add, remove []string) (Change, error) {
	for _, k := range slices.Concat(add, remove) {
		if !imapsync.ValidKeyword(k) {
			return Change{}, fmt.Errorf("%w: %q", ErrBadKeyword, k)
		}
	}
	return m.eachQuiet(ctx, ids, func(a account.Account, ids []int64) error {
		return m.journal(a).SetKeywords(ctx, ids, add, remove)
	}, func(account string, ids []int64) error {
		return m.withUIDIndex(ctx, func(u *mailstore.UIDIndex) error {
			return u.SetKeywords(ctx, account, ids, add, remove)
		})
	})
}

// Marks are the flags and keywords one action adds and removes.
type Marks struct {
	Add, Remove                 mailstore.Flags
	AddKeywords, RemoveKeywords []string
}

// Mark adds and removes flags and keywords as one action (SetFlags, then
// SetKeywords), its journals pushed once.
func (m *Mailer) Mark(ctx context.Context, ids []int64, mk Marks) (Change, error) {
	var ch Change
	if mk.Add != 0 || mk.Remove != 0 {
		c, err := m.setFlags(ctx, ids, mk.Add, mk.Remove)
		ch.merge(c)
		if err != nil {
			m.push(ch)
			return ch, err
		}
	}
	var err error
	if len(mk.AddKeywords) > 0 || len(mk.RemoveKeywords) > 0 {
		var c Change
		c, err = m.setKeywords(ctx, ids, mk.AddKeywords, mk.RemoveKeywords)
		ch.merge(c)
	}
	m.push(ch)
	return ch, err
}

// withUIDIndex runs fn with the store's UID index, where the keywords of
// the accounts have their letters.
func (m *Mailer) withUIDIndex(ctx context.Context, fn func(*mailstore.UIDIndex) error) error {
	u, err := mailstore.OpenUIDIndex(ctx, m.opt.Store)
	if err != nil {
		return err
	}
	defer u.Close()
	return fn(u)
}

// Delete moves messages to the Trash of their account; those in the
// Trash already are removed for good. On an IMAP server: UID MOVE to its
// Trash, or \Deleted and UID EXPUNGE.
func (m *Mailer) Delete(ctx context.Context, ids []int64) (Change, error) {
	return m.each(ctx, ids, func(a account.Account, ids []int64) error {
		return m.journal(a).Delete(ctx, ids)
	}, func(_ string, ids []int64) error {
		return m.opt.Store.Delete(ctx, ids)
	})
}

// Purge removes messages for good, wherever they are (on their IMAP
// server: \Deleted and UID EXPUNGE).
func (m *Mailer) Purge(ctx context.Context, ids []int64) (Change, error) {
	return m.each(ctx, ids, func(a account.Account, ids []int64) error {
		return m.journal(a).Expunge(ctx, ids)
	}, func(_ string, ids []int64) error {
		return m.opt.Store.Purge(ctx, ids)
	})
}

// Expunge removes for good the messages of a folder marked deleted
// (\Deleted, the Maildir flag T) by another program or a server.
func (m *Mailer) Expunge(ctx context.Context, folder mailstore.FolderRef) (Change, error) {
	ids, err := m.folderIDs(ctx, folder, func(s mailstore.Summary) bool { return s.Flags&mailstore.FlagTrashed != 0 })
	if err != nil || len(ids) == 0 {
		return Change{}, err
	}
	return m.Purge(ctx, ids)
}

// Empty removes every message of a folder for good (Empty Trash).
func (m *Mailer) Empty(ctx context.Context, folder mailstore.FolderRef) (Change, error) {
	ids, err := m.opt.Store.FolderIDs(ctx, folder)
	if err != nil || len(ids) == 0 {
		return Change{}, err
	}
	return m.Purge(ctx, ids)
}

// folderIDs lists the messages of a folder that keep says to.
func (m *Mailer) folderIDs(ctx context.Context, folder mailstore.FolderRef, keep func(mailstore.Summary) bool) ([]int64, error) {
	var ids []int64
	for off := 0; ; off += 500 {
		page, err := m.opt.Store.List(ctx, folder, mailstore.ListOptions{Offset: off, Limit: 500, Ascending: true})
		if err != nil {
			return nil, err
		}
		for _, s := range page {
			if keep(s) {
				ids = append(ids, s.ID)
			}
		}
		if len(page) < 500 {
			return ids, nil
		}
	}
}

// Move moves messages to a folder of any account. Within an IMAP account
// it is UID MOVE on the server; from another account the message is
// APPENDed to the destination's server, with its keywords, and removed
// from its own server. A message from another account takes its keywords
// by name; one that finds no free letter among the 26 of the destination
// account is left out and named in Change.KeywordsLeft, the messages
// moved.
func (m *Mailer) Move(ctx context.Context, ids []int64, dest mailstore.FolderRef) (Change, error) {
	var ch Change
	dst, dstIMAP, err := m.imapAccount(dest.Account)
	if err != nil {
		return ch, err
	}
	groups, err := m.byAccount(ctx, ids)
	if err != nil {
		return ch, err
	}
	var errs []error
	for _, g := range groups {
		err := ch.keywordsLeft(m.moveGroup(ctx, g, dest, dst, dstIMAP, &ch))
		errs = append(errs, accountErr(g.account, err))
	}
	m.push(ch)
	return ch, errors.Join(errs...)
}

// moveGroup moves the messages of one account to dest, of account dst.
func (m *Mailer) moveGroup(ctx context.Context, g group, dest mailstore.FolderRef, dst account.Account, dstIMAP bool, ch *Change) error {
	src, srcIMAP, err := m.imapAccount(g.account)
	if err != nil {
		return err
	}
	if g.account == dest.Account {
		if !srcIMAP {
			return m.opt.Store.Move(ctx, g.ids, dest)
		}
		ch.journaled(src.Name)
		return m.journal(src).Move(ctx, g.ids, dest.Name)
	}
	if dstIMAP { // journaled first: the APPEND of what the move brings
		if err := m.journal(dst).Adopt(ctx, g.ids); err != nil {
			return err
		}
		ch.journaled(dst.Name)
	}
	if srcIMAP {
		ch.journaled(src.Name)
		return m.journal(src).MoveOut(ctx, g.ids, dest)
	}
	return m.opt.Store.Move(ctx, g.ids, dest)
}

// Copy copies messages into a folder of any account and returns the ids
// of the copies, in the order of ids (messages that no longer exist are
// skipped). Within an IMAP account it is UID COPY on the server; into an
// IMAP account from another, an APPEND. Keywords go with the copies as
// with Move.
func (m *Mailer) Copy(ctx context.Context, ids []int64, dest mailstore.FolderRef) ([]int64, Change, error) {
	var ch Change
	dst, dstIMAP, err := m.imapAccount(dest.Account)
	if err != nil {
		return nil, ch, err
	}
	groups, err := m.byAccount(ctx, ids)
	if err != nil {
		return nil, ch, err
	}
	var out []int64
	var errs []error
	for _, g := range groups {
		copies, err := m.copyGroup(ctx, g, dest, dst, dstIMAP)
		out = append(out, copies...)
		if err = ch.keywordsLeft(err); err == nil && dstIMAP {
			ch.journaled(dst.Name)
		}
		errs = append(errs, accountErr(g.account, err))
	}
	m.push(ch)
	return out, ch, errors.Join(errs...)
}

func (m *Mailer) copyGroup(ctx context.Context, g group, dest mailstore.FolderRef, dst account.Account, dstIMAP bool) ([]int64, error) {
	if dstIMAP && g.account == dest.Account {
		return m.journal(dst).Copy(ctx, g.ids, dest.Name)
	}
	copies, err := m.copyLocal(ctx, g.ids, dest)
	if dstIMAP && len(copies) > 0 {
		err = cmp.Or(m.journal(dst).Adopt(ctx, copies), err)
	}
	return copies, err
}

// copyLocal stores copies of messages, with their flags and keywords, in
// dest (mailstore.Store.Copy: a keyword that finds no free letter in the
// destination account gives a *mailstore.KeywordsError, the copies made).
// Messages that no longer exist are skipped.
func (m *Mailer) copyLocal(ctx context.Context, ids []int64, dest mailstore.FolderRef) ([]int64, error) {
	copies, err := m.opt.Store.Copy(ctx, ids, dest)
	return slices.DeleteFunc(copies, func(id int64) bool { return id == 0 }), err
}
