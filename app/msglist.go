package app

import (
	"context"
	"errors"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// listingKind tells what the message list shows.
type listingKind int

const (
	listFolder listingKind = iota // the current folder
	listSearch                    // the results of the search entry
)

// rowSource is a source of rows: a folder or search results.
type rowSource struct {
	kind  listingKind
	fetch func(ctx context.Context, offset, limit int) ([]mailstore.Summary, error)
	count func(ctx context.Context) (total int, open bool, err error)
}

// reloadPages is how many of the most recently shown pages a refresh reloads.
const reloadPages = 3

// keyList is a widget.List whose keys go to the controller: with the focus on
// the list, Up and Down open the next message instead of only moving a focus
// ring, and the letter shortcuts keep working.
type keyList struct {
	widget.List
	onKey  func(*fyne.KeyEvent) bool
	onRune func(rune) bool
}

func (l *keyList) TypedKey(e *fyne.KeyEvent) {
	if l.onKey == nil || !l.onKey(e) {
		l.List.TypedKey(e)
	}
}

func (l *keyList) TypedRune(r rune) {
	if l.onRune == nil || !l.onRune(r) {
		l.List.TypedRune(r)
	}
}

// emptyState is the sentence shown in place of an empty list or reader.
type emptyState struct {
	*widget.Label
}

func newEmptyState() *emptyState {
	l := widget.NewLabel("")
	l.Alignment = fyne.TextAlignCenter
	l.Wrapping = fyne.TextWrapWord
	return &emptyState{Label: l}
}

// centered puts the sentence in the middle of the pane it covers.
func (e *emptyState) centered() fyne.CanvasObject {
	return container.NewPadded(container.New(middleLayout{}, e.Label))
}

// middleLayout centres wrapped text vertically: it gives the text its width
// first, so that its height is measured for that width.
type middleLayout struct{}

func (middleLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
		h := min(o.MinSize().Height, size.Height)
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
	}
}

func (middleLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

func (e *emptyState) set(text string) {
	e.SetText(text)
	setVisible(e.Label, text != "")
}

// buildList makes the middle pane: search, sort and thread controls over the list.
func (c *controller) buildList() fyne.CanvasObject {
	l := &keyList{onKey: c.typedKey, onRune: c.typedRune}
	l.Length = func() int { return c.rows.length() }
	l.CreateItem = func() fyne.CanvasObject { return newMsgRow() }
	l.UpdateItem = c.updateRow
	l.OnSelected = c.rowSelected
	l.ExtendBaseWidget(l)
	c.ui.list = l
	c.ui.listEmpty = newEmptyState()
	c.ui.resultCount = widget.NewLabel("")
	c.ui.resultCount.Hide()
	sorts := container.NewStack(c.buildSortSelect(), c.buildScopeSelect()) // one at a time
	controls := container.NewBorder(nil, nil, c.ui.resultCount, c.buildThreadCheck(), sorts)
	c.ui.listControls = controls
	top := container.NewVBox(c.buildSearch(), controls)
	return container.NewBorder(top, nil, nil, nil,
		container.NewStack(l, c.ui.listEmpty.centered()))
}

func (c *controller) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	s, ok, need := c.rows.row(i)
	if need >= 0 {
		c.loadPage(need)
	}
	v := rowView{loaded: ok, sum: s, now: c.now(), threads: c.listing.kind == listFolder && c.listOpts.Threaded}
	r := o.(*msgRow)
	r.index, r.onTap, r.onMenu = i, c.rowTapped, c.rowMenu
	r.onDrag, r.onDrop = c.rowDragged, c.rowDropped
	if ok {
		v.selected = c.isSelected(s.ID)
		role := mailstore.RoleNone
		if f, found := c.folder(s.Folder); found {
			role = f.Role
			v.where = c.rowWhere(f)
		}
		v.sender = rowSender(s, role)
	}
	r.show(v)
}

// rowSelected opens the row the user selected (a click, a key) and gives
// the list the keyboard, wherever the focus was (the search entry).
func (c *controller) rowSelected(i widget.ListItemID) {
	if c.quiet {
		return
	}
	if !c.sel.extending {
		c.clearMulti()
		if s, ok, _ := c.rows.row(i); ok {
			c.sel.anchor = s.ID
		}
	}
	c.openRow(i)
	c.keysToList()
}

// openRow opens the message of row i, at once or when its page arrives.
func (c *controller) openRow(i int) {
	s, ok, need := c.rows.row(i)
	if !ok {
		c.wantIndex = i
		if need >= 0 {
			c.loadPage(need)
		}
		return
	}
	c.wantIndex = -1
	c.openMessage(s)
}

// openFolder shows a folder in the list, leaving search mode.
func (c *controller) openFolder(ref mailstore.FolderRef) {
	c.leaveSearch()
	if ref != c.current {
		c.closeReader()
	}
	c.current, c.virt.current = ref, ""
	c.selectFolderInTree()
	c.updateTitle()
	c.startListing(c.folderListing(), nil, false)
}

// folderListing lists the current folder with the current sort and thread options.
func (c *controller) folderListing() rowSource {
	if c.virt.current != "" {
		return c.virtualListing()
	}
	ref, opt := c.current, c.listOpts
	return rowSource{
		kind: listFolder,
		fetch: func(ctx context.Context, offset, limit int) ([]mailstore.Summary, error) {
			o := opt
			o.Offset, o.Limit = offset, limit
			return c.store.List(ctx, ref, o)
		},
		count: func(ctx context.Context) (int, bool, error) {
			total, err := c.store.ListLength(ctx, ref, opt) // collapsed threads take one row
			return total, false, err
		},
	}
}

