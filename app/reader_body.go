package app

import (
	"context"
	"io"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"facteur/internal/htmldoc"
	"facteur/internal/message"
	"facteur/mailstore"
)

// bodyState is what the reader shows of the body of the open message: its
// HTML document when it has one, the images loaded for it.
type bodyState struct {
	id     int64
	doc    *htmldoc.Document // nil for a plain-text body
	images map[string]*loadedImage
	render *docRender // the last rendering, with its counts
	// remoteBusy is set while remote content loads; remoteDone says what
	// loading it did.
	remoteBusy bool
	remoteDone *remoteLoad
}

// prefPlainText shows the text/plain alternative of messages that have
// both, instead of their HTML.
const prefPlainText = "preferPlainText"

// showBody lays out the body of a message: its HTML rendered when it has
// an HTML part (unless the user prefers the text alternative), else its
// text.
func (c *controller) showBody(s mailstore.Summary, m *message.Message) {
	r := c.ui.reader
	r.bodyState = bodyState{id: s.ID}
	html, both := c.showsHTML(m)
	if both {
		r.format.SetText(formatLabel(html))
		r.format.Show()
		r.formatRow.Show()
	}
	if !html {
		c.showPlain(m)
		return
	}
	c.startHTML(c.readerBody(), m)
}

// showsHTML reports whether message m is shown as HTML (it has an HTML
// part and the user does not prefer its text alternative), and whether it
// has both alternatives to toggle between.
func (c *controller) showsHTML(m *message.Message) (html, both bool) {
	both = hasAlternatives(m)
	return m.HTML != "" && !(both && c.settings.Bool(prefPlainText, false)), both
}

// formatLabel is the label of the plain text / HTML toggle of a body
// shown as HTML (html) or as text.
func formatLabel(html bool) string {
	if html {
		return lang.L("Show plain text")
	}
	return lang.L("Show HTML")
}

// startHTML parses the HTML of m into b's state and draws it, then loads
// its images: those in the message at once, the remote ones when the user
// allows them (reader_remote.go).
func (c *controller) startHTML(b *bodyView, m *message.Message) {
	*b.st = bodyState{id: b.sum.ID, doc: htmldoc.Parse([]byte(m.HTML), htmldoc.Options{MaxText: maxBodyText})}
	c.drawDoc(b)
	c.loadLocalImages(b, m)
	c.showRemoteBar(b)
}

// hasAlternatives reports a message with both a text and an HTML body.
func hasAlternatives(m *message.Message) bool {
	return m.HTML != "" && !m.FromHTML && strings.TrimSpace(m.Text) != ""
}

// showPlain lays out a text body: as a selectable label, or drawn as a
// document (reader_html.go) when it has links to click or quoted levels
// to show as bars.
func (c *controller) showPlain(m *message.Message) {
	r := c.ui.reader
	text := bodyText(m)
	r.body.SetText(text)
	d := htmldoc.FromPlain(text)
	if plainEnough(d) {
		r.body.Show()
		r.rich.Hide()
		return
	}
	render := &docRender{open: c.openLink}
	r.showRich(render.render(d))
}

// plainEnough reports a text with no link to click and no quoted level
// to show as a bar: a selectable label shows it as well as a document.
func plainEnough(d *htmldoc.Document) bool {
	return len(d.Links) == 0 && !hasQuote(d.Blocks)
}

// showRich shows the rendered body, or its text while the user selects.
func (r *readerView) showRich(o fyne.CanvasObject) {
	r.rich.Objects = []fyne.CanvasObject{o}
	r.selectBtn.Show()
	r.formatRow.Show()
	r.showSelecting()
	r.rich.Refresh()
}

// toggleSelectText swaps the rendered body for its text in a selectable
// label, and back. Fyne's RichText cannot be selected
// (fyne-io/fyne#5946) while its Label can (Selectable, Fyne 2.6): the
// user selects and copies from the text, as View source does for the raw
// message.
func (c *controller) toggleSelectText() {
	r := c.ui.reader
	if r.msg == nil {
		return
	}
	r.selecting = !r.selecting
	r.showSelecting()
	r.relayout()
}

// showSelecting shows the body as r.selecting says.
func (r *readerView) showSelecting() {
	if r.selecting && r.msg != nil {
		r.body.SetText(bodyText(r.msg))
		r.selectBtn.SetText(lang.L("Show formatted"))
	} else {
		r.selectBtn.SetText(lang.L("Select text"))
	}
	setVisible(r.body, r.selecting)
	setVisible(r.rich, !r.selecting)
}

