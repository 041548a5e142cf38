package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/localmta/mailsys"
	"facteur/localmta/queue"
)

// mtaPanel is the Local MTA window: the state and addresses of the mail
// system, its queue, the latest deliveries and the SMTP transcripts of the
// latest outgoing sessions.
type mtaPanel struct {
	win   fyne.Window
	tabs  *container.AppTabs
	state *widget.Label
	icon  *widget.Icon
	addrs *selLabel
	note  *widget.Label // an error, or where the daemon keeps its log

	flush, hold, release, del *widget.Button

	queue      *widget.Table
	queueEmpty *widget.Label
	queueInfo  *selLabel // the selected message in full
	selID      string    // queue id of the selected row, "" for none

	deliveries *widget.Table
	delivEmpty *widget.Label

	sessions   *widget.List
	sessEmpty  *widget.Label
	transcript *selLabel
	selSession int // index into the snapshot's sessions, newest first; -1 for none
	imap       *widget.List
	imapEmpty  *widget.Label

	confirm *dialog.ConfirmDialog // the Delete confirmation shown, for tests
}

// The tabs of the panel.
const (
	tabQueue = iota
	tabDeliveries
	tabSessions
)

// showMTAPanel opens the panel (Mail system > Local MTA…), or brings it to
// the front.
func (c *controller) showMTAPanel() {
	if p := c.mta.panel; p != nil {
		p.win.RequestFocus()
		return
	}
	p := &mtaPanel{selSession: -1}
	p.win = c.app.NewWindow(lang.L("Local MTA"))
	p.win.SetContent(p.build(c))
	p.win.Resize(fyne.NewSize(980, 620))
	closeOnEscape(p.win)
	p.win.SetOnClosed(func() {
		c.mta.panel = nil
		if c.mta.refresh != nil {
			c.mta.refresh()
			c.mta.refresh = nil
		}
	})
	c.mta.panel = p
	p.show(c)
	p.win.Show()
	c.refreshMTA()
}

func (p *mtaPanel) build(c *controller) fyne.CanvasObject {
	p.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Queue"), p.buildQueue(c)),
		container.NewTabItem(lang.L("Deliveries"), p.buildDeliveries(c)),
		container.NewTabItem(lang.L("SMTP sessions"), p.buildSessions(c)),
		container.NewTabItem(lang.L("IMAP sessions"), p.buildIMAP(c)),
	)
	return container.NewBorder(p.buildHeader(c), nil, nil, nil, p.tabs)
}

// buildHeader is the state line, the addresses and a note.
func (p *mtaPanel) buildHeader(c *controller) fyne.CanvasObject {
	p.icon = widget.NewIcon(theme.MediaStopIcon())
	p.state = widget.NewLabel("")
	p.state.TextStyle.Bold = true
	p.state.SizeName = theme.SizeNameSubHeadingText
	p.addrs = newSelLabel("")
	p.addrs.Truncation = fyne.TextTruncateEllipsis
	p.note = widget.NewLabel("")
	p.note.Wrapping = fyne.TextWrapWord
	p.flush = widget.NewButtonWithIcon(lang.L("Flush the queue"), theme.MailSendIcon(), func() {
		c.mtaAct(func(ctx context.Context, sys *mailsys.System) error { return sys.Flush(ctx) })
	})
	title := container.NewBorder(nil, nil, p.icon, p.flush, p.state)
	return container.NewVBox(title, p.addrs, p.note, widget.NewSeparator())
}

// show draws the latest snapshot.
func (p *mtaPanel) show(c *controller) {
	p.showHeader(c)
	p.showQueue(c)
	p.showDeliveries(c)
	p.showSessions(c)
	p.showIMAP(c)
}

func (p *mtaPanel) showHeader(c *controller) {
	st := c.mta.status
	p.state.SetText(c.mtaStateText())
	p.icon.SetResource(mtaStateIcon(c))
	p.addrs.SetText(addrLine(st))
	note := ""
	switch {
	case st.State == mailsys.Failed:
		note = lang.L("The local MTA could not start: {{.Err}}", map[string]any{"Err": st.Err})
	case st.State == mailsys.External:
		note = lang.L("A facteur mta daemon (process {{.PID}}) runs the mail system of this profile; the queue actions go through its control socket, and its deliveries are in its log.", map[string]any{"PID": st.PID})
	case c.mta.welcome != nil:
		note = lang.L("The welcome message could not be sent: {{.Err}}", map[string]any{"Err": c.mta.welcome})
	}
	p.note.SetText(note)
	p.note.Hidden = note == ""
	p.note.Refresh()
	on := st.State == mailsys.Running || st.State == mailsys.External
	setEnabled(p.flush, on && len(c.mta.snap.queue) > 0)
}

// addrLine lists the listening addresses.
func addrLine(st mailsys.Status) string {
	var parts []string
	add := func(name string, addrs ...string) {
		if len(addrs) > 0 && addrs[0] != "" {
			parts = append(parts, name+" "+strings.Join(addrs, ", "))
		}
	}
	add("SMTP", st.SMTP...)
	add(lang.L("Submission"), st.Submission...)
	add("POP3", st.POP3)
	add("IMAP", st.IMAP)
	add("IMAPS", st.IMAPS)
	if st.Hostname != "" {
		parts = append(parts, lang.L("Host name {{.Name}}", map[string]any{"Name": st.Hostname}))
	}
	if len(parts) == 0 {
		return lang.L("Not listening")
	}
	return strings.Join(parts, "   ·   ")
}

func mtaStateIcon(c *controller) fyne.Resource {
	switch {
	case c.mta.run == nil || c.mta.starting:
		return theme.MediaStopIcon()
	case c.mta.status.State == mailsys.Running, c.mta.status.State == mailsys.External:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case c.mta.status.State == mailsys.Failed:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return theme.MediaStopIcon()
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// showMTAError shows a failed queue action over the panel (or the window).
func (c *controller) showMTAError(err error) {
	w := c.win
	if c.mta.panel != nil {
		w = c.mta.panel.win
	}
	if errors.Is(err, queue.ErrNotFound) {
		err = errors.New(lang.L("The message is no longer in the queue."))
	}
	dialog.ShowError(err, w)
}

// cellLabel is a table cell: one line, truncated.
func cellLabel() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// headerCells makes the header of a table from its column titles.
func headerCells(t *widget.Table, titles []string) {
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(titles) {
			o.(*widget.Label).SetText(titles[id.Col])
		}
	}
	t.ShowHeaderColumn = false
}

func setWidths(t *widget.Table, widths ...float32) {
	for i, w := range widths {
		t.SetColumnWidth(i, w)
	}
}

// mtaTime formats a time of the queue: the hour today, else the date too.
func mtaTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	if sameDay(t, now) {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

// sender is a reverse-path as mailq shows it.
func sender(from string) string {
	if from == "" {
		return "MAILER-DAEMON"
	}
	return from
}
