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
