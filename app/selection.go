package app

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"facteur/mailstore"
)

// The message list selects one message (the one in the reader, selID) or
// several: Ctrl-click toggles a row, Shift-click and Shift+Up/Down extend
// from the anchor, Ctrl+A takes the whole listing. The widget.List keeps
// its single selection on the message in the reader (the last clicked);
// the rows draw the others (msgRow.selBg). Every message action works on
// selectedMsgs.

// selectionState is the multiple selection of the message list.
type selectionState struct {
	// msgs is the selection when the user made one with Ctrl or Shift,
	// in the order the rows were added; nil when it is the reader's
	// message alone.
	msgs []mailstore.Summary
	// anchor is where a Shift range starts: the last plain or Ctrl click.
	anchor int64
	// extending is set while code moves the list's own selection within
	// a multiple selection (the list's OnSelected must not reset it).
	extending bool
	// mods reads the keyboard modifiers held now; tests replace it.
	mods func() fyne.KeyModifier
}

// driverModifiers reads the modifiers held on the desktop driver.
func driverModifiers(a fyne.App) func() fyne.KeyModifier {
	return func() fyne.KeyModifier {
		if d, ok := a.Driver().(desktop.Driver); ok {
			return d.CurrentKeyModifiers()
		}
		return 0
	}
}

func (c *controller) modifiers() fyne.KeyModifier {
	if c.sel.mods == nil {
		return 0
	}
	return c.sel.mods()
}

// selectedMsgs are the messages the actions work on: the multiple
// selection, or the message in the reader.
func (c *controller) selectedMsgs() []mailstore.Summary {
	if len(c.sel.msgs) > 0 {
		return slices.Clone(c.sel.msgs)
	}
	if s, ok := c.selected(); ok {
		return []mailstore.Summary{s}
	}
	return nil
}

// isSelected reports whether the row of message id is drawn as selected.
func (c *controller) isSelected(id int64) bool {
	if len(c.sel.msgs) > 0 {
		return slices.ContainsFunc(c.sel.msgs, func(s mailstore.Summary) bool { return s.ID == id })
	}
	return id != 0 && id == c.selID
}

// clearMulti leaves the multiple selection: the reader's message alone.
func (c *controller) clearMulti() {
	if c.sel.msgs == nil {
		return
	}
	c.sel.msgs = nil
	c.ui.list.Refresh()
	c.updateEmpty()
}

// setMulti makes msgs the selection.
func (c *controller) setMulti(msgs []mailstore.Summary) {
	c.sel.msgs = msgs
	c.ui.list.Refresh()
	c.updateEmpty()
}

// selectionText says how many messages are selected, when more than one.
func (c *controller) selectionText() string {
	if n := len(c.sel.msgs); n > 1 {
		return lang.L("{{.N}} messages selected", map[string]any{"N": formatCount(n)})
	}
	return ""
}

// rowTapped is a click on row i: with Ctrl it toggles the row, with Shift
// it extends the selection from the anchor, alone it selects the row.
func (c *controller) rowTapped(i int) {
	mods := c.modifiers()
	switch {
	case mods&fyne.KeyModifierShift != 0:
		c.extendTo(i)
	case mods&(fyne.KeyModifierShortcutDefault|fyne.KeyModifierControl) != 0:
		c.toggleRow(i)
	default:
		c.clearMulti()
		if c.selectedIndex() == i {
			c.keysToList()
			return
		}
		c.ui.list.Select(i)
	}
	c.keysToList()
}

// showInReader moves the list's own selection to row i and opens it,
// keeping the multiple selection.
func (c *controller) showInReader(i int) {
	c.sel.extending = true
	defer func() { c.sel.extending = false }()
	if c.selectedIndex() == i {
		return
	}
	c.ui.list.Select(i)
}

// toggleRow adds row i to the selection or takes it out (Ctrl-click).
func (c *controller) toggleRow(i int) {
	s, ok, _ := c.rows.row(i)
	if !ok {
		return
	}
	msgs := c.selectedMsgs()
	if at := slices.IndexFunc(msgs, func(m mailstore.Summary) bool { return m.ID == s.ID }); at >= 0 {
		msgs = slices.Delete(msgs, at, at+1)
		if len(msgs) == 0 {
			c.sel.msgs = nil
			c.unselectList()
			c.closeReader()
			c.ui.list.Refresh()
			return
		}
		c.setMulti(msgs)
		if s.ID == c.selID { // the reader shows the last one still selected
			if j := c.rows.indexOf(msgs[len(msgs)-1].ID); j >= 0 {
				c.showInReader(j)
			}
		}
		return
	}
	c.sel.anchor = s.ID
	c.setMulti(append(msgs, s))
	c.showInReader(i)
}

