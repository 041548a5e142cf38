package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/account"
	"facteur/mua/compose"
)

// The composer window: From, To, Cc, Bcc (checked and completed as you type,
// composer_addr.go), Subject, a plain-text body, attachments
// (composer_attach.go), Send and Send later (composer_send.go), and the
// draft saved after a few seconds without typing, in Local/Drafts or in
// the Drafts of the sender's IMAP account, on its server too
// (composer_draft.go, composer_push.go). Its state lives on the UI
// goroutine, like the controller's; store and network work goes through
// the controller's worker.

// Delays of the composer.
const (
	autosaveAfter = 3 * time.Second        // of inactivity, before the draft is saved
	completeAfter = 250 * time.Millisecond // of inactivity, before addresses are looked up
)

// composeState is what the main window knows of its composers.
type composeState struct {
	open     []*composer
	saveWait time.Duration         // autosaveAfter; tests shorten it
	pushWait time.Duration         // pushAfter; tests shorten it
	pushes   map[string]*pushState // the server copies of the drafts, by account
	senders  []fromChoice          // the last list of identities read
	routes   routeDeps             // what the Route panels share (composer_route.go)
}

// fromChoice is one choice of the From select: the Local account or a
// configured one.
type fromChoice struct {
	label   string
	account *account.Account // nil: the Local account
	id      account.Identity
}

// composer is one composer window.
type composer struct {
	c         *controller
	win       fyne.Window
	senders   []fromChoice
	from      *widget.Select
	fields    []*addrField // To, Cc, Bcc
	subject   *widget.Entry
	body      *widget.Entry
	atts      []compose.Attachment
	attList   *fyne.Container
	sizeNote  *widget.Label
	status    *widget.Label
	draftNote *widget.Label // where the draft is saved
	sendBtn   *widget.Button
	laterBtn  *widget.Button
	base      compose.Draft    // what the fields do not show: threading, flowed
	signed    account.Identity // whose signature the body ends with
	mono      *widget.Check    // the body in a fixed-width font (composer_font.go)
	sending   bool
	closed    bool
	draft     draftState
	route     composerRoute // the Route panel (composer_route.go)
	// forwards are the messages it forwards: the mailer marks them so
	// once it went (what it answers, its In-Reply-To names).
	forwards []int64
}

// openComposer opens a composer window on d. draftID is the stored draft
// it continues (a message of Drafts), 0 for none.
func (c *controller) openComposer(d compose.Draft, draftID int64) *composer {
	if c.compose.saveWait == 0 {
		c.compose.saveWait = autosaveAfter
	}
	if c.compose.pushWait == 0 {
		c.compose.pushWait = pushAfter
	}
	cm := &composer{c: c, base: d, signed: d.From, draft: draftState{id: draftID}}
	cm.win = c.app.NewWindow(lang.L("Compose"))
	cm.win.SetContent(cm.build(d))
	cm.win.SetOnDropped(cm.dropped)
	cm.win.SetOnClosed(cm.closedWindow)
	cm.win.Resize(fyne.NewSize(760, 640))
	c.compose.open = append(c.compose.open, cm)
	cm.setSenders(c.compose.senders, d.From)
	cm.updateTitle()
	cm.win.Show()
	c.loadSenders(func(list []fromChoice) { cm.setSenders(list, cm.identity()) })
	if d.To == "" {
		cm.win.Canvas().Focus(cm.fields[0].entry)
	} else {
		cm.win.Canvas().Focus(cm.body)
	}
	return cm
}

