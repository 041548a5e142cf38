package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/mailer"
)

// The folder menu: on a folder's right click (or secondary tap) in the
// folder pane, on the menu key or Shift+F10 while the tree has the
// keyboard, and as the Folder menu of the menu bar for the current
// folder. Every action goes through the profile's mailer, which changes an
// IMAP account's folders on its server first.

// folderActions are the items of the menu of folder f.
func (c *controller) folderActions(f mailstore.Folder) []*fyne.MenuItem {
	fixed := strings.EqualFold(f.Ref.Name, "INBOX") || f.Role == mailstore.RoleInbox || f.Role == mailstore.RoleOutbox
	newSub := fyne.NewMenuItem(lang.L("New subfolder…"), func() { c.askNewFolder(f.Ref.Account, f.Ref.Name) })
	rename := fyne.NewMenuItem(lang.L("Rename…"), func() { c.askRenameFolder(f) })
	rename.Disabled = fixed
	del := fyne.NewMenuItem(lang.L("Delete folder…"), func() { c.askDeleteFolder(f) })
	del.Disabled = fixed
	read := fyne.NewMenuItem(lang.L("Mark all as read"), func() { c.markFolderRead(f.Ref) })
	read.Disabled = f.Unread == 0
	items := []*fyne.MenuItem{newSub, rename, del, fyne.NewMenuItemSeparator(), read}
	if f.Role == mailstore.RoleTrash || f.Role == mailstore.RoleJunk {
		empty := fyne.NewMenuItem(emptyLabel(f.Role), func() { c.askEmptyFolder(f) })
		empty.Disabled = f.Total == 0
		items = append(items, empty)
	}
	props := fyne.NewMenuItem(lang.L("Properties…"), func() { c.showFolderInfo(f) })
	return append(items, fyne.NewMenuItemSeparator(), props)
}

func emptyLabel(role mailstore.Role) string {
	if role == mailstore.RoleJunk {
		return lang.L("Empty Junk…")
	}
	return lang.L("Empty Trash…")
}

// showFolderMenu pops the menu of the folder or account of tree node uid
// up at pos (absolute, on the window's canvas).
func (c *controller) showFolderMenu(uid string, pos fyne.Position) {
	var items []*fyne.MenuItem
	if account, ok := strings.CutPrefix(uid, accountPrefix); ok {
		items = []*fyne.MenuItem{fyne.NewMenuItem(lang.L("New folder…"), func() { c.askNewFolder(account, "") })}
	} else if f, ok := c.folderByUID(uid); ok {
		items = c.folderActions(f)
	}
	if len(items) == 0 {
		return
	}
	m := fyne.NewMenu("", items...)
	pop := widget.NewPopUpMenu(m, c.win.Canvas())
	pop.ShowAtPosition(pos)
	c.ui.folderMenu, c.ui.folderItems = pop, m
}

// treeKey opens the menu of the folder selected in the tree with the menu
// key or Shift+F10 while the tree has the keyboard, as the messages' menu
// opens from the list; the tree keeps its other keys.
func (c *controller) treeKey(e *fyne.KeyEvent) bool {
	menu := e.Name == desktop.KeyMenu || (e.Name == fyne.KeyF10 && c.modifiers()&fyne.KeyModifierShift != 0)
	if !menu || c.virt.current != "" || c.current.Name == "" {
		return false
	}
	uid := folderUID(c.current)
	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(c.ui.tree).Add(fyne.NewPos(c.ui.tree.Size().Width/4, 0))
	for _, r := range c.drag.rows {
		if r.uid == uid && r.Visible() && d.CanvasForObject(r) != nil {
			at = d.AbsolutePositionForObject(r).Add(fyne.NewPos(r.Size().Width/4, r.Size().Height/2))
			break
		}
	}
	c.showFolderMenu(uid, at)
	return true
}

