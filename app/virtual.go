package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// The virtual folders All inboxes, All unread and All flagged sit above the
// accounts in the folder pane. Each lists the messages of every account
// (one query of the store: mailstore.ListVirtual), with the account of
// each message on its row; the actions on them go through the mailer,
// which routes each message by its account, as in any folder.

const virtualPrefix = "virtual:"

func virtualUID(v mailstore.Virtual) widget.TreeNodeID { return virtualPrefix + string(v) }

// virtualState belongs to the UI goroutine.
type virtualState struct {
	current mailstore.Virtual // the virtual folder the list shows; "" for none
	counts  map[mailstore.Virtual]virtualCount
}

type virtualCount struct{ total, unread int }

func virtualName(v mailstore.Virtual) string {
	switch v {
	case mailstore.VirtualUnread:
		return lang.L("All unread")
	case mailstore.VirtualFlagged:
		return lang.L("All flagged")
	}
	return lang.L("All inboxes")
}

func virtualIcon(v mailstore.Virtual) fyne.Resource {
	switch v {
	case mailstore.VirtualUnread:
		return theme.MailComposeIcon()
	case mailstore.VirtualFlagged:
		return flagIcon
	}
	return theme.HomeIcon()
}

// showVirtual draws a virtual folder's node with its count: the unread
// messages, or for All flagged the flagged ones.
func (r *folderRow) showVirtual(v mailstore.Virtual, n virtualCount) {
	r.icon.SetResource(virtualIcon(v))
	count := n.unread
	if v == mailstore.VirtualFlagged {
		count = n.total
	}
	r.name.TextStyle.Bold = count > 0
	r.name.SetText(virtualName(v))
	r.count.SetText("")
	if count > 0 {
		r.count.SetText(formatCount(count))
	}
	r.Refresh()
}

// virtualOf is the virtual folder of a tree node.
func virtualOf(uid widget.TreeNodeID) (mailstore.Virtual, bool) {
	v, ok := strings.CutPrefix(uid, virtualPrefix)
	return mailstore.Virtual(v), ok
}

// openVirtual shows a virtual folder in the list, leaving search mode.
func (c *controller) openVirtual(v mailstore.Virtual) {
	c.leaveSearch()
	if c.virt.current != v {
		c.closeReader()
	}
	c.current = mailstore.FolderRef{}
	c.virt.current = v
	c.selectFolderInTree()
	c.updateTitle()
	c.startListing(c.virtualListing(), nil, false)
}

// virtualListing lists the current virtual folder with the current sort.
func (c *controller) virtualListing() rowSource {
	v, opt := c.virt.current, c.listOpts
	opt.Threaded = false
	return rowSource{
		kind: listFolder,
		fetch: func(ctx context.Context, offset, limit int) ([]mailstore.Summary, error) {
			o := opt
			o.Offset, o.Limit = offset, limit
			return c.store.ListVirtual(ctx, v, o)
		},
		count: func(ctx context.Context) (int, bool, error) {
			total, _, err := c.store.CountVirtual(ctx, v)
			return total, false, err
		},
	}
}

// rowWhere is what a row says of where its message is: the folder in
// search results, the account (and the folder, but for inboxes) in a
// virtual folder, nothing in a folder.
func (c *controller) rowWhere(f mailstore.Folder) string {
	switch {
	case c.listing.kind == listSearch:
		return folderName(f)
	case c.virt.current == mailstore.VirtualInboxes:
		return f.Ref.Account
	case c.virt.current != "":
		return f.Ref.Account + " › " + folderName(f)
	}
	return ""
}

// virtualCounts gives the counts of the virtual folders: those of All
// inboxes and All unread summed from the folders' counts (what
// mailstore.ListVirtual lists in them), that of All flagged from the
// store (its partial index).
func virtualCounts(ctx context.Context, s mailStore, folders []mailstore.Folder) (map[mailstore.Virtual]virtualCount, error) {
	out := map[mailstore.Virtual]virtualCount{}
	for _, f := range folders {
		if f.Role == mailstore.RoleInbox || strings.EqualFold(f.Ref.Name, "INBOX") {
			n := out[mailstore.VirtualInboxes]
			out[mailstore.VirtualInboxes] = virtualCount{total: n.total + f.Total, unread: n.unread + f.Unread}
		}
		if f.Role != mailstore.RoleTrash && f.Role != mailstore.RoleJunk {
			n := out[mailstore.VirtualUnread]
			out[mailstore.VirtualUnread] = virtualCount{total: n.total + f.Unread, unread: n.unread + f.Unread}
		}
	}
	total, unread, err := s.CountVirtual(ctx, mailstore.VirtualFlagged)
	out[mailstore.VirtualFlagged] = virtualCount{total: total, unread: unread}
	return out, err
}
