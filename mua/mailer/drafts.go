package mailer

import (
	"bytes"
	"context"
	"fmt"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync"
)

// SaveDraft stores raw as a draft of the IMAP account a: in its local
// Drafts folder at once (no connection: the draft survives a crash), and
// on its server with the next PushDrafts or sync (APPEND). The composer
// replaces a draft by saving the new version, then DiscardDraft of the old.
func (m *Mailer) SaveDraft(ctx context.Context, a account.Account, raw []byte) (mailstore.Summary, error) {
	if a.Protocol != account.IMAP {
		return mailstore.Summary{}, fmt.Errorf("mailer: %s is not an IMAP account: its drafts stay in %s/Drafts", a.Name, LocalAccount)
	}
	return m.journal(a).SaveDraft(ctx, raw, 0)
}

// LocalDrafts is the Local account's Drafts folder: the drafts of the
// Local account and of POP3 accounts, and of an IMAP account whose Drafts
// could not take one.
var LocalDrafts = mailstore.FolderRef{Account: LocalAccount, Name: "Drafts"}

// SaveLocalDraft stores raw as a draft in LocalDrafts, on this computer
// only; DiscardDraft removes it.
func (m *Mailer) SaveLocalDraft(ctx context.Context, raw []byte) (mailstore.Summary, error) {
	return m.opt.Store.Add(ctx, LocalDrafts, bytes.NewReader(raw), mailstore.AddOptions{Flags: mailstore.FlagDraft | mailstore.FlagSeen})
}

// DraftSaved is where ReplaceDraft put a draft.
type DraftSaved struct {
	ID int64
	// Account is the IMAP account whose Drafts hold it: its server gets
	// it with PushDrafts. Nil when the draft is in LocalDrafts.
	Account *account.Account
	// Warn, an *AccountError, says why the IMAP account asked for could
	// not take the draft: it is in LocalDrafts instead.
	Warn error
}

// ReplaceDraft saves raw as the new version of a draft (the composer's
// autosave): in the Drafts of a when it is an IMAP account (SaveDraft),
// else, or when that account cannot take it, in LocalDrafts; then it
// discards the version old (0: none).
func (m *Mailer) ReplaceDraft(ctx context.Context, a *account.Account, raw []byte, old int64) (DraftSaved, error) {
	var out DraftSaved
	if a != nil && a.Protocol == account.IMAP {
		sum, err := m.SaveDraft(ctx, *a, raw)
		out.ID = sum.ID
		if err == nil {
			out.Account = a
		} else if out.ID == 0 {
			out.Warn = accountErr(a.Name, err)
		}
	}
	if out.ID == 0 {
		sum, err := m.SaveLocalDraft(ctx, raw)
		if err != nil {
			return out, err
		}
		out.ID = sum.ID
	}
	if old != 0 && old != out.ID {
		if _, err := m.DiscardDraft(ctx, old); err != nil {
			return out, err
		}
	}
	return out, nil
}

// DiscardDraft removes a saved draft (replaced by a newer version, or its
// message sent): from its IMAP account locally at once and on the server
// through the journal (ch names the account, to Push), else from the
// store.
func (m *Mailer) DiscardDraft(ctx context.Context, id int64) (Change, error) {
	var ch Change
	err := m.removeDraft(ctx, id, &ch)
	return ch, err
}

// PushDrafts sends the drafts of an IMAP account that wait for its server
// (SaveDraft) and the rest of its journal, over a connection of its own,
// and returns how many drafts it APPENDed. On failure the drafts stay
// local; the next PushDrafts or sync sends them.
func (m *Mailer) PushDrafts(ctx context.Context, name string) (int, error) {
	return m.withOnline(ctx, name, (*imapsync.Syncer).PushDrafts)
}
