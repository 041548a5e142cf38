package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// convActions is the row of actions of one message of the conversation,
// shown while it is expanded. They act on that message, not on the row
// selected in the list (the reader's own toolbar acts on that one).
func (c *controller) convActions(it *convItem) *foldBar {
	button := func(icon fyne.Resource, text string, fn func(mailstore.Summary)) *widget.Button {
		b := widget.NewButtonWithIcon(text, icon, func() { fn(it.sum) })
		b.Importance = widget.LowImportance
		return b
	}
	answer := func(kind composeKind) func(mailstore.Summary) {
		return func(s mailstore.Summary) { c.composeFrom(s, kind, 0) }
	}
	it.copyBtn = button(theme.ContentCopyIcon(), lang.L("Copy text"), func(mailstore.Summary) { c.copyText(it.text) })
	it.deleteBtn = button(theme.DeleteIcon(), lang.L("Delete"), func(s mailstore.Summary) { c.deleteFromConversation(it) })
	it.buttons = []*widget.Button{
		button(theme.MailReplyIcon(), lang.L("Reply"), answer(composeReply)),
		button(theme.MailReplyAllIcon(), lang.L("Reply all"), answer(composeReplyAll)),
		button(theme.MailForwardIcon(), lang.L("Forward"), answer(composeForward)),
		button(theme.InfoIcon(), lang.L("Inspect"), c.inspect),
		button(theme.FileTextIcon(), lang.L("Source"), c.showSourceOf),
		it.copyBtn,
		it.deleteBtn,
	}
	if c.readOnly {
		it.deleteBtn.Disable()
	}
	return newFoldBar(c.win.Canvas, it.buttons...)
}

// copyText puts text on the clipboard and says so.
func (c *controller) copyText(text string) {
	c.app.Clipboard().SetContent(text)
	c.notify(lang.L("The text of the message is copied."), nil)
}

// deleteFromConversation moves one message of the conversation to the
// Trash (with Undo), takes it out of the conversation and of the list,
// and leaves the reader on the message it shows.
func (c *controller) deleteFromConversation(it *convItem) {
	s := it.sum
	msgs := []mailstore.Summary{s}
	c.queueTrash(msgs)
	if s.Flags&mailstore.FlagSeen == 0 {
		c.adjustUnread(s.Folder, -1)
	}
	if c.rows.indexOf(s.ID) >= 0 {
		c.reloadList(true)
	}
	c.ui.reader.conv.remove(it)
	c.notifyTrashed(msgs)
}

// remove takes a message out of the conversation.
func (v *convView) remove(it *convItem) {
	i := slices.Index(v.items, it)
	if i < 0 {
		return
	}
	v.items = slices.Delete(v.items, i, i+1)
	v.rows.Remove(it.box)
	v.setTitle()
}