// folderMenu is the Folder menu of the menu bar: a new folder, and the
// actions on the current folder (the one the list shows), looked up when
// an item is chosen.
func (c *controller) folderMenu() *fyne.Menu {
	onCurrent := func(label string, fn func(mailstore.Folder)) *fyne.MenuItem {
		return fyne.NewMenuItem(label, func() {
			if f, ok := c.folder(c.current); ok {
				fn(f)
			}
		})
	}
	newFolder := fyne.NewMenuItem(lang.L("New folder…"), c.newFolderHere)
	newFolder.Shortcut = shortcutNewFolder
	return fyne.NewMenu(lang.L("Folder"), newFolder,
		onCurrent(lang.L("New subfolder…"), func(f mailstore.Folder) { c.askNewFolder(f.Ref.Account, f.Ref.Name) }),
		onCurrent(lang.L("Rename…"), c.askRenameFolder),
		onCurrent(lang.L("Delete folder…"), c.askDeleteFolder),
		fyne.NewMenuItemSeparator(),
		onCurrent(lang.L("Mark all as read"), func(f mailstore.Folder) { c.markFolderRead(f.Ref) }),
		onCurrent(lang.L("Empty Trash or Junk…"), c.askEmptyFolder),
		fyne.NewMenuItemSeparator(),
		onCurrent(lang.L("Properties…"), c.showFolderInfo))
}

// newFolderHere asks for a new top-level folder of the current folder's
// account (the Local account's when none is open).
func (c *controller) newFolderHere() {
	account := c.current.Account
	if account == "" {
		account = mailer.LocalAccount
	}
	c.askNewFolder(account, "")
}

// folderOp runs a folder change through the mailer in the background, then
// reloads the folders; done, when set, runs after a success.
func (c *controller) folderOp(op func(ctx context.Context, m *mailer.Mailer) error, done func()) {
	m, err := c.mailer()
	if err != nil {
		c.showError(err)
		return
	}
	c.work.inOrder(func(ctx context.Context) func() {
		err := op(ctx, m)
		return func() {
			c.loadFolders(false)
			if err != nil {
				c.showError(folderError(err))
				return
			}
			if done != nil {
				done()
			}
		}
	})
}

// folderError says why a folder change failed.
func folderError(err error) error {
	switch {
	case errors.Is(err, mailstore.ErrFolderExists):
		return errors.New(lang.L("A folder of that name exists already."))
	case errors.Is(err, mailstore.ErrHasChildren):
		return errors.New(lang.L("This folder has subfolders: delete them first."))
	case errors.Is(err, mailstore.ErrBadFolder):
		return errors.New(lang.L("This is not a valid folder name."))
	case errors.Is(err, imapsync.ErrInbox):
		return errors.New(lang.L("The inbox cannot be renamed or deleted."))
	case errors.Is(err, imapsync.ErrOffline):
		return errors.New(lang.L("The server cannot be reached: folders are changed on the server. Try again once it answers."))
	}
	return err
}

// askNewFolder asks for the name of a new folder of account, inside parent
// ("" for the top level).
func (c *controller) askNewFolder(account, parent string) {
	entry := widget.NewEntry()
	title := lang.L("New folder")
	if parent != "" {
		title = lang.L("New subfolder of “{{.Folder}}”", map[string]any{"Folder": lastLevel(parent)})
	}
	c.askName(title, entry, func(name string) {
		ref := mailstore.FolderRef{Account: account, Name: joinLevel(parent, name)}
		c.folderOp(func(ctx context.Context, m *mailer.Mailer) error { return m.CreateFolder(ctx, ref) },
			func() { c.openFolder(ref) })
	})
}

// askRenameFolder asks for the new name of f (its last level).
func (c *controller) askRenameFolder(f mailstore.Folder) {
	entry := widget.NewEntry()
	entry.SetText(lastLevel(f.Ref.Name))
	c.askName(lang.L("Rename “{{.Folder}}”", map[string]any{"Folder": folderName(f)}), entry, func(name string) {
		to := joinLevel(parentOf(f.Ref.Name), name)
		if to == f.Ref.Name {
			return
		}
		c.folderOp(func(ctx context.Context, m *mailer.Mailer) error { return m.RenameFolder(ctx, f.Ref, to) }, func() {
			if c.current == f.Ref {
				c.openFolder(mailstore.FolderRef{Account: f.Ref.Account, Name: to})
			}
		})
	})
}

// askName shows a form with entry; ok gets the name typed (trimmed, not
// empty, without '/').
func (c *controller) askName(title string, entry *widget.Entry, ok func(string)) {
	entry.Validator = func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" || strings.Contains(s, "/") {
			return errors.New(lang.L("A name, without “/”"))
		}
		return nil
	}
	d := dialog.NewForm(title, lang.L("OK"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Name"), entry)}, func(confirmed bool) {
			if confirmed {
				ok(strings.TrimSpace(entry.Text))
			}
		}, c.win)
	d.Resize(fyne.NewSize(420, d.MinSize().Height))
	d.Show()
	c.win.Canvas().Focus(entry)
}

