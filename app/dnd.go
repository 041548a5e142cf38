package app

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// Drag and drop: a message row (or the selection it belongs to) dragged
// onto a folder of the tree moves there, through the same path as the Move
// action (the mailer, Undo in the notice); with Ctrl held at the drop it is
// copied. The folder under the pointer is marked while the drag goes on,
// and a label beside the pointer says how many messages are moved or
// copied (the drag image).

// dragState is a drag of messages from the list.
type dragState struct {
	// msgs are the messages dragged; nil when no drag goes on.
	msgs []mailstore.Summary
	// over is the folder row marked as the drop target, nil when the
	// pointer is over no folder that can take the messages.
	over *folderRow
	// rows are the folder rows the tree made (it recycles them).
	rows []*folderRow
	// ghost is the drag image, on a layer over the panes; hidden when no
	// drag goes on.
	ghost     *fyne.Container
	ghostText *widget.Label
	layer     *fyne.Container
}

// Dragged passes the drag of the row to the controller.
func (r *msgRow) Dragged(e *fyne.DragEvent) {
	if r.onDrag != nil {
		r.onDrag(r.index, e.AbsolutePosition)
	}
}

// DragEnd drops what the row's drag carries.
func (r *msgRow) DragEnd() {
	if r.onDrop != nil {
		r.onDrop()
	}
}

// newDropMark is the frame drawn on a folder row while messages dragged
// over it would go there.
func newDropMark() *canvas.Rectangle {
	m := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	m.StrokeColor = theme.Color(theme.ColorNamePrimary)
	m.StrokeWidth = 2
	m.CornerRadius = theme.SelectionRadiusSize()
	m.Hide()
	return m
}

// rowDragged follows a drag that started on row i: it takes the
// selection when the row is part of it, else the row's message alone,
// and marks the folder under the pointer.
func (c *controller) rowDragged(i int, at fyne.Position) {
	if c.drag.msgs == nil {
		s, ok, _ := c.rows.row(i)
		if !ok {
			return
		}
		c.drag.msgs = []mailstore.Summary{s}
		if c.isSelected(s.ID) {
			c.drag.msgs = c.selectedMsgs()
		}
	}
	c.markDropTarget(c.dropFolder(at, c.drag.msgs))
	c.showGhost(at)
}

// rowDropped ends the drag: the messages move to the folder marked, or
// are copied there with Ctrl held.
func (c *controller) rowDropped() {
	msgs, over := c.drag.msgs, c.drag.over
	c.drag.msgs = nil
	c.markDropTarget(nil)
	c.drag.ghost.Hide()
	if over == nil || len(msgs) == 0 {
		return
	}
	f, ok := c.folderByUID(over.uid)
	if !ok {
		return
	}
	if c.copying() {
		c.copyMsgs(msgs, f.Ref)
		return
	}
	c.moveMsgs(msgs, f.Ref)
}

// markDropTarget draws the mark on row alone (none with nil).
func (c *controller) markDropTarget(row *folderRow) {
	if c.drag.over == row {
		return
	}
	if old := c.drag.over; old != nil {
		old.drop.Hide()
	}
	c.drag.over = row
	if row != nil {
		row.drop.FillColor = theme.Color(theme.ColorNameSelection)
		row.drop.StrokeColor = theme.Color(theme.ColorNamePrimary)
		row.drop.Show()
		row.drop.Refresh()
	}
}

// dropFolder is the folder row under the pointer that can take msgs: a
// folder (not an account, not a virtual folder) that is not already
// where all of them are.
func (c *controller) dropFolder(at fyne.Position, msgs []mailstore.Summary) *folderRow {
	row := c.folderRowAt(at)
	if row == nil {
		return nil
	}
	f, ok := c.folderByUID(row.uid)
	if !ok || !slices.ContainsFunc(msgs, func(s mailstore.Summary) bool { return s.Folder != f.Ref }) {
		return nil
	}
	return row
}

// folderRowAt is the folder row of the tree drawn at the absolute
// position at, nil when there is none. The tree keeps the rows it does
// not show aside, out of the canvas: the driver places those at the
// origin, which no shown row of the tree occupies.
func (c *controller) folderRowAt(at fyne.Position) *folderRow {
	d := c.app.Driver()
	if !inside(at, d.AbsolutePositionForObject(c.ui.tree), c.ui.tree.Size()) {
		return nil
	}
	for _, r := range c.drag.rows {
		pos := d.AbsolutePositionForObject(r)
		if pos.IsZero() || !r.Visible() || !strings.HasPrefix(r.uid, folderPrefix) {
			continue
		}
		if inside(at, pos, r.Size()) {
			return r
		}
	}
	return nil
}

// inside reports whether p lies in the rectangle at origin o of size s.
func inside(p, o fyne.Position, s fyne.Size) bool {
	return p.X >= o.X && p.Y >= o.Y && p.X < o.X+s.Width && p.Y < o.Y+s.Height
}

// copying reports whether a drop now copies rather than moves (Ctrl held).
func (c *controller) copying() bool {
	return c.modifiers()&(fyne.KeyModifierControl|fyne.KeyModifierShortcutDefault) != 0
}

// buildDragLayer makes the layer over the panes that carries the drag
// image, hidden.
func (c *controller) buildDragLayer() fyne.CanvasObject {
	d := &c.drag
	d.ghostText = widget.NewLabel("")
	d.ghostText.TextStyle.Bold = true
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	d.ghost = container.NewStack(bg, container.NewHBox(widget.NewIcon(theme.MailComposeIcon()), d.ghostText))
	d.ghost.Hide()
	d.layer = container.New(dragLayout{}, d.ghost)
	return d.layer
}

// ghostOffset puts the drag image below and right of the pointer, off the
// folder row it points at.
var ghostOffset = fyne.NewPos(14, 10)

// showGhost draws the drag image beside the absolute position at: how
// many messages, moved or copied.
func (c *controller) showGhost(at fyne.Position) {
	d := &c.drag
	n := len(d.msgs)
	text := lang.N("Move {{.Count}} messages", n, map[string]any{"Count": n})
	if c.copying() {
		text = lang.N("Copy {{.Count}} messages", n, map[string]any{"Count": n})
	}
	if d.ghostText.Text != text {
		d.ghostText.SetText(text)
	}
	size := d.ghost.MinSize()
	pos := at.Subtract(c.app.Driver().AbsolutePositionForObject(d.layer)).Add(ghostOffset)
	area := d.layer.Size()
	pos.X = max(0, min(pos.X, area.Width-size.Width))
	pos.Y = max(0, min(pos.Y, area.Height-size.Height))
	d.ghost.Resize(size)
	d.ghost.Move(pos)
	d.ghost.Show()
}

// dragLayout leaves the drag image where showGhost put it; the layer asks
// for no room.
type dragLayout struct{}

func (dragLayout) Layout([]fyne.CanvasObject, fyne.Size) {}

func (dragLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }
