package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/mailer"
)

// Actions update the screen at once (optimistic) and then the store, on the
// serial worker so that page loads asked afterwards see the change. A failed
// store call shows a dialog and reloads from the store (storeFailed).

// actor is the window's mailer for a message action, read on the UI
// goroutine (c.mailer) and used in the background: it routes each action
// by the account holding the message (an IMAP account's server gets it
// from its journal, pushed at once over the watcher's connection). A
// window whose mailer could not open fails the action with the reason.
type actor struct {
	m   *mailer.Mailer
	err error
}

func (c *controller) actor() actor {
	m, err := c.mailer()
	return actor{m: m, err: err}
}

// do runs one action of the mailer. A move or copy done without some
// keywords (mailer.Change.KeywordsLeft) gives a *keywordsLeft, a warning
// (warnKeywordsLeft), not a failure.
func (a actor) do(fn func(*mailer.Mailer) (mailer.Change, error)) error {
	if a.err != nil {
		return a.err
	}
	ch, err := fn(a.m)
	if err == nil && ch.KeywordsLeft != nil {
		return &keywordsLeft{err: ch.KeywordsLeft}
	}
	return err
}

// keywordsLeft is a move or copy into another account done without the
// keywords that found no free letter there (a *mailstore.KeywordsError
// per destination): not a failure.
type keywordsLeft struct{ err error }

func (k *keywordsLeft) Error() string { return k.err.Error() }
func (k *keywordsLeft) Unwrap() error { return k.err }

