package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/localmta/mailsys"
	"facteur/localmta/queue"
)

// The columns of the queue table.
const (
	qcolID = iota
	qcolArrival
	qcolSender
	qcolRcpts
	qcolSize
	qcolNext
	qcolError
	qcols
)

// buildQueue is the Queue tab: Hold, Release and Delete for the selected
// message, and the queue as a table.
func (p *mtaPanel) buildQueue(c *controller) fyne.CanvasObject {
	p.hold = widget.NewButtonWithIcon(lang.L("Hold"), theme.MediaPauseIcon(), func() {
		c.mtaOnSelected(func(ctx context.Context, sys *mailsys.System, id string) error { return sys.Hold(ctx, id) })
	})
	p.release = widget.NewButtonWithIcon(lang.L("Release"), theme.MediaPlayIcon(), func() {
		c.mtaOnSelected(func(ctx context.Context, sys *mailsys.System, id string) error { return sys.Release(ctx, id) })
	})
	p.del = widget.NewButtonWithIcon(lang.L("Delete…"), theme.DeleteIcon(), func() { c.confirmMTADelete() })
	p.del.Importance = widget.DangerImportance
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(c.mta.snap.queue), qcols },
		cellLabel,
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(c.queueCell(id)) },
	)
	headerCells(t, []string{lang.L("Queue ID"), lang.L("Arrival"), lang.L("Sender"), lang.L("Recipients"),
		lang.L("Size"), lang.L("Next try"), lang.L("Last error")})
	setWidths(t, 130, 80, 160, 170, 70, 125, 420)
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(c.mta.snap.queue) {
			p.selID = c.mta.snap.queue[id.Row].ID
		}
		p.showQueueButtons(c)
	}
	p.queue = t
	p.queueEmpty = widget.NewLabel(lang.L("The queue is empty."))
	p.queueEmpty.Alignment = fyne.TextAlignCenter
	p.queueInfo = newSelLabel("")
	p.queueInfo.Wrapping = fyne.TextWrapWord
	bar := container.NewHBox(p.hold, p.release, p.del)
	return container.NewBorder(bar, p.queueInfo, nil, nil, container.NewStack(t, container.NewCenter(p.queueEmpty)))
}

// queueCell is the text of one cell of the queue table.
func (c *controller) queueCell(id widget.TableCellID) string {
	q := c.mta.snap.queue
	if id.Row < 0 || id.Row >= len(q) {
		return ""
	}
	m := q[id.Row]
	switch id.Col {
	case qcolID:
		return m.ID
	case qcolArrival:
		return mtaTime(m.Arrived, c.now())
	case qcolSender:
		return sender(m.From)
	case qcolRcpts:
		return strings.Join(m.Pending(), ", ")
	case qcolSize:
		return formatSize(m.Size)
	case qcolNext:
		if m.Held {
			return lang.L("held")
		}
		return mtaTime(m.NextTry, c.now())
	case qcolError:
		return lastError(m)
	}
	return ""
}

// lastError is the message's last error, else its first recipient's.
func lastError(m queue.Message) string {
	if m.LastError != "" {
		return m.LastError
	}
	for _, r := range m.Rcpts {
		if r.Status == queue.StatusPending && r.LastError != "" {
			return r.LastError
		}
	}
	return ""
}

// showQueue redraws the table and keeps the selection on the same message.
func (p *mtaPanel) showQueue(c *controller) {
	q := c.mta.snap.queue
	p.queueEmpty.Hidden = len(q) > 0 || !c.mta.loaded
	if c.mta.snap.queueErr != nil {
		p.queueEmpty.SetText(c.mta.snap.queueErr.Error())
		p.queueEmpty.Hidden = false
	}
	p.queueEmpty.Refresh()
	p.queue.Hidden = !p.queueEmpty.Hidden // no column lines through the empty state
	row := p.selectedRow(c)
	if row < 0 {
		p.selID = ""
		p.queue.UnselectAll()
	}
	p.queue.Refresh()
	p.tabs.Items[tabQueue].Text = lang.L("Queue ({{.N}})", map[string]any{"N": len(q)})
	p.tabs.Refresh()
	p.showQueueButtons(c)
}

// selectedRow is the row of the selected message, -1 when it is gone.
func (p *mtaPanel) selectedRow(c *controller) int {
	for i, m := range c.mta.snap.queue {
		if m.ID == p.selID && p.selID != "" {
			return i
		}
	}
	return -1
}

// showQueueButtons enables what the selected message allows.
func (p *mtaPanel) showQueueButtons(c *controller) {
	row := p.selectedRow(c)
	st := c.mta.status.State
	on := row >= 0 && (st == mailsys.Running || st == mailsys.External)
	held := on && c.mta.snap.queue[row].Held
	setEnabled(p.hold, on && !held)
	setEnabled(p.release, held)
	setEnabled(p.del, on)
	p.queueInfo.SetText("")
	if row >= 0 {
		p.queueInfo.SetText(queueInfo(c.mta.snap.queue[row]))
	}
	p.queueInfo.Hidden = row < 0
	p.queueInfo.Refresh()
}

// queueInfo is a queued message in full: its recipients, each with its
// last error, as mailq groups them.
func queueInfo(m queue.Message) string {
	var b strings.Builder
	b.WriteString(lang.L("Message {{.ID}} from {{.From}}", map[string]any{"ID": m.ID, "From": sender(m.From)}))
	for _, r := range m.Rcpts {
		if r.Status != queue.StatusPending {
			continue
		}
		b.WriteString("\n→ " + r.Addr)
		if r.LastError != "" {
			b.WriteString(": " + r.LastError)
		}
	}
	return b.String()
}

// mtaOnSelected applies a queue action to the selected message.
func (c *controller) mtaOnSelected(act func(ctx context.Context, sys *mailsys.System, id string) error) {
	p := c.mta.panel
	if p == nil || p.selID == "" {
		return
	}
	id := p.selID
	c.mtaAct(func(ctx context.Context, sys *mailsys.System) error { return act(ctx, sys, id) })
}

// confirmMTADelete asks before deleting the selected message: it goes
// without a bounce, its sender never learns.
func (c *controller) confirmMTADelete() {
	p := c.mta.panel
	if p == nil || p.selID == "" {
		return
	}
	id := p.selID
	d := dialog.NewConfirm(lang.L("Delete the message?"),
		lang.L("Message {{.ID}} leaves the queue without being delivered, and its sender gets no bounce.", map[string]any{"ID": id}),
		func(ok bool) {
			p.confirm = nil
			if ok {
				c.mtaAct(func(ctx context.Context, sys *mailsys.System) error { return sys.Delete(ctx, id) })
			}
		}, p.win)
	d.SetConfirmText(lang.L("Delete"))
	d.SetConfirmImportance(widget.DangerImportance)
	p.confirm = d
	d.Show()
}
