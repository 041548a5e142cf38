package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// searchDelay is how long typing must pause before the query runs.
const searchDelay = 150 * time.Millisecond

// searchState is the search entry's side of the controller.
type searchState struct {
	query  string             // query of the listing shown, "" in folder mode
	stop   func()             // cancels the pending debounce timer
	cancel context.CancelFunc // cancels the query running
	muted  bool               // the entry is changed by code
	// scope is where the query looks: everywhere (every account and
	// folder) or the folder shown; kept while the search is open.
	scope    searchScope
	scopeSel *widget.Select
}

// searchScope is where a search looks.
type searchScope int

const (
	scopeEverywhere searchScope = iota // every account and folder
	scopeFolder                        // the folder shown when the search began
)

// searchEntry is the search box: Escape clears it, Down moves to the results.
type searchEntry struct {
	widget.Entry
	onEscape func()
	onDown   func()
}

func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		e.onEscape()
	case fyne.KeyDown:
		e.onDown()
	default:
		e.Entry.TypedKey(k)
	}
}

func (c *controller) buildSearch() fyne.CanvasObject {
	e := &searchEntry{onEscape: c.escapeSearch, onDown: c.focusList}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(lang.L("Search: words, from:, to:, subject:"))
	e.OnChanged = c.searchChanged
	c.ui.searchEntry = e
	clearBtn := widget.NewButtonWithIcon("", theme.ContentClearIcon(), c.escapeSearch)
	clearBtn.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), clearBtn, e)
}

// buildScopeSelect is the choice between searching everywhere and in the
// folder shown. It takes the place of the sort while a search is open
// (results come newest first): syncSearchControls.
func (c *controller) buildScopeSelect() fyne.CanvasObject {
	sel := widget.NewSelect([]string{lang.L("Everywhere"), lang.L("This folder")}, nil)
	sel.SetSelectedIndex(int(scopeEverywhere))
	sel.OnChanged = func(string) { c.setSearchScope(searchScope(sel.SelectedIndex())) }
	sel.Hide()
	c.search.scopeSel = sel
	return sel
}

// syncSearchControls shows the scope while searching, the sort otherwise.
func (c *controller) syncSearchControls() {
	searching := c.listing.kind == listSearch
	if c.search.scopeSel.Visible() != searching {
		setVisible(c.search.scopeSel, searching)
		setVisible(c.ui.sortSelect, !searching)
	}
}

// setSearchScope searches the folder shown or everywhere; an open search
// runs again in the new scope.
func (c *controller) setSearchScope(sc searchScope) {
	if c.search.scope == sc {
		return
	}
	c.search.scope = sc
	if c.search.scopeSel.SelectedIndex() != int(sc) {
		c.search.scopeSel.SetSelectedIndex(int(sc))
	}
	if q := c.search.query; q != "" && c.listing.kind == listSearch {
		c.search.query = "" // not the same listing any more
		c.runSearch(q)
	}
}

// focusSearch puts the keyboard in the search entry (Ctrl+F), its text selected.
func (c *controller) focusSearch() {
	c.win.Canvas().Focus(c.ui.searchEntry)
	c.ui.searchEntry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// focusList gives the keyboard to the message list and opens its first
// message when none is open (Down in the search entry).
func (c *controller) focusList() {
	c.keysToList()
	if c.selectedIndex() < 0 && c.rows.length() > 0 {
		c.step(1)
	}
}

// keysToList gives the keyboard to the message list, where the letter
// shortcuts work: after a selection, the sort or the thread control.
func (c *controller) keysToList() {
	if cv := c.win.Canvas(); cv.Focused() != c.ui.list {
		cv.Focus(c.ui.list)
	}
}

// escapeSearch clears the query and leaves the search entry (Escape, the
// clear button): the list has the keyboard again.
func (c *controller) escapeSearch() {
	if c.ui.searchEntry.Text != "" {
		c.ui.searchEntry.SetText("")
	}
	c.keysToList()
}

// searchChanged runs as the user types: the query waits for a pause.
func (c *controller) searchChanged(text string) {
	if c.search.muted {
		return
	}
	if c.search.stop != nil {
		c.search.stop()
		c.search.stop = nil
	}
	q := strings.TrimSpace(text)
	if q == "" {
		c.endSearch()
		return
	}
	c.search.stop = c.work.later(searchDelay, func() {
		c.search.stop = nil
		c.runSearch(q)
	})
}

// runSearch lists the results of q, dropping any query still running.
func (c *controller) runSearch(q string) {
	if q == c.search.query && c.listing.kind == listSearch {
		return
	}
	if c.search.cancel != nil {
		c.search.cancel()
	}
	sctx, cancel := context.WithCancel(c.ctx)
	c.search.cancel = cancel
	keep := c.listing.kind == listSearch
	c.search.query = q
	c.startListing(c.searchListing(sctx, q), nil, keep)
}

// searchListing lists the results of q in the scope, newest first.
func (c *controller) searchListing(sctx context.Context, q string) rowSource {
	var in *mailstore.FolderRef
	if c.search.scope == scopeFolder && c.current.Name != "" { // not a virtual folder
		ref := c.current
		in = &ref
	}
	return rowSource{
		kind: listSearch,
		fetch: func(_ context.Context, offset, limit int) ([]mailstore.Summary, error) {
			return c.store.Search(sctx, q, mailstore.SearchOptions{Folder: in, Offset: offset, Limit: limit})
		},
		count: func(context.Context) (int, bool, error) { return 0, true, nil },
	}
}

// endSearch goes back from the results to the current folder.
func (c *controller) endSearch() {
	c.stopSearch()
	if c.listing.kind == listSearch {
		c.startListing(c.folderListing(), nil, false)
	}
}

// stopSearch cancels the pending and running queries.
func (c *controller) stopSearch() {
	if c.search.stop != nil {
		c.search.stop()
		c.search.stop = nil
	}
	if c.search.cancel != nil {
		c.search.cancel()
		c.search.cancel = nil
	}
	c.search.query = ""
	c.resetSearchScope()
}

// resetSearchScope goes back to searching everywhere once a search is
// closed: the scope lasts as long as the search.
func (c *controller) resetSearchScope() {
	c.search.scope = scopeEverywhere
	if sel := c.search.scopeSel; sel != nil && sel.SelectedIndex() != int(scopeEverywhere) {
		on := sel.OnChanged
		sel.OnChanged = nil
		sel.SetSelectedIndex(int(scopeEverywhere))
		sel.OnChanged = on
	}
}

// leaveSearch empties the search entry without listing anything: the caller
// lists a folder next.
func (c *controller) leaveSearch() {
	c.stopSearch()
	c.search.muted = true
	c.ui.searchEntry.SetText("")
	c.search.muted = false
}
