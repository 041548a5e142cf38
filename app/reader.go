package app

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/message"
	"facteur/mailstore"
)

// maxBodyText bounds the text the reader lays out; View source has the rest.
const maxBodyText = 256 << 10

// readerView is the right pane: actions, headers, body, links, attachments.
type readerView struct {
	empty   *emptyState
	content *fyne.Container
	scroll  *container.Scroll

	subject                       *selLabel
	from, to, cc, date            *selLabel
	ccKey                         *widget.Label
	notes                         *widget.Label
	body                          *selLabel
	links, attachments            *fyne.Container
	readBtn, flagBtn              *widget.Button
	deleteBtn, moveBtn, sourceBtn *widget.Button
	inspectBtn                    *widget.Button
	linksTitle, attachmentsTitle  *widget.Label
	linksBlock, attachmentsBlock  *fyne.Container
	actions                       *fyne.Container
	sum                           mailstore.Summary
	msg                           *message.Message
	rich                          *fyne.Container // the body rendered (reader_body.go)
	bodyState                     bodyState
	remote                        *remoteBar     // remote content blocked (reader_remote.go)
	format                        *widget.Button // plain text / HTML (reader_body.go)
	selectBtn                     *widget.Button // the rendered body as selectable text
	selecting                     bool
	formatRow                     *fyne.Container
	conv                          *convView   // the other messages of the thread (reader_conv.go)
	invite                        *inviteCard // a meeting invitation (reader_invite.go)
}

// selectableLabel is a selectable label wrapped at spaces.
func selectableLabel() *selLabel {
	l := newSelLabel("")
	l.Wrapping = fyne.TextWrapWord
	return l
}

// oneLineLabel is a selectable label cut with an ellipsis when too long.
func oneLineLabel() *selLabel {
	l := newSelLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func keyLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return l
}

// buildReader makes the reader pane, empty until a message is opened.
func (c *controller) buildReader() fyne.CanvasObject {
	r := &readerView{
		empty:   newEmptyState(),
		subject: selectableLabel(),
		from:    oneLineLabel(), to: selectableLabel(), cc: selectableLabel(),
		date:  oneLineLabel(),
		ccKey: keyLabel(lang.L("Cc")),
		notes: widget.NewLabel(""), body: selectableLabel(),
		links: container.NewVBox(), attachments: container.NewVBox(),
		rich: container.NewStack(),
	}
	r.subject.TextStyle.Bold = true
	r.subject.SizeName = theme.SizeNameSubHeadingText
	r.notes.Wrapping = fyne.TextWrapWord
	r.notes.TextStyle.Italic = true
	r.remote = c.newRemoteBar()
	r.conv = c.newConvView()
	r.invite = c.newInviteCard()
	r.format = widget.NewButton("", c.toggleFormat)
	r.format.Importance = widget.LowImportance
	r.selectBtn = widget.NewButtonWithIcon(lang.L("Select text"), theme.ContentCopyIcon(), c.toggleSelectText)
	r.selectBtn.Importance = widget.LowImportance
	r.formatRow = container.NewHBox(r.format, r.selectBtn)
	r.formatRow.Hide()
	c.ui.reader = r
	actions := c.buildReaderActions(r)
	headers := container.New(layout.NewFormLayout(),
		keyLabel(lang.L("From")), r.from,
		keyLabel(lang.L("To")), r.to,
		r.ccKey, r.cc,
		keyLabel(lang.L("Date")), r.date,
	)
	r.attachmentsTitle = keyLabel(lang.L("Attachments"))
	r.attachmentsBlock = container.NewVBox(widget.NewSeparator(), r.attachmentsTitle, r.attachments)
	r.linksTitle = keyLabel(lang.L("Links in this message (never opened by Facteur)"))
	r.linksBlock = container.NewVBox(widget.NewSeparator(), r.linksTitle, r.links)
	page := container.NewVBox(r.subject, headers, r.notes, r.remote.box,
		r.formatRow, r.invite.box, r.attachmentsBlock, r.conv.box,
		widget.NewSeparator(), r.body, r.rich, r.linksBlock)
	r.scroll = container.NewVScroll(page)
	r.content = container.NewBorder(container.NewVBox(actions, widget.NewSeparator()), nil, nil, nil, r.scroll)
	r.clear(lang.L("No message selected"))
	c.ui.readerPane = container.NewStack(r.content, r.empty.centered())
	return c.ui.readerPane
}