func hasQuote(blocks []htmldoc.Block) bool {
	for _, b := range blocks {
		if b.Kind == htmldoc.Quote {
			return true
		}
	}
	return false
}

// toggleFormat shows the other alternative of the open message, and of
// the next ones.
func (c *controller) toggleFormat() {
	r := c.ui.reader
	if r.msg == nil {
		return
	}
	c.settings.SetBool(prefPlainText, !c.settings.Bool(prefPlainText, false))
	c.showMessage(r.sum, r.msg)
}

// bodyView is where an HTML body is shown: the reader's body, or one
// expanded message of the conversation (reader_conv.go). Both render the
// same way and keep remote content behind the same bar.
type bodyView struct {
	st     *bodyState
	sum    mailstore.Summary
	msg    *message.Message
	remote *remoteBar
	show   func(fyne.CanvasObject) // lays out a rendering of the document
	after  func()                  // the remote content arrived: notes, layout
}

// readerBody is the reader's own body as a bodyView.
func (c *controller) readerBody() *bodyView {
	r := c.ui.reader
	return &bodyView{st: &r.bodyState, sum: r.sum, msg: r.msg, remote: r.remote,
		show: func(o fyne.CanvasObject) {
			r.showRich(o)
			r.linksBlock.Hide() // the links are in the text
			r.relayout()
		},
		after: func() {
			c.showNotes(r.sum, r.msg)
			r.relayout()
		}}
}

// current reports whether b still shows document d of its message: the
// reader or the conversation may have moved on while images loaded.
func (b *bodyView) current(d *htmldoc.Document) bool {
	return b.st.id == b.sum.ID && b.st.doc == d
}

// drawDoc renders the document of b again (images arrived).
func (c *controller) drawDoc(b *bodyView) {
	st := b.st
	st.render = &docRender{images: st.images, open: c.openLink, colors: c.themeDrawsHTMLColors()}
	b.show(st.render.render(st.doc))
}

// loadLocalImages reads the cid: and data: images of the document in the
// background, then draws the body again with them.
func (c *controller) loadLocalImages(b *bodyView, m *message.Message) {
	d := b.st.doc
	if !hasLocalImages(d) {
		return
	}
	parts, id := m.Attachments, b.sum.ID
	open := func(ctx context.Context) (io.ReadCloser, error) { return c.store.Open(ctx, id) }
	c.work.bg(func(ctx context.Context) func() {
		imgs := localImages(ctx, d, parts, open)
		return func() {
			if !b.current(d) {
				return // another message is shown
			}
			b.st.images = imgs
			c.drawDoc(b)
		}
	})
}

// hasLocalImages reports images in the message itself.
func hasLocalImages(d *htmldoc.Document) bool {
	for _, im := range d.Images {
		if !im.Tracking && !im.Remote() {
			return true
		}
	}
	return false
}

// themeDrawsHTMLColors reports whether the app's theme resolves the
// colour names of reader_html.go (Facteur's own theme does).
func (c *controller) themeDrawsHTMLColors() bool {
	_, ok := c.app.Settings().Theme().(facteurTheme)
	return ok
}

// openLink opens a link of a message in the browser.
func (c *controller) openLink(u *url.URL) {
	open := c.openURL
	if open == nil {
		open = c.app.OpenURL
	}
	if err := open(u); err != nil {
		c.showError(err)
	}
}

// bodyNote is the reader's note on an HTML body.
func bodyNote(st bodyState) string {
	if st.doc == nil {
		return ""
	}
	note := remoteNote(st)
	if st.doc.Truncated {
		note += " " + lang.L("Only the beginning of this long message is shown; View source has the rest.")
	}
	return strings.TrimSpace(note)
}

// listedParts are the parts the reader lists as attachments: not those
// that the HTML shows as images (cid:).
func listedParts(d *htmldoc.Document, parts []message.Part) []message.Part {
	if d == nil {
		return parts
	}
	shown := map[string]bool{}
	for _, im := range d.Images {
		if strings.HasPrefix(strings.ToLower(im.Src), "cid:") {
			shown[strings.ToLower(cidOf(im.Src))] = true
		}
	}
	var out []message.Part
	for _, p := range parts {
		if p.ContentID != "" && shown[strings.ToLower(p.ContentID)] {
			continue
		}
		out = append(out, p)
	}
	return out
}
