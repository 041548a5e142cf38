package app

import (
	"context"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/watch"
)

// Tree node IDs: accounts are branches, folders leaves.
const (
	accountPrefix = "account:"
	folderPrefix  = "folder:"
)

func accountUID(account string) widget.TreeNodeID { return accountPrefix + account }

func folderUID(ref mailstore.FolderRef) widget.TreeNodeID {
	return folderPrefix + ref.Account + "\x00" + ref.Name
}

// keyTree is a widget.Tree that passes the letter shortcuts on while it has the
// keyboard focus (a focused widget gets the keys before the canvas), and
// the keys it does not use itself (the menu key) to onKey.
type keyTree struct {
	widget.Tree
	onRune func(rune) bool
	onKey  func(*fyne.KeyEvent) bool
}

func (t *keyTree) TypedRune(r rune) {
	if t.onRune == nil || !t.onRune(r) {
		t.Tree.TypedRune(r)
	}
}

func (t *keyTree) TypedKey(e *fyne.KeyEvent) {
	if t.onKey == nil || !t.onKey(e) {
		t.Tree.TypedKey(e)
	}
}

// folderRow draws one tree node: icon, name, unread count. A right click
// (secondary tap) on it shows the menu of its node.
type folderRow struct {
	widget.BaseWidget
	icon  *widget.Icon
	name  *widget.Label
	count *widget.Label
	uid   widget.TreeNodeID
	menu  func(uid widget.TreeNodeID, pos fyne.Position) // nil: no menu
	// drop marks the row as where dragged messages would go.
	drop *canvas.Rectangle
}

// TappedSecondary shows the node's menu where the pointer is.
func (r *folderRow) TappedSecondary(e *fyne.PointEvent) {
	if r.menu != nil {
		r.menu(r.uid, e.AbsolutePosition)
	}
}

func newFolderRow() *folderRow {
	r := &folderRow{
		icon:  widget.NewIcon(theme.FolderIcon()),
		name:  widget.NewLabel(""),
		count: widget.NewLabel(""),
		drop:  newDropMark(),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.count.TextStyle.Bold = true
	r.ExtendBaseWidget(r)
	return r
}

func (r *folderRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.drop, container.NewBorder(nil, nil, r.icon, r.count, r.name)))
}

// showAccount draws an account node; failing, it shows the error icon.
func (r *folderRow) showAccount(name string, failing bool) {
	r.icon.SetResource(theme.AccountIcon())
	if failing {
		r.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
	}
	r.name.TextStyle.Bold = true
	r.name.SetText(name)
	r.count.SetText("")
	r.Refresh()
}

func (r *folderRow) showFolder(f mailstore.Folder) {
	r.icon.SetResource(roleIcon(f.Role))
	r.name.TextStyle.Bold = f.Unread > 0
	r.name.SetText(folderName(f))
	if f.Unread > 0 {
		r.count.SetText(formatCount(f.Unread))
	} else {
		r.count.SetText("")
	}
	r.Refresh() // the count changed width
}

// roleIcon is the theme icon of a folder role.
func roleIcon(role mailstore.Role) fyne.Resource {
	switch role {
	case mailstore.RoleInbox:
		return theme.DownloadIcon()
	case mailstore.RoleSent:
		return theme.MailSendIcon()
	case mailstore.RoleDrafts:
		return theme.DocumentCreateIcon()
	case mailstore.RoleTrash:
		return theme.DeleteIcon()
	case mailstore.RoleJunk:
		return theme.WarningIcon()
	case mailstore.RoleArchive:
		return theme.StorageIcon()
	case mailstore.RoleOutbox:
		return theme.UploadIcon()
	}
	return theme.FolderIcon()
}