func (c *controller) buildReaderActions(r *readerView) fyne.CanvasObject {
	button := func(icon fyne.Resource, fn func()) *widget.Button {
		b := widget.NewButtonWithIcon("", icon, fn)
		b.Importance = widget.LowImportance
		return b
	}
	r.readBtn = button(theme.VisibilityOffIcon(), c.toggleRead)
	r.flagBtn = button(flagIcon, c.toggleFlag)
	r.deleteBtn = button(theme.DeleteIcon(), c.deleteSelected)
	r.moveBtn = button(theme.FolderOpenIcon(), c.showMoveDialog)
	r.sourceBtn = button(theme.FileTextIcon(), c.showSource)
	r.inspectBtn = button(theme.InfoIcon(), c.inspectSelected)
	r.deleteBtn.SetText(lang.L("Delete"))
	r.moveBtn.SetText(lang.L("Move…"))
	r.sourceBtn.SetText(lang.L("Source"))
	r.inspectBtn.SetText(lang.L("Inspect"))
	// Two rows: what to do with the message (answer it, inspect it), then
	// where it goes; what does not fit folds behind "⋯".
	cv := c.win.Canvas
	compose := newFoldBar(cv, append(c.buildComposeActions(button), r.inspectBtn)...)
	compose.extra = c.moreComposeItems
	manage := newFoldBar(cv, r.readBtn, r.flagBtn, r.deleteBtn, r.moveBtn, r.sourceBtn)
	c.ui.bars = append(c.ui.bars, compose, manage)
	r.actions = container.NewVBox(compose.row, manage.row)
	return r.actions
}

// clear empties the reader and shows text in its place.
func (r *readerView) clear(text string) {
	r.sum, r.msg = mailstore.Summary{}, nil
	r.content.Hide()
	r.empty.set(text)
}

// showSummary shows what the index knows while the message is read.
func (r *readerView) showSummary(s mailstore.Summary) {
	r.sum, r.msg = s, nil
	r.empty.set("")
	r.content.Show()
	r.subject.SetText(rowSubject(s.Subject))
	r.from.SetText(formatAddresses(s.From))
	r.to.SetText(formatAddresses(s.To))
	r.setCc(s.Cc)
	r.date.SetText(formatLongDate(s.Date))
	r.notes.SetText("")
	r.notes.Hide()
	r.body.SetText(lang.L("Loading…"))
	r.body.Show()
	r.rich.Objects = nil
	r.rich.Hide()
	r.bodyState = bodyState{}
	r.remote.box.Hide()
	r.invite.reset()
	r.formatRow.Hide()
	r.format.Hide()
	r.selectBtn.Hide()
	r.selecting = false
	r.attachments.RemoveAll()
	r.attachmentsBlock.Hide()
	r.links.RemoveAll()
	r.linksBlock.Hide()
	r.setFlags(s.Flags)
	r.scroll.ScrollToTop()
	r.relayout()
}

func (r *readerView) setCc(cc []message.Address) {
	r.cc.SetText(formatAddresses(cc))
	setVisible(r.cc, len(cc) > 0)
	setVisible(r.ccKey, len(cc) > 0)
}

// setFlags updates the read and flag buttons.
func (r *readerView) setFlags(f mailstore.Flags) {
	r.sum.Flags = f
	if f&mailstore.FlagSeen != 0 {
		r.readBtn.SetText(lang.L("Mark unread"))
		r.readBtn.SetIcon(theme.VisibilityOffIcon())
	} else {
		r.readBtn.SetText(lang.L("Mark read"))
		r.readBtn.SetIcon(theme.VisibilityIcon())
	}
	if f&mailstore.FlagFlagged != 0 {
		r.flagBtn.SetText(lang.L("Unflag"))
	} else {
		r.flagBtn.SetText(lang.L("Flag"))
	}
	r.actions.Refresh() // the buttons changed width
}

// showMessage fills the reader with a parsed message.
func (c *controller) showMessage(s mailstore.Summary, m *message.Message) {
	r := c.ui.reader
	r.showSummary(s)
	r.msg = m
	if m.Subject != "" {
		r.subject.SetText(rowSubject(m.Subject))
	}
	if len(m.From) > 0 {
		r.from.SetText(formatAddresses(m.From))
	}
	r.to.SetText(formatAddresses(m.To))
	r.setCc(m.Cc)
	if !m.Date.IsZero() {
		r.date.SetText(formatLongDate(m.Date))
	}
	c.showBody(s, m)
	c.showConversation(s)
	c.showInvitation(s, m)
	c.showNotes(s, m)
	c.showAttachments(listedParts(r.bodyState.doc, m.Attachments))
	if r.bodyState.doc == nil {
		c.showLinks(m.Links)
	}
	r.relayout()
}

// relayout lays the page out again: wrapped labels measure their height at
// their width, which is only known after a first layout.
func (r *readerView) relayout() {
	r.scroll.Content.Refresh()
	r.scroll.Refresh()
}

// bodyText is the text the reader shows for the body.
func bodyText(m *message.Message) string {
	text := strings.TrimRight(m.Text, " \t\r\n")
	if text == "" {
		return lang.L("(this message has no text)")
	}
	if len(text) > maxBodyText {
		cut := strings.LastIndexByte(text[:maxBodyText], '\n')
		if cut <= 0 {
			cut = maxBodyText
		}
		text = text[:cut] + "\n\n" + lang.L("[The rest of this long message is in View source.]")
	}
	return strings.ReplaceAll(text, "\r\n", "\n")
}

