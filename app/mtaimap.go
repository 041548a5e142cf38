package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/localmta/imapd"
	"facteur/localmta/mailsys"
)

// buildIMAP is the IMAP sessions tab: the open sessions and the latest
// ended ones of the mail system's IMAP server, newest first.
func (p *mtaPanel) buildIMAP(c *controller) fyne.CanvasObject {
	p.imap = widget.NewList(
		func() int { return len(c.mta.snap.imap) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("")
			title.Truncation = fyne.TextTruncateEllipsis
			sub := captionLabel()
			sub.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(title, sub)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			ss := c.mta.snap.imap
			if i < 0 || i >= len(ss) {
				return
			}
			s := ss[len(ss)-1-i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(imapTitle(s, c))
			box.Objects[1].(*widget.Label).SetText(imapNote(s))
		},
	)
	p.imapEmpty = widget.NewLabel("")
	p.imapEmpty.Alignment = fyne.TextAlignCenter
	p.imapEmpty.Wrapping = fyne.TextWrapWord
	return container.NewStack(p.imap, container.NewCenter(minWidth(420, p.imapEmpty)))
}

// imapTitle is when, who and from where.
func imapTitle(s imapd.SessionInfo, c *controller) string {
	login := s.Login
	if login == "" {
		login = "-"
	}
	t := mtaTime(s.Started, c.now()) + "  " + login + "  " + s.Client
	if !s.Ended.IsZero() {
		t += "  → " + mtaTime(s.Ended, c.now())
	}
	return t
}

// imapNote is the mailbox, TLS and what the session did, in the
// protocol's words.
func imapNote(s imapd.SessionInfo) string {
	parts := []string{}
	if s.Mailbox != "" {
		parts = append(parts, s.Mailbox)
	}
	if s.TLS {
		parts = append(parts, "TLS")
	}
	if s.ClientID != "" {
		parts = append(parts, s.ClientID)
	}
	for _, n := range []struct {
		name  string
		count int
	}{{"FETCH", s.Fetched}, {"STORE", s.Stored}, {"APPEND", s.Appended}, {"EXPUNGE", s.Expunged}} {
		if n.count > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", n.name, n.count))
		}
	}
	return strings.Join(parts, " · ")
}

func (p *mtaPanel) showIMAP(c *controller) {
	p.imap.Refresh()
	text := ""
	switch st := c.mta.status; {
	case st.State == mailsys.External:
		text = lang.L("The facteur mta daemon keeps its own transcripts.")
	case len(c.mta.snap.imap) == 0 && st.IMAP != "":
		text = lang.L("No IMAP session yet: point a mail client at {{.Addr}} (STARTTLS, a login of mta/users).", map[string]any{"Addr": st.IMAP})
	}
	p.imapEmpty.SetText(text)
	p.imapEmpty.Hidden = text == ""
	p.imapEmpty.Refresh()
}