// build lays the window out: the header fields in a form, the body below,
// the attachments and the buttons at the bottom.
func (cm *composer) build(d compose.Draft) fyne.CanvasObject {
	cm.from = widget.NewSelect(nil, func(string) { cm.fromChanged() })
	cm.fields = []*addrField{
		cm.newAddrField("To", lang.L("To"), d.To),
		cm.newAddrField("Cc", lang.L("Cc"), d.Cc),
		cm.newAddrField("Bcc", lang.L("Bcc"), d.Bcc),
	}
	cm.subject = widget.NewEntry()
	cm.subject.SetText(d.Subject)
	cm.subject.OnChanged = func(string) { cm.updateTitle(); cm.changed() }
	cm.body = widget.NewMultiLineEntry()
	cm.body.Wrapping = fyne.TextWrapWord
	cm.body.TextStyle.Monospace = cm.c.monoBody() // proportional unless chosen
	cm.body.SetText(d.Body)
	cm.body.OnChanged = func(string) { cm.changed() }
	form := container.New(layout.NewFormLayout(), keyLabel(lang.L("From")), cm.from)
	for _, f := range cm.fields {
		form.Add(f.key)
		form.Add(f.box)
	}
	form.Add(keyLabel(lang.L("Subject")))
	form.Add(container.NewBorder(nil, nil, nil, cm.monoCheck(), cm.subject)) // the font, over the body
	top := container.NewVBox(form)
	bottom := container.NewVBox(widget.NewSeparator(), cm.buildAttachments(d.Attachments), cm.buildButtons())
	return container.NewBorder(top, bottom, nil, nil, cm.body)
}

func (cm *composer) buildButtons() fyne.CanvasObject {
	cm.sendBtn = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), func() { cm.send(false) })
	cm.sendBtn.Importance = widget.HighImportance
	cm.laterBtn = widget.NewButtonWithIcon(lang.L("Send later"), theme.HistoryIcon(), func() { cm.send(true) })
	attach := widget.NewButtonWithIcon(lang.L("Attach…"), theme.MailAttachmentIcon(), cm.chooseFile)
	cm.status = widget.NewLabel("")
	cm.status.Wrapping = fyne.TextWrapWord
	cm.status.Hide()
	cm.draftNote = widget.NewLabel("")
	cm.draftNote.Importance = widget.LowImportance
	routeBtn, routeWarn := cm.routeBar()
	buttons := container.NewHBox(attach, cm.draftNote, layout.NewSpacer(), routeBtn, cm.laterBtn, cm.sendBtn)
	return container.NewVBox(cm.status, routeWarn, buttons)
}

// updateTitle names the window after the subject.
func (cm *composer) updateTitle() {
	s := cm.subject.Text
	if s == "" {
		s = lang.L("New message")
	}
	cm.win.SetTitle(s + " — Facteur")
}

// current is the draft as the window shows it.
func (cm *composer) current() compose.Draft {
	d := cm.base
	d.From = cm.identity()
	d.To, d.Cc, d.Bcc = cm.fields[0].entry.Text, cm.fields[1].entry.Text, cm.fields[2].entry.Text
	d.Subject = cm.subject.Text
	d.Body = cm.body.Text
	d.Attachments = append([]compose.Attachment(nil), cm.atts...)
	return d
}

// changed follows every edit: the size warning, and the autosave.
func (cm *composer) changed() {
	if cm.closed {
		return
	}
	cm.updateSize()
	cm.draft.dirty = true
	cm.scheduleSave()
	cm.routeChanged()
}

// closedWindow saves what was not saved yet (its server copy goes at
// once) and forgets the window.
func (cm *composer) closedWindow() {
	cm.closed = true
	cm.stopTimers()
	switch {
	case cm.sending || cm.draft.sent:
	case cm.draft.dirty:
		cm.saveDraft()
	case cm.draft.acct != nil && !cm.draft.pushed:
		cm.c.queuePush(*cm.draft.acct, 0)
	}
	open := cm.c.compose.open
	for i, o := range open {
		if o == cm {
			cm.c.compose.open = append(open[:i:i], open[i+1:]...)
			break
		}
	}
}

func (cm *composer) stopTimers() {
	cm.stopRoute()
	if cm.draft.stop != nil {
		cm.draft.stop()
		cm.draft.stop = nil
	}
	for _, f := range cm.fields {
		f.stopLookup()
	}
}

// showStatus shows a sentence under the attachments; danger for errors.
func (cm *composer) showStatus(text string, danger bool) {
	cm.status.Importance = widget.MediumImportance
	if danger {
		cm.status.Importance = widget.DangerImportance
	}
	cm.status.SetText(text)
	setVisible(cm.status, text != "")
}