// startListing replaces the rows of the list by those of l. It loads the count
// and the given pages (page 0 when none) in one job. With keep, the old rows
// stay on screen until the new ones are there (a refresh); without, the list
// empties at once (a new folder or query).
func (c *controller) startListing(l rowSource, pages []int, keep bool) {
	c.listGen++
	gen := c.listGen
	c.listing = l
	if len(pages) == 0 {
		pages = []int{0}
	}
	slices.Sort(pages)
	if !keep {
		c.ui.list.ScrollToOffset(0)
		c.rows.reset(0, false)
		c.wantIndex = -1
		c.sel.msgs, c.sel.anchor = nil, 0
		c.loading = true
		c.listErr = nil
		c.quiet = true
		c.ui.list.UnselectAll()
		c.quiet = false
		c.ui.list.Refresh()
		c.updateEmpty()
	}
	c.work.inOrder(func(ctx context.Context) func() {
		total, open, got, err := loadListing(ctx, l, pages)
		return func() {
			if gen == c.listGen {
				c.listingLoaded(total, open, pages, got, err)
			}
		}
	})
}

func loadListing(ctx context.Context, l rowSource, pages []int) (int, bool, [][]mailstore.Summary, error) {
	total, open, err := l.count(ctx)
	if err != nil {
		return 0, false, nil, err
	}
	got := make([][]mailstore.Summary, 0, len(pages))
	for _, p := range pages {
		rows, err := l.fetch(ctx, p*pageSize, pageSize)
		if err != nil {
			return 0, false, nil, err
		}
		got = append(got, rows)
	}
	return total, open, got, nil
}

func (c *controller) listingLoaded(total int, open bool, pages []int, got [][]mailstore.Summary, err error) {
	c.loading = false
	c.listErr = err
	gen := c.rows.reset(total, open && err == nil)
	for i, rows := range got {
		c.rows.fill(gen, pages[i], rows)
	}
	c.ui.list.Refresh()
	c.syncSelection()
	c.updateEmpty()
	c.pageArrived()
}

// loadPage loads one page of the current listing.
func (c *controller) loadPage(page int) {
	gen, fetch := c.rows.gen, c.listing.fetch
	if fetch == nil {
		return
	}
	c.work.inOrder(func(ctx context.Context) func() {
		rows, err := fetch(ctx, page*pageSize, pageSize)
		return func() {
			if err != nil {
				c.rows.forget(gen, page)
				return
			}
			if c.rows.fill(gen, page, rows) {
				c.ui.list.Refresh()
				c.updateEmpty()
				c.pageArrived()
			}
		}
	})
}

// reloadList reads the visible pages of the current listing again.
func (c *controller) reloadList(keep bool) {
	if c.listing.fetch == nil {
		return
	}
	pages := c.rows.loadedPages()
	if len(pages) > reloadPages {
		pages = pages[len(pages)-reloadPages:]
	}
	c.startListing(c.listing, pages, keep)
}

// pageArrived opens the row the user asked for before its page was loaded.
func (c *controller) pageArrived() {
	if c.wantIndex < 0 {
		return
	}
	if i := c.wantIndex; i >= c.rows.length() {
		c.wantIndex = -1
	} else if s, ok, _ := c.rows.row(i); ok {
		c.wantIndex = -1
		c.openMessage(s)
	}
}

// syncSelection selects the row of the message in the reader, wherever it is
// now, without opening it again.
func (c *controller) syncSelection() {
	c.quiet = true
	defer func() { c.quiet = false }()
	if i := c.rows.indexOf(c.selID); c.selID != 0 && i >= 0 {
		c.ui.list.Select(i)
		if s, ok, _ := c.rows.row(i); ok && c.ui.reader.sum.ID == s.ID {
			c.ui.reader.setFlags(s.Flags)
		}
		return
	}
	c.ui.list.UnselectAll()
}

// updateEmpty shows the sentence that replaces an empty list, and the
// number of results of a search.
func (c *controller) updateEmpty() {
	c.ui.listEmpty.set(c.emptyText())
	c.syncSearchControls()
	text := ""
	if n := c.rows.total; c.listing.kind == listSearch && !c.loading && c.listErr == nil && n > 0 {
		switch {
		case c.rows.open:
			text = lang.L("{{.N}}+ results", map[string]any{"N": formatCount(n)})
		case n == 1:
			text = lang.L("1 result")
		default:
			text = lang.L("{{.N}} results", map[string]any{"N": formatCount(n)})
		}
	}
	if sel := c.selectionText(); sel != "" {
		text = sel
	}
	if was := c.ui.resultCount.Visible(); was != (text != "") || text != c.ui.resultCount.Text {
		setText(c.ui.resultCount, text)
		c.ui.listControls.Refresh() // the count takes its room from the sort
	}
}

func (c *controller) emptyText() string {
	switch {
	case c.loading:
		return ""
	case errors.Is(c.listErr, mailstore.ErrBadQuery):
		return lang.L("This search cannot be understood. Try words, \"a phrase\", from:, to: or subject:.")
	case c.listErr != nil:
		return lang.L("The messages could not be listed: {{.Error}}", map[string]any{"Error": c.listErr.Error()})
	case c.rows.length() > 0:
		return ""
	case c.listing.kind == listSearch:
		return lang.L("No results")
	}
	return lang.L("This folder is empty")
}

// selectedIndex is the row of the message in the reader, or -1.
func (c *controller) selectedIndex() int {
	if c.selID == 0 {
		return -1
	}
	return c.rows.indexOf(c.selID)
}

// step opens the next (delta 1) or previous (delta -1) message of the list.
func (c *controller) step(delta int) {
	n := c.rows.length()
	if n == 0 {
		return
	}
	i := c.selectedIndex() + delta
	if c.selectedIndex() < 0 {
		i = 0
	}
	if i < 0 || i >= n {
		return
	}
	c.ui.list.Select(i)
}
