package app

import (
	"bytes"
	"context"
	"io"

	"fyne.io/fyne/v2/lang"

	"facteur/mailstore"
	"facteur/mua/compose"
	"facteur/mua/submit"
)

// draftsRef is the Local account's Drafts folder, where the composer saves.
var draftsRef = mailstore.FolderRef{Account: submit.LocalAccount, Name: "Drafts"}

// draftState is the autosave of one composer.
type draftState struct {
	id     int64  // the saved copy in Drafts, 0 for none
	dirty  bool   // edits not saved yet
	saving bool   // a save is on its way
	sent   bool   // the message went: nothing more to save
	stop   func() // the planned save
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

// saveDraft writes the draft into Drafts in the background, then purges
// the copy it replaces. One save at a time: edits made meanwhile are saved
// after it.
func (cm *composer) saveDraft() {
	if cm.draft.saving || cm.draft.sent || cm.sending || cm.c.readOnly {
		return
	}
	raw, err := compose.BuildDraft(cm.current(), cm.c.now())
	if err != nil {
		cm.showStatus(lang.L("The draft could not be saved: {{.Error}}", map[string]any{"Error": err.Error()}), true)
		return
	}
	cm.draft.saving, cm.draft.dirty = true, false
	old := cm.draft.id
	c := cm.c
	c.work.inOrder(func(ctx context.Context) func() {
		id, err := c.storeDraft(ctx, raw, old)
		return func() {
			cm.draft.saving = false
			if err != nil {
				cm.draft.dirty = true
				if !cm.closed {
					cm.showStatus(lang.L("The draft could not be saved: {{.Error}}", map[string]any{"Error": err.Error()}), true)
				}
				return
			}
			if cm.draft.sent { // sent while saving: the copy is not wanted
				c.work.inOrder(func(ctx context.Context) func() { _ = c.purgeDraft(ctx, id); return nil })
				return
			}
			cm.draft.id = id
			if cm.draft.dirty && !cm.closed {
				cm.scheduleSave()
			}
		}
	})
}

// storeDraft adds raw to Drafts and purges the copy it replaces.
func (c *controller) storeDraft(ctx context.Context, raw []byte, old int64) (int64, error) {
	sum, err := c.store.Add(ctx, draftsRef, bytes.NewReader(raw), mailstore.AddOptions{Flags: mailstore.FlagDraft | mailstore.FlagSeen})
	if err != nil {
		return 0, err
	}
	if old != 0 {
		if err := c.purgeDraft(ctx, old); err != nil {
			return sum.ID, err
		}
	}
	return sum.ID, nil
}

func (c *controller) purgeDraft(ctx context.Context, id int64) error {
	return c.store.Purge(ctx, []int64{id})
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