// folderName is the name shown for a folder: the translated role name for the
// special folders, the folder's own name otherwise.
func folderName(f mailstore.Folder) string {
	switch f.Role {
	case mailstore.RoleInbox:
		return lang.L("Inbox")
	case mailstore.RoleSent:
		return lang.L("Sent")
	case mailstore.RoleDrafts:
		return lang.L("Drafts")
	case mailstore.RoleTrash:
		return lang.L("Trash")
	case mailstore.RoleJunk:
		return lang.L("Junk")
	case mailstore.RoleArchive:
		return lang.L("Archive")
	case mailstore.RoleOutbox:
		return lang.L("Outbox")
	}
	if strings.EqualFold(f.Ref.Name, "INBOX") {
		return lang.L("Inbox")
	}
	return f.Ref.Name
}

// buildFolders makes the accounts and folders tree.
func (c *controller) buildFolders() fyne.CanvasObject {
	t := &keyTree{onRune: c.typedRune, onKey: c.treeKey}
	t.ChildUIDs = c.treeChildren
	t.IsBranch = func(uid widget.TreeNodeID) bool {
		return uid == "" || strings.HasPrefix(uid, accountPrefix)
	}
	t.CreateNode = func(bool) fyne.CanvasObject {
		r := newFolderRow()
		r.menu = c.showFolderMenu
		c.drag.rows = append(c.drag.rows, r)
		return r
	}
	t.UpdateNode = c.updateTreeNode
	t.HideSeparators = true
	t.OnSelected = c.treeSelected
	t.ExtendBaseWidget(t)
	c.ui.tree = t
	return t
}

func (c *controller) treeChildren(uid widget.TreeNodeID) []widget.TreeNodeID {
	var ids []widget.TreeNodeID
	if uid == "" && len(c.folders) > 0 {
		for _, v := range mailstore.Virtuals {
			ids = append(ids, virtualUID(v))
		}
	}
	seen := map[string]bool{}
	for _, f := range c.folders {
		switch {
		case uid == "" && !seen[f.Ref.Account]:
			seen[f.Ref.Account] = true
			ids = append(ids, accountUID(f.Ref.Account))
		case uid == accountUID(f.Ref.Account):
			ids = append(ids, folderUID(f.Ref))
		}
	}
	if uid == "" { // an account with no folder yet (its first check failed, or runs) shows too
		for _, name := range slices.Sorted(maps.Keys(c.accts.status)) {
			if !seen[name] {
				ids = append(ids, accountUID(name))
			}
		}
	}
	return ids
}

func (c *controller) updateTreeNode(uid widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	row := o.(*folderRow)
	row.uid = uid
	if v, ok := virtualOf(uid); ok {
		row.showVirtual(v, c.virt.counts[v])
		return
	}
	if account, ok := strings.CutPrefix(uid, accountPrefix); ok {
		row.showAccount(account, c.accts.status[account].State == watch.Failed)
		return
	}
	if f, ok := c.folderByUID(uid); ok {
		row.showFolder(f)
	}
}

func (c *controller) folderByUID(uid widget.TreeNodeID) (mailstore.Folder, bool) {
	for _, f := range c.folders {
		if folderUID(f.Ref) == uid {
			return f, true
		}
	}
	return mailstore.Folder{}, false
}

// folder returns the folder with ref, as last loaded.
func (c *controller) folder(ref mailstore.FolderRef) (mailstore.Folder, bool) {
	for _, f := range c.folders {
		if f.Ref == ref {
			return f, true
		}
	}
	return mailstore.Folder{}, false
}

func (c *controller) treeSelected(uid widget.TreeNodeID) {
	if c.quiet {
		return
	}
	if v, ok := virtualOf(uid); ok {
		c.openVirtual(v)
		return
	}
	f, ok := c.folderByUID(uid)
	if !ok {
		c.ui.tree.ToggleBranch(uid)
		c.selectFolderInTree() // an account is not a folder: keep the folder selected
		return
	}
	c.openFolder(f.Ref)
}

// selectFolderInTree shows the current folder as the tree's selection.
func (c *controller) selectFolderInTree() {
	c.quiet = true
	defer func() { c.quiet = false }()
	if c.virt.current != "" {
		c.ui.tree.Select(virtualUID(c.virt.current))
		return
	}
	c.ui.tree.Select(folderUID(c.current))
}

