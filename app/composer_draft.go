package app

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"facteur/mua/account"
	"facteur/mua/compose"
	"facteur/mua/mailer"
)

// The autosave of the composer. A draft is written a few seconds after the
// typing stops, and when the window closes. Where it goes depends on who
// sends it:
//
//   - the Local account, or a POP3 account: the Local account's Drafts
//     folder (Local/Drafts), on this computer only;
//   - an IMAP account: that account's Drafts folder, locally at once
//     (mailer.SaveDraft: the draft survives a crash and needs no
//     network), then on the server with APPEND, at most once every
//     pushWait while the user types and at once when the window closes
//     (composer_push.go). When the server does not answer the draft stays
//     local and the APPEND is retried later.
//
// Each save replaces the previous version: the old copy is removed from the
// store, and from its IMAP server through the account's journal. When the
// message is sent its draft is removed the same way.

// draftState is the autosave of one composer.
type draftState struct {
	id      int64            // the saved copy, 0 for none
	acct    *account.Account // the IMAP account whose Drafts hold it; nil: Local/Drafts
	savedAt time.Time        // of the saved copy
	pushed  bool             // the saved copy is on the account's server
	dirty   bool             // edits not saved yet
	saving  bool             // a save is on its way
	sent    bool             // the message went: nothing more to save
	problem bool             // the status shows a problem of the drafts
	stop    func()           // the planned save
}

// scheduleSave plans a save after a pause in the typing.
func (cm *composer) scheduleSave() {
	if cm.draft.stop != nil {
		cm.draft.stop()
	}
	cm.draft.stop = cm.c.work.later(cm.c.compose.saveWait, func() {
		cm.draft.stop = nil
		if !cm.closed {
			cm.saveDraft()
		}
	})
}

// saveDraft writes the draft in the background, then removes the copy it
// replaces. One save at a time: edits made meanwhile are saved after it.
func (cm *composer) saveDraft() {
	if cm.draft.saving || cm.draft.sent || cm.sending || cm.c.readOnly {
		return
	}
	raw, err := compose.BuildDraft(cm.current(), cm.c.now())
	if err != nil {
		cm.showStatus(lang.L("The draft could not be saved: {{.Error}}", map[string]any{"Error": err.Error()}), true)
		return
	}
	m, err := cm.c.mailer()
	if err != nil {
		cm.showSaved(err, nil)
		return
	}
	cm.draft.saving, cm.draft.dirty = true, false
	old, acct, c := cm.draft.id, cm.sender().account, cm.c
	c.work.inOrder(func(ctx context.Context) func() {
		out, err := m.ReplaceDraft(ctx, acct, raw, old)
		return func() { cm.saved(out, err) }
	})
}

// saved takes the outcome of a save on the UI goroutine.
func (cm *composer) saved(out mailer.DraftSaved, err error) {
	cm.draft.saving = false
	c := cm.c
	if cm.draft.sent { // sent while saving: the copy is not wanted
		if out.ID != 0 {
			c.discardDraft(out.ID)
		}
		return
	}
	if out.ID != 0 {
		cm.draft.id, cm.draft.acct, cm.draft.pushed, cm.draft.savedAt = out.ID, out.Account, false, c.now()
	}
	if out.Account != nil {
		wait := c.compose.pushWait
		if cm.closed { // the last save: the server gets it now
			wait = 0
		}
		c.queuePush(*out.Account, wait)
	}
	if err != nil {
		cm.draft.dirty = true
	}
	cm.showSaved(err, out.Warn)
	switch {
	case !cm.draft.dirty || err != nil:
	case cm.closed: // edits made while the last save ran
		cm.saveDraft()
	default:
		cm.scheduleSave()
	}
}

// showSaved tells where the draft is, or why it could not be saved (err),
// or why it is not in the account's Drafts (warn).
func (cm *composer) showSaved(err, warn error) {
	if cm.closed {
		return
	}
	switch {
	case err != nil:
		cm.showStatus(lang.L("The draft could not be saved: {{.Error}}", map[string]any{"Error": err.Error()}), true)
	case warn != nil:
		cm.showStatus(lang.L("The draft is kept in Local › Drafts: {{.Error}}", map[string]any{"Error": warn.Error()}), false)
	case cm.draft.problem:
		cm.showStatus("", false)
	}
	cm.draft.problem = err != nil || warn != nil
	cm.updateDraftNote()
}

// draftFlushTimeout bounds how long quitting waits for the last drafts.
const draftFlushTimeout = 10 * time.Second

// flushDrafts saves the drafts of the open composers as if their windows
// closed, and waits (draining q, where their saves report) until each is
// in the store.
func (c *controller) flushDrafts(q *uiQueue) {
	open := slices.Clone(c.compose.open)
	for _, cm := range open {
		cm.closedWindow()
	}
	saving := func() bool {
		return slices.ContainsFunc(open, func(cm *composer) bool { return cm.draft.saving })
	}
	deadline := time.NewTimer(draftFlushTimeout)
	defer deadline.Stop()
	for q.drain(); saving(); q.drain() {
		select {
		case <-q.wake:
		case <-deadline.C:
			fyne.LogError("facteur: quitting", errors.New("a draft was still being saved"))
			return
		}
	}
}

// removeDraft removes a saved draft through the mailer: from its IMAP
// account locally at once and on the server with the next push or sync,
// else from the store. It returns the IMAP account, to push the removal.
func removeDraft(ctx context.Context, m *mailer.Mailer, id int64) (*account.Account, error) {
	ch, err := m.DiscardDraft(ctx, id)
	if err != nil || len(ch.Journaled) == 0 {
		return nil, err
	}
	a, err := m.Account(ch.Journaled[0])
	if err != nil {
		return nil, nil // removed since: nothing to push to
	}
	return &a, nil
}

// discardDraft removes, in the background, a draft whose message was
// sent, and pushes the removal to its IMAP server at once.
func (c *controller) discardDraft(id int64) {
	m, err := c.mailer()
	if err != nil {
		c.showError(err)
		return
	}
	c.work.inOrder(func(ctx context.Context) func() {
		a, err := removeDraft(ctx, m, id)
		return func() {
			if err == nil && a != nil {
				c.queuePush(*a, 0)
			}
		}
	})
}

// readOriginal reads a stored message for the compose builders.
func (c *controller) readOriginal(ctx context.Context, id int64) (compose.Original, error) {
	rc, err := c.store.Open(ctx, id)
	if err != nil {
		return compose.Original{}, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		return compose.Original{}, err
	}
	return compose.ParseOriginal(raw)
}
