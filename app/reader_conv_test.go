package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// The demo's itinerary thread opens as a conversation of three: Fred's
// question, Marc's reply from Sent, Fred's answer (open), the others
// collapsed to one line with their first words, expanded on a tap or all
// at once.
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
	if !sent.body.Visible() || !strings.Contains(sent.body.Text, first) {
		t.Errorf("tapped, the reply is not expanded: %q", sent.body.Text)
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
