package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// prefThreads is the preference that keeps the thread view across restarts.
const prefThreads = "threads"

// sortChoice is one entry of the sort menu and select.
type sortChoice struct {
	label     string
	field     mailstore.SortField
	ascending bool
}

func sortChoices() []sortChoice {
	return []sortChoice{
		{lang.L("Newest first"), mailstore.SortDate, false},
		{lang.L("Oldest first"), mailstore.SortDate, true},
		{lang.L("Sender"), mailstore.SortSender, true},
		{lang.L("Subject"), mailstore.SortSubject, true},
	}
}

// sortIndex is the position of the current sort in sortChoices.
func (c *controller) sortIndex() int {
	for i, ch := range sortChoices() {
		if ch.field == c.listOpts.Sort && ch.ascending == c.listOpts.Ascending {
			return i
		}
	}
	return 0
}

func (c *controller) buildSortSelect() fyne.CanvasObject {
	var labels []string
	for _, ch := range sortChoices() {
		labels = append(labels, ch.label)
	}
	s := widget.NewSelect(labels, nil)
	s.SetSelectedIndex(c.sortIndex())
	s.OnChanged = func(string) {
		c.setSort(s.SelectedIndex())
		c.keysToList() // the select took the focus: the shortcuts work again
	}
	c.ui.sortSelect = s
	return s
}

func (c *controller) buildThreadCheck() fyne.CanvasObject {
	ch := widget.NewCheck(lang.L("Threads"), nil)
	ch.Checked = c.listOpts.Threaded
	ch.OnChanged = func(on bool) {
		c.setThreaded(on)
		c.keysToList()
	}
	c.ui.threadCheck = ch
	return ch
}

// setSort sorts the folder listing by choice i of sortChoices.
func (c *controller) setSort(i int) {
	choices := sortChoices()
	if i < 0 || i >= len(choices) {
		return
	}
	ch := choices[i]
	if ch.field == c.listOpts.Sort && ch.ascending == c.listOpts.Ascending {
		return
	}
	c.listOpts.Sort, c.listOpts.Ascending = ch.field, ch.ascending
	c.ui.sortSelect.SetSelectedIndex(i)
	c.ui.menu.syncSort(i)
	c.refreshFolderListing()
}

// setThreaded switches the thread view on or off.
func (c *controller) setThreaded(on bool) {
	if c.listOpts.Threaded == on {
		return
	}
	c.listOpts.Threaded = on
	c.settings.SetBool(prefThreads, on)
	c.ui.threadCheck.SetChecked(on)
	c.ui.menu.syncThreads(on)
	c.refreshFolderListing()
}

// refreshFolderListing lists the current folder again with new options.
func (c *controller) refreshFolderListing() {
	if c.listing.kind != listFolder || c.listing.fetch == nil {
		return
	}
	c.startListing(c.folderListing(), nil, false)
}
