package app

import (
	"context"

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

// act carries out a message action through the mailer, which routes it by
// the account holding each message (an IMAP account's server gets it from
// its journal, pushed at once over the watcher's connection); a window
// without a profile has no mailer, and its store holds no account's mail:
// the store alone then.
func act(m *mailer.Mailer, viaMailer func(*mailer.Mailer) (mailer.Change, error), local func() error) error {
	if m != nil {
		_, err := viaMailer(m)
		return err
	}
	return local()
}

// selected is the message in the reader, with the flags the list shows.
func (c *controller) selected() (mailstore.Summary, bool) {
	s := c.ui.reader.sum
	if s.ID == 0 || s.ID != c.selID {
		return mailstore.Summary{}, false
	}
	return s, true
}

// toggleRead marks the selected message read or unread (u).
func (c *controller) toggleRead() {
	if s, ok := c.selected(); ok {
		if s.Flags&mailstore.FlagSeen != 0 {
			c.setFlags([]mailstore.Summary{s}, 0, mailstore.FlagSeen)
		} else {
			c.setFlags([]mailstore.Summary{s}, mailstore.FlagSeen, 0)
		}
	}
}

// toggleFlag flags or unflags the selected message (s or f).
func (c *controller) toggleFlag() {
	if s, ok := c.selected(); ok {
		if s.Flags&mailstore.FlagFlagged != 0 {
			c.setFlags([]mailstore.Summary{s}, 0, mailstore.FlagFlagged)
		} else {
			c.setFlags([]mailstore.Summary{s}, mailstore.FlagFlagged, 0)
		}
	}
}

// setFlags adds and removes flags: on screen now, in the store next.
func (c *controller) setFlags(msgs []mailstore.Summary, add, remove mailstore.Flags) {
	ids := make([]int64, 0, len(msgs))
	for _, s := range msgs {
		ids = append(ids, s.ID)
		c.showFlags(s, (s.Flags|add)&^remove)
	}
	m := c.accts.mailer
	c.work.inOrder(func(ctx context.Context) func() {
		err := act(m, func(m *mailer.Mailer) (mailer.Change, error) { return m.SetFlags(ctx, ids, add, remove) },
			func() error { return c.store.SetFlags(ctx, ids, add, remove) })
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
}

// deleteSelected moves the selected message to the Trash: the Delete key
// and the reader's Delete button.
func (c *controller) deleteSelected() {
	s, ok := c.selected()
	if !ok {
		return
	}
	// The store's change is queued before the list changes: the pages that
	// the list asks for next are read after it, never with the message.
	m := c.accts.mailer
	c.work.inOrder(func(ctx context.Context) func() {
		ids := []int64{s.ID}
		err := act(m, func(m *mailer.Mailer) (mailer.Change, error) { return m.Delete(ctx, ids) },
			func() error { return c.store.Delete(ctx, ids) })
		return c.afterMove(err)
	})
	c.removeFromList(s)
}

// moveSelected moves the selected message to another folder.
func (c *controller) moveSelected(dest mailstore.FolderRef) {
	s, ok := c.selected()
	if !ok || dest == s.Folder {
		return
	}
	m := c.accts.mailer
	c.work.inOrder(func(ctx context.Context) func() {
		ids := []int64{s.ID}
		err := act(m, func(m *mailer.Mailer) (mailer.Change, error) { return m.Move(ctx, ids, dest) },
			func() error { return c.store.Move(ctx, ids, dest) })
		return c.afterMove(err)
	})
	c.removeFromList(s)
}

func (c *controller) afterMove(err error) func() {
	return func() {
		if err != nil {
			c.storeFailed(err)
			return
		}
		c.loadFolders(false)
	}
}

// removeFromList takes message s out of the list and opens the one that takes
// its place, as mail readers do after a delete.
func (c *controller) removeFromList(s mailstore.Summary) {
	i := c.rows.indexOf(s.ID)
	if s.Flags&mailstore.FlagSeen == 0 {
		c.adjustUnread(s.Folder, -1)
	}
	c.closeReader()
	if i < 0 {
		return
	}
	c.rows.removeAt(i)
	c.quiet = true
	c.ui.list.UnselectAll()
	c.quiet = false
	c.ui.list.Refresh()
	c.updateEmpty()
	if n := c.rows.length(); n > 0 {
		c.ui.list.Select(min(i, n-1))
	}
}

// showMoveDialog lets the user pick the folder to move the selected message to.
func (c *controller) showMoveDialog() {
	s, ok := c.selected()
	if !ok {
		return
	}
	var targets []mailstore.Folder
	for _, f := range c.folders {
		if f.Ref != s.Folder {
			targets = append(targets, f)
		}
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
		c.moveSelected(targets[i].Ref)
	}
	d = dialog.NewCustom(lang.L("Move to folder"), lang.L("Cancel"), container.NewStack(list), c.win)
	d.Resize(fyne.NewSize(360, 420))
	d.Show()
}

// accountCount is the number of accounts in the tree.
func (c *controller) accountCount() int {
	return len(c.treeChildren(""))
}