// showNotes tells what the reader did to the message: HTML reduced to text,
// parts that could not be read.
func (c *controller) showNotes(s mailstore.Summary, m *message.Message) {
	var notes []string
	r := c.ui.reader
	r.notes.Importance = widget.MediumImportance
	switch {
	case r.bodyState.doc != nil:
		if n := bodyNote(r.bodyState); n != "" {
			notes = append(notes, n)
		}
	case m.FromHTML:
		notes = append(notes, lang.L("Shown as text from its HTML part; remote images and content are never loaded."))
	}
	if len(m.Problems) > 0 || s.Problem != "" {
		notes = append(notes, lang.L("Parts of this message could not be read; what could be read is shown. View source has the raw message."))
		r.notes.Importance = widget.WarningImportance
	}
	r.notes.SetText(strings.Join(notes, "\n"))
	setVisible(r.notes, len(notes) > 0)
}

// showLinks lists the links of an HTML message; they open only on a click.
func (c *controller) showLinks(links []string) {
	r := c.ui.reader
	r.links.RemoveAll()
	for _, l := range links {
		r.links.Add(linkWidget(l))
	}
	setVisible(r.linksBlock, len(links) > 0)
}

func linkWidget(link string) fyne.CanvasObject {
	u, err := url.Parse(link)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto") {
		h := widget.NewHyperlink(link, u)
		h.Truncation = fyne.TextTruncateEllipsis
		return h
	}
	l := newSelLabel(link)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// openMessage shows message s in the reader and marks it read.
func (c *controller) openMessage(s mailstore.Summary) {
	c.selID = s.ID
	c.ui.reader.showSummary(s)
	if iv := c.insp.view; iv != nil && iv.sum.ID != s.ID {
		iv.start(s) // an open inspector follows the selection
	}
	if s.Flags&mailstore.FlagSeen == 0 && !c.readOnly {
		c.setFlags([]mailstore.Summary{s}, mailstore.FlagSeen, 0)
	}
	if !c.readOnly && c.isDraft(s) && c.composerOf(s.ID) == nil {
		c.openDraft(s) // a draft opens in the composer
	}
	fetch := c.bodyFetcher(s)
	if fetch != nil {
		c.ui.reader.body.SetText(lang.L("Downloading this message from {{.Account}}…", map[string]any{"Account": s.Folder.Account}))
	}
	c.work.bg(func(ctx context.Context) func() {
		if fetch != nil {
			whole, err := fetch(ctx)
			if err != nil {
				return func() { c.bodyFailed(s, err) }
			}
			s = whole
		}
		m, err := c.readMessage(ctx, s.ID)
		return func() {
			if c.selID != s.ID {
				return // the user moved on
			}
			if err != nil {
				c.ui.reader.body.SetText(lang.L("This message could not be read: {{.Error}}", map[string]any{"Error": err.Error()}))
				return
			}
			if fetch != nil {
				c.ui.reader.sum = s // whole now: its size changed
			}
			c.showMessage(c.ui.reader.sum, m)
		}
	})
}

// bodyFetcher returns what downloads the body of a partial message (an
// IMAP account synced headers first), or nil when s is whole. It is called
// on the UI goroutine; what it returns runs in the background.
func (c *controller) bodyFetcher(s mailstore.Summary) func(context.Context) (mailstore.Summary, error) {
	if !s.Partial {
		return nil
	}
	m, err := c.mailer()
	return func(ctx context.Context) (mailstore.Summary, error) {
		if err != nil {
			return s, err
		}
		return m.FetchBody(ctx, s.ID) // the watcher's connection, else one of its own
	}
}

// bodyFailed says that the body of s stayed on the server.
func (c *controller) bodyFailed(s mailstore.Summary, err error) {
	if c.selID != s.ID {
		return
	}
	c.ui.reader.body.SetText(lang.L("The body of this message is still on the server and could not be downloaded: {{.Error}}. Select the message again to retry.",
		map[string]any{"Error": problemText(err)}))
}

// reloadReader shows the message of the reader again from the store (its
// file was replaced: a body downloaded in the background).
func (c *controller) reloadReader() {
	id := c.selID
	if id == 0 {
		return
	}
	c.work.bg(func(ctx context.Context) func() {
		s, err := c.store.Get(ctx, id)
		if err != nil || s.Partial {
			return nil
		}
		m, err := c.readMessage(ctx, id)
		return func() {
			if err != nil || c.selID != id {
				return
			}
			c.ui.reader.sum = s
			c.showMessage(s, m)
		}
	})
}

// readMessage parses a stored message.
func (c *controller) readMessage(ctx context.Context, id int64) (*message.Message, error) {
	rc, err := c.store.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	m, err := message.Parse(rc, message.Options{KeepHTML: true})
	if m == nil && err == nil {
		err = errors.New("empty message")
	}
	return m, err
}

// closeReader empties the reader (the message left the list).
func (c *controller) closeReader() {
	c.selID = 0
	c.ui.reader.clear(lang.L("No message selected"))
}
