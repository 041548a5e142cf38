package app

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"

	"facteur/mailstore"
)

// refreshEvery is the shortest interval between two refreshes caused by store
// changes (an import or another program can change the store many times a second).
const refreshEvery = 250 * time.Millisecond

// refreshState collects store changes until the next refresh.
type refreshState struct {
	stop      func() // cancels the refresh scheduled, nil when none
	dirtyList bool   // the list shows something that changed
}

// subscribe follows the store's changes until the window closes.
func (c *controller) subscribe() {
	changes := c.store.Subscribe(c.ctx)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fyne.LogError("facteur: store changes", fmt.Errorf("%v", r))
			}
		}()
		for ch := range changes {
			c.work.post(func() { c.noteChange(ch) })
		}
	}()
}

// noteChange schedules a refresh, at most one per refreshEvery.
func (c *controller) noteChange(ch mailstore.Change) {
	if ch.Kind == mailstore.ChangeContent && slices.Contains(ch.IDs, c.selID) {
		c.reloadReader()
	}
	if c.listing.kind == listSearch || c.virt.current != "" || ch.Folder == (mailstore.FolderRef{}) || ch.Folder == c.current {
		c.refresher.dirtyList = true
	}
	if c.refresher.stop == nil {
		c.refresher.stop = c.work.later(refreshEvery, c.refreshNow)
	}
}

// refreshNow reloads the counts and, when it changed, the visible part of the list.
func (c *controller) refreshNow() {
	c.refresher.stop = nil
	c.loadFolders(false)
	if c.refresher.dirtyList {
		c.refresher.dirtyList = false
		c.reloadList(true)
	}
}
