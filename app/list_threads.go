package app

import (
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"facteur/mailstore"
)

// In the thread view the first row of a thread says how many messages the
// thread has in the folder and how many are unread; Left (or Collapse the
// thread in the context menu) collapses the thread of the selected message
// to that row, Right (Expand the thread) expands it again
// (mailstore.ListOptions.Collapsed). The collapsed threads are kept in the
// settings, as the thread view is.

// prefCollapsed is the setting of the collapsed threads (their
// mailstore.Summary.ThreadID, in decimal), the last maxCollapsed.
const prefCollapsed = "collapsedThreads"

const maxCollapsed = 1000

// savedCollapsed reads the collapsed threads of the settings; what is not
// a thread id is left out.
func savedCollapsed(s *settings) []int64 {
	var ids []int64
	for _, v := range s.StringList(prefCollapsed) {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// setCollapsed makes ids the collapsed threads, in the listing and in the
// settings.
func (c *controller) setCollapsed(ids []int64) {
	if len(ids) > maxCollapsed {
		ids = ids[len(ids)-maxCollapsed:]
	}
	c.listOpts.Collapsed = ids
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	c.settings.SetStringList(prefCollapsed, out)
}

// threadFoldItem is the context menu's item that collapses or expands the
// thread of the selected message, nil outside the thread view or for a
// message alone.
func (c *controller) threadFoldItem() *fyne.MenuItem {
	if !c.listOpts.Threaded || c.listing.kind != listFolder || c.virt.current != "" {
		return nil
	}
	s, ok := c.selected()
	if !ok || len(c.selectedMsgs()) != 1 {
		return nil
	}
	root, ok, _ := c.rows.row(c.rows.find(func(o mailstore.Summary) bool { return o.ThreadID == s.ThreadID }))
	if !ok || root.ThreadSize < 2 {
		return nil
	}
	if root.Collapsed {
		return fyne.NewMenuItem(lang.L("Expand the thread"), func() { c.foldThread(false) })
	}
	return fyne.NewMenuItem(lang.L("Collapse the thread"), func() { c.foldThread(true) })
}

// threadCountText is the counts on the first row of a thread: "(5, 2
// unread)", "(3)"; "" for a message alone or outside the thread view.
func threadCountText(v rowView) string {
	if !v.loaded || !v.threads || v.sum.ThreadSize < 2 {
		return ""
	}
	n, unread := v.sum.ThreadSize, v.sum.ThreadUnread
	if unread == 0 {
		return lang.L("({{.Count}})", map[string]any{"Count": n})
	}
	return lang.N("({{.Count}}, {{.Unread}} unread)", unread, map[string]any{"Count": n, "Unread": unread})
}

// foldThread collapses (or expands) the thread of the selected message in
// the thread view; the selection goes to the thread's first row. It
// reports false outside the thread view, where the list keeps the key.
func (c *controller) foldThread(collapse bool) bool {
	if !c.listOpts.Threaded || c.listing.kind != listFolder || c.virt.current != "" {
		return false
	}
	i := c.selectedIndex()
	s, ok, _ := c.rows.row(i)
	if i < 0 || !ok {
		return true
	}
	first := c.rows.find(func(o mailstore.Summary) bool { return o.ThreadID == s.ThreadID })
	root, ok, _ := c.rows.row(first)
	if !ok || root.ThreadSize < 2 || root.Collapsed == collapse {
		return true
	}
	opts := slices.DeleteFunc(slices.Clone(c.listOpts.Collapsed), func(t int64) bool { return t == s.ThreadID })
	if collapse {
		opts = append(opts, s.ThreadID)
	}
	c.setCollapsed(opts)
	if root.ID != s.ID {
		c.ui.list.Select(first) // opens the first message of the thread
	}
	pages := c.rows.loadedPages()
	if len(pages) > reloadPages {
		pages = pages[len(pages)-reloadPages:]
	}
	c.startListing(c.folderListing(), pages, true)
	return true
}
