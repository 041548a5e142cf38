package app

import (
	"context"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// The context menu of the messages: a right click on a row, the Menu key
// or Shift+F10 on the selected row. It acts on the selection when the row
// is part of it, else on the row alone (which it selects). Reply, Forward,
// Inspect, View source and Save work on the message in the reader.

// rowMenu opens the context menu of row i at the absolute position at.
func (c *controller) rowMenu(i int, at fyne.Position) {
	s, ok, _ := c.rows.row(i)
	if !ok {
		return
	}
	if !c.isSelected(s.ID) {
		c.clearMulti()
		c.ui.list.Select(i)
	}
	c.keysToList()
	c.showMsgMenu(at)
}

// menuKey opens the context menu on the selected row (Menu, Shift+F10).
func (c *controller) menuKey() {
	i := c.selectedIndex()
	if i < 0 {
		return
	}
	l := c.ui.list
	rowH := newMsgRow().MinSize().Height + theme.SeparatorThicknessSize()
	y := float32(i)*rowH - l.GetScrollOffset() + rowH/2
	y = min(max(y, 0), l.Size().Height)
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
	c.showMsgMenu(at.Add(fyne.NewPos(l.Size().Width/4, y)))
}

func (c *controller) showMsgMenu(at fyne.Position) {
	if len(c.selectedMsgs()) == 0 {
		return
	}
	items := c.msgMenu()
	m := widget.NewPopUpMenu(items, c.win.Canvas())
	m.ShowAtPosition(at)
	c.ui.msgMenu, c.ui.msgItems = m, items
}

// msgMenu is the context menu of the selected messages.
func (c *controller) msgMenu() *fyne.Menu {
	item := fyne.NewMenuItem
	sep := fyne.NewMenuItemSeparator
	mark := func(add, remove mailstore.Flags) func() {
		return func() { c.markFlags(c.selectedMsgs(), add, remove) }
	}
	m := fyne.NewMenu("",
		item(lang.L("Reply"), func() { c.composeFromSelected(composeReply) }),
		item(lang.L("Reply all"), func() { c.composeFromSelected(composeReplyAll) }),
		item(lang.L("Forward"), func() { c.composeFromSelected(composeForward) }),
		sep(),
		item(lang.L("Move to…"), c.showMoveDialog),
		item(lang.L("Copy to…"), c.showCopyDialog),
		item(lang.L("Mark read"), mark(mailstore.FlagSeen, 0)),
		item(lang.L("Mark unread"), mark(0, mailstore.FlagSeen)),
		item(lang.L("Flag"), mark(mailstore.FlagFlagged, 0)),
		item(lang.L("Unflag"), mark(0, mailstore.FlagFlagged)),
		item(lang.L("Delete"), c.deleteSelected),
		sep(),
		item(lang.L("Inspect headers"), c.inspectSelected),
		item(lang.L("View source"), c.showSource),
		item(lang.L("Save as .eml…"), c.saveEml),
		sep(),
		item(lang.L("Filter messages like this…"), c.filterLikeSelected),
	)
	if fold := c.threadFoldItem(); fold != nil {
		m.Items = append(m.Items, sep(), fold)
	}
	return m
}

// saveEml writes the message in the reader, as received, to a file the
// user picks.
func (c *controller) saveEml() {
	s, ok := c.selected()
	if !ok {
		return
	}
	c.saveAs(emlName(s.Subject), func(ctx context.Context, w io.Writer) error {
		return c.writeRaw(ctx, s.ID, w)
	})
}

// writeRaw copies the stored message id to w.
func (c *controller) writeRaw(ctx context.Context, id int64, w io.Writer) error {
	rc, err := c.store.Open(ctx, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// emlName is a file name for a message: its subject, without the
// characters file systems refuse, and .eml.
func emlName(subject string) string {
	name := []rune(rowSubject(subject))
	for i, r := range name {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|', 0:
			name[i] = '_'
		}
	}
	if len(name) > 80 {
		name = name[:80]
	}
	return string(name) + ".eml"
}
