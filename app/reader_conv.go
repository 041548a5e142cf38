package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/htmldoc"
	"facteur/internal/message"
	"facteur/mailstore"
)

// maxConvMessages bounds the messages of a conversation that the reader
// reads; firstWords is the length of a collapsed message's excerpt.
const (
	maxConvMessages = 200
	firstWords      = 90
)

// convView is the conversation of the open message: the other messages of
// its thread (mailstore.Conversation), oldest first, each collapsed to one
// line (sender, date, first words) and expanded on a tap.
type convView struct {
	box                    *fyne.Container // hidden when the message is alone in its thread
	title                  *widget.Label
	rows                   *fyne.Container
	items                  []*convItem
	expandAll, collapseAll *widget.Button
}

// convItem is one message of the conversation: its line, and when
// expanded its actions (reader_convacts.go) and its body, drawn as the
// reader draws it (reader_convbody.go), laid out when first expanded.
type convItem struct {
	sum                mailstore.Summary
	open               bool             // the message shown in the reader
	msg                *message.Message // nil when it could not be read
	text               string
	line               *widget.Button
	bar                *foldBar // nil for the open message
	buttons            []*widget.Button
	copyBtn, deleteBtn *widget.Button
	body               *fyne.Container
	draw               func() fyne.CanvasObject // the body's content
	view               *convBody                // its HTML body, once drawn
	box                *fyne.Container
	expanded           bool
}

func (c *controller) newConvView() *convView {
	v := &convView{title: keyLabel(""), rows: container.NewVBox()}
	v.expandAll = widget.NewButton(lang.L("Expand all"), func() { v.setAll(true) })
	v.collapseAll = widget.NewButton(lang.L("Collapse all"), func() { v.setAll(false) })
	v.expandAll.Importance, v.collapseAll.Importance = widget.LowImportance, widget.LowImportance
	head := container.NewBorder(nil, nil, nil, container.NewHBox(v.expandAll, v.collapseAll), v.title)
	v.box = container.NewVBox(widget.NewSeparator(), head, v.rows)
	v.box.Hide()
	return v
}

// setAll expands or collapses every other message.
func (v *convView) setAll(expanded bool) {
	for _, it := range v.items {
		if !it.open {
			it.setExpanded(expanded)
		}
	}
}

func (it *convItem) setExpanded(on bool) {
	it.expanded = on
	if on && len(it.body.Objects) == 0 {
		it.body.Add(it.draw())
	}
	setVisible(it.body, on)
	if it.bar != nil {
		setVisible(it.bar.row, on)
	}
}

// setTitle counts the messages of the conversation.
func (v *convView) setTitle() {
	n := len(v.items)
	v.title.SetText(lang.N("Conversation of {{.Count}} messages", n, map[string]any{"Count": n}))
}

// showConversation reads the thread of message s in the background and
// lists it above the body when it holds other messages.
func (c *controller) showConversation(s mailstore.Summary) {
	v := c.ui.reader.conv
	v.box.Hide()
	v.items = nil
	v.rows.RemoveAll()
	c.work.bg(func(ctx context.Context) func() {
		sums, err := c.store.Conversation(ctx, s.ID)
		if err != nil || len(sums) < 2 {
			return nil
		}
		sums = sums[max(0, len(sums)-maxConvMessages):]
		msgs := make([]*message.Message, len(sums))
		for i, o := range sums {
			if o.ID == s.ID || o.Partial {
				continue
			}
			if m, err := c.readMessage(ctx, o.ID); err == nil {
				msgs[i] = m
			}
		}
		return func() {
			if c.ui.reader.sum.ID != s.ID {
				return // another message is shown
			}
			c.fillConversation(s, sums, msgs)
		}
	})
}

// fillConversation lays out the rows of a conversation.
func (c *controller) fillConversation(s mailstore.Summary, sums []mailstore.Summary, msgs []*message.Message) {
	v := c.ui.reader.conv
	for i, o := range sums {
		it := &convItem{sum: o, open: o.ID == s.ID, msg: msgs[i]}
		if it.msg != nil {
			it.text = it.msg.Text
		}
		it.body = container.NewVBox()
		it.body.Hide()
		it.draw = func() fyne.CanvasObject { return c.drawConvBody(it) }
		it.line = widget.NewButton(convLine(o, it.text, it.open, c.now().Location()), func() { it.setExpanded(!it.expanded) })
		it.line.Alignment = widget.ButtonAlignLeading
		it.line.Importance = widget.LowImportance
		it.box = container.NewVBox(it.line)
		if it.open {
			it.line.Importance = widget.HighImportance
			it.line.OnTapped = nil
		} else {
			it.bar = c.convActions(it)
			it.bar.row.Hide()
			it.box.Add(it.bar.row)
		}
		it.box.Add(it.body)
		v.items = append(v.items, it)
		v.rows.Add(it.box)
	}
	v.setTitle()
	v.box.Show()
	c.ui.reader.relayout()
}

// convLine is the one line of a collapsed message: sender, date in the
// zone of the list (loc), first words, or "this message" for the one in
// the reader.
func convLine(s mailstore.Summary, text string, open bool, loc *time.Location) string {
	who := lang.L("(no sender)")
	if len(s.From) > 0 {
		who = s.From[0].Name
		if who == "" {
			who = s.From[0].Addr
		}
	}
	line := who + " · " + formatLongDate(s.Date.In(loc))
	if open {
		return line + " · " + lang.L("(this message)")
	}
	words := strings.Join(strings.Fields(text), " ")
	if len(words) > firstWords {
		cut := strings.LastIndexByte(words[:firstWords], ' ')
		if cut <= 0 {
			cut = firstWords
			for cut > 1 && !utf8.RuneStart(words[cut]) {
				cut--
			}
		}
		words = words[:cut] + "…"
	}
	return line + " · " + words
}

// drawText lays out a text as the reader does a text body (showPlain): a
// selectable label, or drawn as a document when it has links to click or
// quoted levels to show as bars.
func (c *controller) drawText(text string) fyne.CanvasObject {
	d := htmldoc.FromPlain(text)
	if plainEnough(d) {
		l := selectableLabel()
		l.SetText(text)
		return l
	}
	return (&docRender{open: c.openLink}).render(d)
}
