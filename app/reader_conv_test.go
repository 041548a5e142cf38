package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The demo's itinerary thread opens as a conversation of three: Fred's
// question, Marc's reply from Sent, Fred's answer (open), the others
// collapsed to one line with their first words, expanded on a tap (their
// quotes drawn as bars, as in the reader) or all at once.
func TestReaderShowsTheConversation(t *testing.T) {
	h := newHarness(t)
	v := h.openItineraryReply()
	if len(v.items) != 3 || v.title.Text != "Conversation of 3 messages" {
		t.Fatalf("%d messages, title %q", len(v.items), v.title.Text)
	}
	sent := v.items[1]
	if sent.sum.Folder.Name != "Sent" || !strings.HasPrefix(sent.line.Text, "Marc · ") || !v.items[2].open {
		t.Errorf("conversation: %q in %v, open %v", sent.line.Text, sent.sum.Folder, v.items[2].open)
	}
	first := strings.Fields(sent.text)[0]
	if !strings.Contains(sent.line.Text, first) || sent.body.Visible() {
		t.Errorf("collapsed line %q without %q, or its body shown", sent.line.Text, first)
	}
	test.Tap(sent.line)
	if text := segmentText(segments(sent.body)); !sent.body.Visible() || !strings.Contains(text, first) {
		t.Errorf("tapped, the reply is not expanded: %q", text)
	}
	if text := segmentText(segments(sent.body)); quoteBars(sent.body) != 1 || strings.Contains(text, "> Ouvre") {
		t.Errorf("the reply's quote is not drawn as a bar (%d bars): %q", quoteBars(sent.body), text)
	}
	test.Tap(v.collapseAll)
	if sent.body.Visible() || v.items[0].body.Visible() {
		t.Error("Collapse all left a message expanded")
	}
	test.Tap(v.expandAll)
	if !sent.body.Visible() || !v.items[0].body.Visible() || v.items[2].body.Visible() {
		t.Error("Expand all: the others are not all expanded, or the open one is repeated")
	}
	h.open("essai")
	h.settle()
	if v.box.Visible() {
		t.Error("a message alone in its thread shows a conversation")
	}
}

// convButton is the button of an expanded conversation message by label.
func convButton(t *testing.T, it *convItem, label string) *widget.Button {
	t.Helper()
	for _, b := range it.buttons {
		if b.Text == label {
			return b
		}
	}
	t.Fatalf("no %q among the actions of %q", label, it.line.Text)
	return nil
}

// Each message of the conversation has its own actions, shown when it is
// expanded; they act on that message and not on the one selected in the
// list: Reply answers Marc's reply from Sent, Inspect inspects it, Copy
// text copies its text, Delete moves Fred's question to the Trash and
// leaves the reader on the open message.
func TestConversationMessageActions(t *testing.T) {
	h := newHarness(t)
	h.c.compose.saveWait = time.Hour
	v := h.openItineraryReply()
	open, sent, first := v.items[2], v.items[1], v.items[0]
	if open.bar != nil || sent.bar.row.Visible() {
		t.Fatal("the open message has its own actions, or a collapsed one shows them")
	}
	test.Tap(sent.line)
	if !sent.bar.row.Visible() {
		t.Fatal("expanded, the message shows no actions")
	}
	test.Tap(convButton(t, sent, "Reply"))
	h.settle()
	if len(h.c.compose.open) != 1 || h.c.compose.open[0].base.InReplyTo != sent.sum.MessageID {
		t.Fatalf("Reply on the Sent message: %d composers, want one answering %q", len(h.c.compose.open), sent.sum.MessageID)
	}
	test.Tap(convButton(t, sent, "Inspect"))
	h.settle()
	if iv := h.c.insp.view; iv == nil || iv.sum.ID != sent.sum.ID {
		t.Errorf("Inspect did not inspect the Sent message")
	}
	test.Tap(convButton(t, sent, "Copy text"))
	if got := h.c.app.Clipboard().Content(); got != sent.text || got == "" {
		t.Errorf("clipboard %q, want the text of the Sent message", got)
	}
	test.Tap(first.line)
	test.Tap(first.deleteBtn)
	h.settle()
	if len(v.items) != 2 || v.title.Text != "Conversation of 2 messages" || h.c.ui.reader.sum.ID != open.sum.ID {
		t.Errorf("after Delete: %d messages (%q), reader on %d", len(v.items), v.title.Text, h.c.ui.reader.sum.ID)
	}
	if got, err := h.store.Get(context.Background(), first.sum.ID); err == nil && got.Folder.Name == "INBOX" {
		t.Errorf("the deleted message stayed in %v", got.Folder)
	}
	if h.c.rows.indexOf(first.sum.ID) >= 0 {
		t.Error("the deleted message stayed in the list")
	}
}

// The HTML newsletter is drawn as rich text, which cannot be selected:
// Select text shows its text in a selectable label, and Show formatted
// brings the rendering back.
func TestReaderSelectText(t *testing.T) {
	h := newHarness(t)
	h.open("La Lettre du Facteur — novembre")
	r := h.c.ui.reader
	if !r.rich.Visible() || r.body.Visible() || !r.selectBtn.Visible() {
		t.Fatalf("rich %v, body %v, Select text %v", r.rich.Visible(), r.body.Visible(), r.selectBtn.Visible())
	}
	test.Tap(r.selectBtn)
	if r.rich.Visible() || !r.body.Visible() || !r.body.Selectable || r.body.Text != bodyText(r.msg) {
		t.Fatalf("Select text: rich %v, body %v %q", r.rich.Visible(), r.body.Visible(), r.body.Text)
	}
	test.Tap(r.selectBtn)
	if !r.rich.Visible() || r.body.Visible() || r.selectBtn.Text != "Select text" {
		t.Error("Show formatted did not bring the rendering back")
	}
}
