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
	both := hasAlternatives(m)
	plain := m.HTML == "" || both && c.settings.Bool(prefPlainText, false)
	if both {
		r.format.SetText(lang.L("Show HTML"))
		if !plain {
			r.format.SetText(lang.L("Show plain text"))
		}
		r.format.Show()
		r.formatRow.Show()
	}
	if plain {
		c.showPlain(m)
		return
	}
	r.bodyState.doc = htmldoc.Parse([]byte(m.HTML), htmldoc.Options{MaxText: maxBodyText})
	c.drawBody()
	c.loadLocalImages(s, m)
	c.showRemoteBar(m)
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

// drawBody renders the document of the reader again (images arrived).
func (c *controller) drawBody() {
	r := c.ui.reader
	st := &r.bodyState
	st.render = &docRender{images: st.images, open: c.openLink, colors: c.themeDrawsHTMLColors()}
	r.showRich(st.render.render(st.doc))
	r.linksBlock.Hide() // the links are in the text
	r.relayout()
}

// loadLocalImages reads the cid: and data: images of the document in the
// background, then draws the body again with them.
func (c *controller) loadLocalImages(s mailstore.Summary, m *message.Message) {
	d := c.ui.reader.bodyState.doc
	if !hasLocalImages(d) {
		return
	}
	parts := m.Attachments
	open := func(ctx context.Context) (io.ReadCloser, error) { return c.store.Open(ctx, s.ID) }
	c.work.bg(func(ctx context.Context) func() {
		imgs := localImages(ctx, d, parts, open)
		return func() {
			st := &c.ui.reader.bodyState
			if st.id != s.ID || st.doc != d {
				return // another message is shown
			}
			st.images = imgs
			c.drawBody()
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
