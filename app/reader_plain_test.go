package app

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// quoteBars counts the bars of quoted levels drawn under o.
func quoteBars(o fyne.CanvasObject) int {
	n := 0
	walk(o, func(o fyne.CanvasObject) {
		if r, ok := o.(*canvas.Rectangle); ok && r.MinSize().Width == 3 {
			n++
		}
	})
	return n
}

func hyperlinks(o fyne.CanvasObject) []*widget.HyperlinkSegment {
	var out []*widget.HyperlinkSegment
	for _, s := range segments(o) {
		if l, ok := s.(*widget.HyperlinkSegment); ok {
			out = append(out, l)
		}
	}
	return out
}

// A plain-text message: its URLs are links, its quoted levels bars, its
// format=flowed lines joined (RFC 3676).
func TestReaderDrawsPlainText(t *testing.T) {
	h := newHarness(t)
	var opened []string
	h.c.openURL = func(u *url.URL) error { opened = append(opened, u.String()); return nil }
	raw := "From: Fred <fred@truc.fr>\r\nTo: marc@machin.com\r\nSubject: Flowed reply\r\n" +
		"Date: Tue, 24 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n" +
		"Voir https://facteur.example/doc. Cette phrase est \r\ncoupée en deux lignes.\r\n\r\n" +
		"> Tu as la doc ?\r\n>> Quelle doc ?\r\n> Celle du relais.\r\n"
	if _, err := h.store.Add(context.Background(), inboxRef, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	h.c.reloadList(false)
	h.settle()
	h.open("Flowed reply")
	r := h.c.ui.reader
	// no HTML to switch to; Select text, since the rendered body is not selectable
	if !r.rich.Visible() || r.body.Visible() || r.format.Visible() || !r.selectBtn.Visible() {
		t.Fatalf("rich %v, label %v, format toggle %v, Select text %v", r.rich.Visible(), r.body.Visible(), r.format.Visible(), r.selectBtn.Visible())
	}
	text := segmentText(segments(r.rich))
	if !strings.Contains(text, "Cette phrase est coupée en deux lignes.") {
		t.Errorf("the flowed lines are not joined: %q", text)
	}
	if strings.Contains(text, ">") {
		t.Errorf("quote marks drawn: %q", text)
	}
	if n := quoteBars(r.rich); n != 2 {
		t.Errorf("%d quote bars, want 2 (two levels)", n)
	}
	links := hyperlinks(r.rich)
	if len(links) != 1 || links[0].Text != "https://facteur.example/doc" {
		t.Fatalf("links %v", links)
	}
	links[0].OnTapped()
	if len(opened) != 1 || opened[0] != "https://facteur.example/doc" {
		t.Errorf("opened %q", opened)
	}
}

// A multipart/alternative message shows its HTML, and its text on request,
// a choice kept for the next messages.
func TestReaderTogglesPlainTextAndHTML(t *testing.T) {
	h := newHarness(t)
	h.openNewsletter()
	r := h.c.ui.reader
	if !r.formatRow.Visible() || r.format.Text != "Show plain text" || r.bodyState.doc == nil {
		t.Fatalf("toggle %v %q, HTML %v", r.formatRow.Visible(), r.format.Text, r.bodyState.doc != nil)
	}
	test.Tap(r.format)
	h.settle()
	if r.bodyState.doc != nil || r.format.Text != "Show HTML" || r.remote.box.Visible() {
		t.Fatalf("after the toggle: HTML %v, button %q, remote bar %v", r.bodyState.doc != nil, r.format.Text, r.remote.box.Visible())
	}
	if text := segmentText(segments(r.rich)); !strings.Contains(text, "Novembre 2026 - numéro 42") {
		t.Errorf("the text alternative is not shown: %q", text)
	}
	if len(hyperlinks(r.rich)) != 3 || quoteBars(r.rich) != 2 {
		t.Errorf("%d links (want 3), %d bars (want 2)", len(hyperlinks(r.rich)), quoteBars(r.rich))
	}
	h.open("Table de transport pour le relais")
	h.openNewsletter()
	if r.bodyState.doc != nil {
		t.Error("the choice of the text alternative is not kept")
	}
	test.Tap(r.format)
	h.settle()
	if r.bodyState.doc == nil || r.format.Text != "Show plain text" {
		t.Errorf("back to HTML: %v %q", r.bodyState.doc != nil, r.format.Text)
	}
}