// onlyKeywordsLeft tells whether err, a result of do or several joined,
// says nothing but keywords left out.
func onlyKeywordsLeft(err error) bool {
	var kl *keywordsLeft
	if errors.As(err, &kl) && err == error(kl) {
		return true
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok || len(j.Unwrap()) == 0 {
		return false
	}
	for _, e := range j.Unwrap() {
		if !onlyKeywordsLeft(e) {
			return false
		}
	}
	return true
}

// keywordsLeftText says which keywords a move or copy left out, and why.
func keywordsLeftText(err error) string {
	var ke *mailstore.KeywordsError
	if !errors.As(err, &ke) {
		return err.Error()
	}
	return lang.L("Done without the keywords {{.Keywords}}: the account {{.Account}} has a letter for 26 keywords already",
		map[string]any{"Keywords": strings.Join(ke.Keywords, ", "), "Account": ke.Account})
}

// selected is the message in the reader, with the flags the list shows.
func (c *controller) selected() (mailstore.Summary, bool) {
	s := c.ui.reader.sum
	if s.ID == 0 || s.ID != c.selID {
		return mailstore.Summary{}, false
	}
	return s, true
}

// toggleRead marks the selected messages read or unread (u): unread when
// the message in the reader (else the first selected) is read.
func (c *controller) toggleRead() { c.toggle(mailstore.FlagSeen) }

// toggleFlag flags or unflags the selected messages (s or f).
func (c *controller) toggleFlag() { c.toggle(mailstore.FlagFlagged) }

// toggle sets or clears flag on the selected messages, the reverse of the
// state of the message in the reader (else the first selected).
func (c *controller) toggle(flag mailstore.Flags) {
	msgs := c.selectedMsgs()
	if len(msgs) == 0 {
		return
	}
	if c.refMsg(msgs).Flags&flag != 0 {
		c.markFlags(msgs, 0, flag)
	} else {
		c.markFlags(msgs, flag, 0)
	}
}

// refMsg is the message whose state a toggle reverses: the one in the
// reader when it is selected, else the first.
func (c *controller) refMsg(msgs []mailstore.Summary) mailstore.Summary {
	for _, s := range msgs {
		if s.ID == c.selID {
			return s
		}
	}
	return msgs[0]
}

// markFlags is a mark the user asked for: it can be undone.
func (c *controller) markFlags(msgs []mailstore.Summary, add, remove mailstore.Flags) {
	c.setFlags(msgs, add, remove)
	undo := c.flagsUndo(msgs, add, remove)
	if len(msgs) > 1 {
		c.notify(markText(len(msgs), add, remove), undo)
	} else { // Ctrl+Z, without a notice for one message
		c.hideNotice() // whose Undo would now reverse this mark
		c.note.undo = undo
	}
}

// setFlags adds and removes flags: on screen now, in the store next.
func (c *controller) setFlags(msgs []mailstore.Summary, add, remove mailstore.Flags) {
	ids := make([]int64, 0, len(msgs))
	for _, s := range msgs {
		ids = append(ids, s.ID)
		c.showFlags(s, (s.Flags|add)&^remove)
	}
	a := c.actor()
	c.work.inOrder(func(ctx context.Context) func() {
		err := a.do(func(m *mailer.Mailer) (mailer.Change, error) { return m.SetFlags(ctx, ids, add, remove) })
		return func() {
			if err != nil {
				c.storeFailed(err)
			}
		}
	})
}

// showFlags draws new flags of message s in the list, the tree and the reader.
func (c *controller) showFlags(s mailstore.Summary, after mailstore.Flags) {
	if i := c.rows.update(s.ID, func(r *mailstore.Summary) { r.Flags = after }); i >= 0 {
		c.ui.list.RefreshItem(i)
	}
	wasSeen, isSeen := s.Flags&mailstore.FlagSeen != 0, after&mailstore.FlagSeen != 0
	switch {
	case wasSeen && !isSeen:
		c.adjustUnread(s.Folder, 1)
	case !wasSeen && isSeen:
		c.adjustUnread(s.Folder, -1)
	}
	if c.ui.reader.sum.ID == s.ID {
		c.ui.reader.setFlags(after)
	}
	c.selectionFlags(s.ID, after)
}

// deleteSelected moves the selected messages to the Trash: the Delete key
// and the reader's Delete button.
func (c *controller) deleteSelected() {
	msgs := c.selectedMsgs()
	if len(msgs) == 0 {
		return
	}
	c.queueTrash(msgs)
	c.removeFromList(msgs)
	c.notifyTrashed(msgs)
}

// queueTrash queues the move of msgs to the Trash. The store's change is
// queued before the list changes: the pages that the list asks for next
// are read after it, never with the message.
func (c *controller) queueTrash(msgs []mailstore.Summary) {
	a, ids := c.actor(), summaryIDs(msgs)
	c.work.inOrder(func(ctx context.Context) func() {
		err := a.do(func(m *mailer.Mailer) (mailer.Change, error) { return m.Delete(ctx, ids) })
		return c.afterMove(err)
	})
}

// notifyTrashed says that msgs were deleted; the messages already in a
// Trash are gone for good, the others can come back.
func (c *controller) notifyTrashed(msgs []mailstore.Summary) {
	var back []mailstore.Summary
	for _, s := range msgs {
		if f, ok := c.folder(s.Folder); !ok || f.Role != mailstore.RoleTrash {
			back = append(back, s)
		}
	}
	if len(back) == 0 {
		c.notify(deletedText(len(msgs), true), nil)
		return
	}
	c.notify(deletedText(len(back), false), c.moveUndo(back))
}

// moveSelected moves the selected messages to another folder.
func (c *controller) moveSelected(dest mailstore.FolderRef) { c.moveMsgs(c.selectedMsgs(), dest) }

// moveMsgs moves messages to another folder (the Move action, a drop on
// the folder tree), with Undo in the notice.
func (c *controller) moveMsgs(msgs []mailstore.Summary, dest mailstore.FolderRef) {
	msgs = slices.DeleteFunc(msgs, func(s mailstore.Summary) bool { return s.Folder == dest })
	if len(msgs) == 0 {
		return
	}
	a, ids := c.actor(), summaryIDs(msgs)
	c.work.inOrder(func(ctx context.Context) func() {
		err := a.do(func(m *mailer.Mailer) (mailer.Change, error) { return m.Move(ctx, ids, dest) })
		return c.afterMove(err)
	})
	c.removeFromList(msgs)
	c.notify(c.movedText(len(msgs), dest, false), c.moveUndo(msgs))
}

func summaryIDs(msgs []mailstore.Summary) []int64 {
	ids := make([]int64, 0, len(msgs))
	for _, s := range msgs {
		ids = append(ids, s.ID)
	}
	return ids
}

func (c *controller) afterMove(err error) func() {
	return func() {
		if err = c.warnKeywordsLeft(err); err != nil {
			c.storeFailed(err)
			return
		}
		c.loadFolders(false)
	}
}

// warnKeywordsLeft says under the folders that a move or copy was done
// without some keywords, when that is all err says (nil is returned
// then: the action was done); any other error is returned.
func (c *controller) warnKeywordsLeft(err error) error {
	if err == nil || !onlyKeywordsLeft(err) {
		return err
	}
	c.setCheckStatus(keywordsLeftText(err), false)
	return nil
}

// removeFromList takes messages out of the list and opens the one that
// takes the place of the first, as mail readers do after a delete. When
// some of them were not loaded (Ctrl+A in a long folder), the list is
// read again.
func (c *controller) removeFromList(msgs []mailstore.Summary) {
	var at []int
	for _, s := range msgs {
		if s.Flags&mailstore.FlagSeen == 0 {
			c.adjustUnread(s.Folder, -1)
		}
		if i := c.rows.indexOf(s.ID); i >= 0 {
			at = append(at, i)
		}
	}
	c.sel.msgs = nil
	c.closeReader()
	c.updateEmpty()
	if len(at) < len(msgs) {
		c.reloadList(true)
	}
	if len(at) == 0 {
		return
	}
	slices.Sort(at)
	for k := len(at) - 1; k >= 0; k-- {
		c.rows.removeAt(at[k])
	}
	c.unselectList()
	c.ui.list.Refresh()
	c.updateEmpty()
	if n := c.rows.length(); n > 0 {
		c.ui.list.Select(min(at[0], n-1))
	}
}

// showMoveDialog lets the user pick the folder to move the selected
// messages to.
func (c *controller) showMoveDialog() {
	c.showFolderDialog(lang.L("Move to folder"), c.moveSelected)
}

// showCopyDialog lets the user pick the folder to copy the selected
// messages into.
func (c *controller) showCopyDialog() {
	c.showFolderDialog(lang.L("Copy to folder"), c.copySelected)
}

// showFolderDialog lists the folders other than the selection's own and
// calls pick with the one chosen.
func (c *controller) showFolderDialog(title string, pick func(mailstore.FolderRef)) {
	msgs := c.selectedMsgs()
	if len(msgs) == 0 {
		return
	}
	var targets []mailstore.Folder
	for _, f := range c.folders {
		if !slices.ContainsFunc(msgs, func(s mailstore.Summary) bool { return s.Folder != f.Ref }) {
			continue // every selected message is there already
		}
		targets = append(targets, f)
	}
	var d dialog.Dialog
	list := widget.NewList(
		func() int { return len(targets) },
		func() fyne.CanvasObject { return newFolderRow() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			f := targets[i]
			f.Unread = 0
			o.(*folderRow).showFolder(f)
			if c.accountCount() > 1 {
				o.(*folderRow).name.SetText(f.Ref.Account + " / " + folderName(f))
			}
		})
	list.OnSelected = func(i widget.ListItemID) {
		d.Hide()
		pick(targets[i].Ref)
	}
	d = dialog.NewCustom(title, lang.L("Cancel"), container.NewStack(list), c.win)
	d.Resize(fyne.NewSize(360, 420))
	d.Show()
}

// accountCount is the number of accounts in the tree.
func (c *controller) accountCount() int {
	return len(c.treeChildren(""))
}