// askDeleteFolder asks before deleting f, saying what happens to its
// messages.
func (c *controller) askDeleteFolder(f mailstore.Folder) {
	text := lang.L("The folder is empty.")
	switch {
	case f.Total == 1:
		text = lang.L("Its message will be deleted for good, not moved to the Trash.")
	case f.Total > 1:
		text = lang.L("Its {{.N}} messages will be deleted for good, not moved to the Trash.", map[string]any{"N": formatCount(f.Total)})
	}
	if c.isIMAP(f.Ref.Account) {
		text += "\n" + lang.L("The folder is deleted on the account's server too.")
	}
	msg := lang.L("Delete the folder “{{.Folder}}”?", map[string]any{"Folder": folderName(f)}) + "\n\n" + text
	dialog.ShowConfirm(lang.L("Delete folder"), msg, func(yes bool) {
		if !yes {
			return
		}
		c.folderOp(func(ctx context.Context, m *mailer.Mailer) error { return m.DeleteFolder(ctx, f.Ref) }, func() {
			if c.current == f.Ref {
				if in, ok := inbox(c.folders); ok {
					c.openFolder(in.Ref)
				}
			}
		})
	}, c.win)
}

// askEmptyFolder asks before removing every message of a Trash or Junk.
func (c *controller) askEmptyFolder(f mailstore.Folder) {
	if f.Role != mailstore.RoleTrash && f.Role != mailstore.RoleJunk {
		c.showError(errors.New(lang.L("Only the Trash and Junk folders are emptied.")))
		return
	}
	msg := lang.L("Delete the {{.N}} messages of “{{.Folder}}” for good?", map[string]any{"N": formatCount(f.Total), "Folder": folderName(f)})
	if f.Total == 1 {
		msg = lang.L("Delete the message of “{{.Folder}}” for good?", map[string]any{"Folder": folderName(f)})
	}
	dialog.ShowConfirm(emptyLabel(f.Role), msg, func(yes bool) {
		if yes {
			c.folderOp(func(ctx context.Context, m *mailer.Mailer) error { _, err := m.Empty(ctx, f.Ref); return err }, c.reloadListNow)
		}
	}, c.win)
}

// markFolderRead marks every message of a folder read.
func (c *controller) markFolderRead(ref mailstore.FolderRef) {
	c.folderOp(func(ctx context.Context, m *mailer.Mailer) error { _, err := m.MarkFolderRead(ctx, ref); return err }, c.reloadListNow)
}

func (c *controller) reloadListNow() { c.reloadList(true) }

// showFolderInfo shows the properties of f: counts, size, server name.
func (c *controller) showFolderInfo(f mailstore.Folder) {
	m, err := c.mailer()
	if err != nil {
		c.showError(err)
		return
	}
	c.work.bg(func(ctx context.Context) func() {
		info, err := m.FolderInfo(ctx, f.Ref)
		return func() {
			if err != nil {
				c.showError(err)
				return
			}
			c.folderInfoDialog(f, info)
		}
	})
}

func (c *controller) folderInfoDialog(f mailstore.Folder, info mailer.FolderInfo) {
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Account"), widget.NewLabel(f.Ref.Account)),
		widget.NewFormItem(lang.L("Messages"), widget.NewLabel(formatCount(info.Total))),
		widget.NewFormItem(lang.L("Unread"), widget.NewLabel(formatCount(info.Unread))),
		widget.NewFormItem(lang.L("Size on disk"), widget.NewLabel(formatBytes(info.Size))),
	)
	if info.Remote != "" {
		form.Append(lang.L("Name on the server"), widget.NewLabel(info.Remote))
	}
	dialog.ShowCustom(lang.L("Properties of “{{.Folder}}”", map[string]any{"Folder": folderName(f)}), lang.L("Close"), form, c.win)
}

// formatBytes is a size for people: 512 B, 12.3 KB, 4.5 MB.
func formatBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}

// isIMAP tells whether the account is an IMAP account.
func (c *controller) isIMAP(name string) bool {
	if c.accts.mailer == nil || name == mailer.LocalAccount {
		return false
	}
	a, err := c.accts.mailer.Account(name)
	return err == nil && a.Protocol == account.IMAP
}

func parentOf(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return ""
}

func lastLevel(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func joinLevel(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}
