package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/localmta"
	"facteur/localmta/mailsys"
)

// The columns of the deliveries table.
const (
	dcolTime = iota
	dcolStatus
	dcolRcpt
	dcolID
	dcolRemote
	dcolDetail
	dcols
)

// buildDeliveries is the Deliveries tab: the latest delivery attempts,
// newest first.
func (p *mtaPanel) buildDeliveries(c *controller) fyne.CanvasObject {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(c.mta.snap.deliveries), dcols },
		cellLabel,
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(c.deliveryCell(id)) },
	)
	headerCells(t, []string{lang.L("Time"), lang.L("Status"), lang.L("Recipient"), lang.L("Queue ID"), lang.L("Answered by"), lang.L("Detail")})
	setWidths(t, 80, 90, 190, 130, 150, 480)
	p.deliveries = t
	p.delivEmpty = widget.NewLabel("")
	p.delivEmpty.Alignment = fyne.TextAlignCenter
	p.delivEmpty.Wrapping = fyne.TextWrapWord
	return container.NewStack(t, container.NewCenter(minWidth(520, p.delivEmpty)))
}

func (c *controller) deliveryCell(id widget.TableCellID) string {
	evs := c.mta.snap.deliveries
	if id.Row < 0 || id.Row >= len(evs) {
		return ""
	}
	e := evs[id.Row]
	switch id.Col {
	case dcolTime:
		return mtaTime(e.Time, c.now())
	case dcolStatus:
		return deliveryStatus(e.Status)
	case dcolRcpt:
		return e.Rcpt
	case dcolID:
		return e.ID
	case dcolRemote:
		return e.Remote
	case dcolDetail:
		return e.Detail
	}
	return ""
}

func deliveryStatus(s localmta.DeliveryStatus) string {
	switch s {
	case localmta.Delivered:
		return lang.L("delivered")
	case localmta.Deferred:
		return lang.L("deferred")
	case localmta.Failed:
		return lang.L("bounced")
	}
	return string(s)
}

func (p *mtaPanel) showDeliveries(c *controller) {
	text := ""
	switch {
	case c.mta.status.State == mailsys.External:
		text = lang.L("The facteur mta daemon logs its deliveries.")
	case len(c.mta.snap.deliveries) == 0 && c.mta.loaded:
		text = lang.L("No delivery since the MTA started.")
	}
	p.delivEmpty.SetText(text)
	p.delivEmpty.Hidden = text == ""
	p.delivEmpty.Refresh()
	p.deliveries.Hidden = text != ""
	p.deliveries.Refresh()
}

// buildSessions is the SMTP sessions tab: the latest outgoing sessions on
// the left, the transcript of the selected one on the right, monospace,
// as a telnet session to port 25 would show it.
func (p *mtaPanel) buildSessions(c *controller) fyne.CanvasObject {
	p.sessions = widget.NewList(
		func() int { return len(c.mta.snap.sessions) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("")
			title.Truncation = fyne.TextTruncateEllipsis
			sub := captionLabel()
			sub.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(title, sub)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			s, ok := c.session(i)
			if !ok {
				return
			}
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(mtaTime(s.Started, c.now()) + "  " + s.Host)
			box.Objects[1].(*widget.Label).SetText(sessionNote(s))
		},
	)
	p.sessions.OnSelected = func(i widget.ListItemID) {
		p.selSession = i
		p.showTranscript(c)
	}
	p.transcript = newSelLabel("")
	p.transcript.TextStyle.Monospace = true
	p.sessEmpty = widget.NewLabel("")
	p.sessEmpty.Alignment = fyne.TextAlignCenter
	p.sessEmpty.Wrapping = fyne.TextWrapWord
	right := container.NewStack(container.NewScroll(p.transcript), container.NewCenter(minWidth(420, p.sessEmpty)))
	split := container.NewHSplit(p.sessions, right)
	split.Offset = 0.3
	return split
}

// session is the i-th session of the list, newest first.
func (c *controller) session(i int) (localmta.OutSession, bool) {
	ss := c.mta.snap.sessions
	if i < 0 || i >= len(ss) {
		return localmta.OutSession{}, false
	}
	return ss[len(ss)-1-i], true
}

// sessionNote is the address, TLS and outcome of a session in one line.
func sessionNote(s localmta.OutSession) string {
	note := s.Addr
	if s.TLS != "" {
		note += " · " + s.TLS
	}
	if s.Err != "" {
		note += " · " + s.Err
	}
	return note
}

func (p *mtaPanel) showSessions(c *controller) {
	p.sessions.Refresh()
	if p.selSession < 0 && len(c.mta.snap.sessions) > 0 {
		p.sessions.Select(0)
		return
	}
	p.showTranscript(c)
}

func (p *mtaPanel) showTranscript(c *controller) {
	s, ok := c.session(p.selSession)
	p.transcript.SetText(s.Transcript)
	text := ""
	switch {
	case c.mta.status.State == mailsys.External:
		text = lang.L("The facteur mta daemon keeps its own transcripts.")
	case !ok && c.mta.loaded:
		text = lang.L("No outgoing SMTP session yet: local mail goes straight to the MDA.")
	}
	p.sessEmpty.SetText(text)
	p.sessEmpty.Hidden = text == ""
	p.sessEmpty.Refresh()
}