// loadFolders reads the folders and their counts; with openInbox it then opens
// the inbox of the first account.
func (c *controller) loadFolders(openInbox bool) {
	w, all := c.accts.watcher, c.showUnsubscribed()
	c.work.bg(func(ctx context.Context) func() {
		folders, err := c.store.Folders(ctx)
		var counts map[mailstore.Virtual]virtualCount
		if err == nil {
			counts, err = virtualCounts(ctx, c.store, folders)
		}
		if err == nil && w != nil && !all {
			folders = subscribedOnly(folders, func(acct string) map[string]bool {
				subs, _ := w.Subscriptions(ctx, acct)
				return subs
			})
		}
		return func() {
			if err != nil {
				c.showError(err)
				return
			}
			c.virt.counts = counts
			c.setFolders(folders)
			if openInbox {
				if f, ok := inbox(folders); ok {
					c.openFolder(f.Ref)
				}
			}
		}
	})
}

// setFolders replaces the folder list and redraws the tree.
func (c *controller) setFolders(folders []mailstore.Folder) {
	first := len(c.folders) == 0
	c.folders = folders
	c.ui.tree.Refresh()
	if first {
		c.ui.tree.OpenAllBranches()
	}
	if _, ok := c.folder(c.current); ok || c.virt.current != "" {
		c.selectFolderInTree()
	}
	c.updateTitle()
}

// inbox picks the folder to open first: the first inbox, else the first folder.
func inbox(folders []mailstore.Folder) (mailstore.Folder, bool) {
	for _, f := range folders {
		if f.Role == mailstore.RoleInbox {
			return f, true
		}
	}
	if len(folders) > 0 {
		return folders[0], true
	}
	return mailstore.Folder{}, false
}

// adjustUnread changes the unread count of a folder shown in the tree, for an
// optimistic update; the next refresh brings the store's figures.
func (c *controller) adjustUnread(ref mailstore.FolderRef, delta int) {
	for i := range c.folders {
		if c.folders[i].Ref == ref {
			c.folders[i].Unread = max(0, c.folders[i].Unread+delta)
			c.ui.tree.RefreshItem(folderUID(ref))
			c.updateTitle()
			return
		}
	}
}

// updateTitle puts the current folder and its unread count in the title bar.
func (c *controller) updateTitle() {
	f, ok := c.folder(c.current)
	name, unread := folderName(f), f.Unread
	if v := c.virt.current; v != "" {
		name, unread, ok = virtualName(v), c.virt.counts[v].unread, true
	}
	if !ok {
		c.win.SetTitle("Facteur")
		return
	}
	title := name + " — Facteur"
	if unread > 0 {
		title = name + " (" + formatCount(unread) + ") — Facteur"
	}
	c.win.SetTitle(title)
}

// prefUnsubscribed is the preference that shows the IMAP folders the user
// did not subscribe to.
const prefUnsubscribed = "showUnsubscribedFolders"

func (c *controller) showUnsubscribed() bool {
	return c.settings.Bool(prefUnsubscribed, false)
}

// subscribedOnly drops the folders that their IMAP server says the user is
// not subscribed to (LIST \Subscribed); folders it said nothing about, and
// inboxes, stay. subs gives the states of an account, nil when unknown.
func subscribedOnly(folders []mailstore.Folder, subs func(account string) map[string]bool) []mailstore.Folder {
	known := map[string]map[string]bool{}
	out := folders[:0:0]
	for _, f := range folders {
		m, ok := known[f.Ref.Account]
		if !ok {
			m = subs(f.Ref.Account)
			known[f.Ref.Account] = m
		}
		if sub, told := m[f.Ref.Name]; told && !sub && f.Role != mailstore.RoleInbox {
			continue
		}
		out = append(out, f)
	}
	return out
}