// unselectList takes the list's own selection away, quietly.
func (c *controller) unselectList() {
	c.quiet = true
	c.ui.list.UnselectAll()
	c.quiet = false
}

// anchorIndex is the row Shift ranges start from.
func (c *controller) anchorIndex() int {
	if i := c.rows.indexOf(c.sel.anchor); c.sel.anchor != 0 && i >= 0 {
		return i
	}
	return c.selectedIndex()
}

// extendTo selects the rows from the anchor to row i (Shift-click,
// Shift+Up/Down) and shows row i in the reader.
func (c *controller) extendTo(i int) {
	a := c.anchorIndex()
	if a < 0 {
		c.clearMulti()
		c.ui.list.Select(i)
		return
	}
	lo, hi := min(a, i), max(a, i)
	c.withRows(lo, hi, func(msgs []mailstore.Summary) {
		c.setMulti(msgs)
		c.showInReader(i)
	})
}

// extendStep extends the selection one row down (1) or up (-1).
func (c *controller) extendStep(delta int) {
	cur := c.selectedIndex()
	if cur < 0 {
		c.step(delta)
		return
	}
	if j := cur + delta; j >= 0 && j < c.rows.total {
		c.extendTo(j)
	}
}

// selectAll selects every message of the listing (Ctrl+A).
func (c *controller) selectAll() {
	n := c.rows.total
	if n == 0 {
		return
	}
	c.withRows(0, n-1, func(msgs []mailstore.Summary) {
		c.setMulti(msgs)
		if c.selectedIndex() < 0 {
			c.showInReader(0)
		}
	})
}

// withRows calls fn with the messages of rows lo to hi: at once when their
// pages are loaded, else once they are read from the store.
func (c *controller) withRows(lo, hi int, fn func([]mailstore.Summary)) {
	msgs := make([]mailstore.Summary, 0, hi-lo+1)
	for j := lo; j <= hi; j++ {
		s, ok, _ := c.rows.row(j)
		if !ok {
			c.fetchRows(lo, hi, fn)
			return
		}
		msgs = append(msgs, s)
	}
	fn(msgs)
}

// fetchRows reads rows lo to hi of the listing, page by page, then calls fn
// if the listing is still the same.
func (c *controller) fetchRows(lo, hi int, fn func([]mailstore.Summary)) {
	gen, fetch := c.listGen, c.listing.fetch
	if fetch == nil {
		return
	}
	c.work.inOrder(func(ctx context.Context) func() {
		var msgs []mailstore.Summary
		for off := lo; off <= hi; off += pageSize {
			page, err := fetch(ctx, off, min(pageSize, hi-off+1))
			if err != nil {
				return func() { c.showError(err) }
			}
			msgs = append(msgs, page...)
			if len(page) == 0 {
				break
			}
		}
		return func() {
			if gen == c.listGen {
				fn(msgs)
			}
		}
	})
}

// forgetSelected takes messages out of the multiple selection (they left
// the list).
func (c *controller) forgetSelected(ids []int64) {
	if c.sel.msgs == nil {
		return
	}
	c.sel.msgs = slices.DeleteFunc(c.sel.msgs, func(s mailstore.Summary) bool { return slices.Contains(ids, s.ID) })
	if len(c.sel.msgs) == 0 {
		c.sel.msgs = nil
	}
	c.updateEmpty()
}

// selectionFlags draws new flags of a selected message.
func (c *controller) selectionFlags(id int64, f mailstore.Flags) {
	for i := range c.sel.msgs {
		if c.sel.msgs[i].ID == id {
			c.sel.msgs[i].Flags = f
		}
	}
}

// stepOrExtend opens the next or previous message (Down, Up, j, k), or
// extends the selection with Shift held.
func (c *controller) stepOrExtend(delta int) {
	if c.modifiers()&fyne.KeyModifierShift != 0 {
		c.extendStep(delta)
		return
	}
	c.step(delta)
}
