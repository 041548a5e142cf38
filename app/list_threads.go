package app

import (
	"slices"

	"fyne.io/fyne/v2/lang"

	"facteur/mailstore"
)

// In the thread view the first row of a thread says how many messages the
// thread has in the folder and how many are unread; Left collapses the
// thread of the selected message to that row, Right expands it again
// (mailstore.ListOptions.Collapsed).

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
	c.listOpts.Collapsed = opts
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
