package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// convBody is the body of an expanded message of the conversation, shown
// as the reader shows its own (reader_body.go): its HTML rendered by the
// same docRender, its remote content behind its own bar (blocked until
// the user allows it, loaded at once for a sender always allowed), the
// plain text / HTML toggle of a message that has both.
type convBody struct {
	state     bodyState
	remote    *remoteBar
	format    *widget.Button
	formatRow *fyne.Container
	note      *widget.Label
	rich      *fyne.Container
}

// drawConvBody lays out the body of a message of the conversation, when
// it is first expanded.
func (c *controller) drawConvBody(it *convItem) fyne.CanvasObject {
	if it.msg == nil {
		return c.drawText(strings.TrimSpace(it.text))
	}
	v := &convBody{rich: container.NewStack(), note: widget.NewLabel("")}
	v.note.Wrapping = fyne.TextWrapWord
	v.note.TextStyle.Italic = true
	v.remote = newRemoteBarFor(func(always bool) { c.loadRemote(c.convBodyView(it), always) })
	v.format = widget.NewButton("", func() { c.toggleConvFormat(it) })
	v.format.Importance = widget.LowImportance
	v.formatRow = container.NewHBox(v.format)
	it.view = v
	c.showConvBody(it)
	return container.NewVBox(v.remote.box, v.formatRow, v.note, v.rich)
}

// showConvBody draws the body of an expanded message: its HTML, or its
// text when it has none or the user prefers the text alternative.
func (c *controller) showConvBody(it *convItem) {
	v := it.view
	html, both := c.showsHTML(it.msg)
	v.format.SetText(formatLabel(html))
	setVisible(v.formatRow, both)
	v.state = bodyState{id: it.sum.ID}
	v.remote.box.Hide()
	if !html {
		v.show(c.drawText(strings.TrimSpace(it.text)))
		v.showNote()
		return
	}
	c.startHTML(c.convBodyView(it), it.msg)
	v.showNote()
}

// convBodyView is the body of a message of the conversation as a
// bodyView, for the code it shares with the reader.
func (c *controller) convBodyView(it *convItem) *bodyView {
	v := it.view
	return &bodyView{st: &v.state, sum: it.sum, msg: it.msg, remote: v.remote,
		show: func(o fyne.CanvasObject) {
			v.show(o)
			c.ui.reader.relayout()
		},
		after: func() {
			v.showNote()
			c.ui.reader.relayout()
		}}
}

func (v *convBody) show(o fyne.CanvasObject) {
	v.rich.Objects = []fyne.CanvasObject{o}
	v.rich.Refresh()
}

// showNote says what was done to the remote content and the links of an
// HTML body, as the reader's notes do.
func (v *convBody) showNote() {
	note := bodyNote(v.state)
	v.note.SetText(note)
	setVisible(v.note, note != "")
}

// toggleConvFormat shows the other alternative of a message of the
// conversation; as the reader's toggle, it is the user's choice for the
// next messages too.
func (c *controller) toggleConvFormat(it *convItem) {
	c.settings.SetBool(prefPlainText, !c.settings.Bool(prefPlainText, false))
	c.showConvBody(it)
	c.ui.reader.relayout()
}
