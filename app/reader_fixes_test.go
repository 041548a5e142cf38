package app

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"facteur/internal/htmldoc"
	"facteur/mailstore"
)

// The dates of a conversation are in the zone of the list (the user's),
// not in UTC as the index keeps them.
func TestConversationDatesInTheLocalZone(t *testing.T) {
	h := newHarness(t)
	tokyo := time.FixedZone("JST", 9*3600)
	h.c.now = func() time.Time { return time.Date(2026, 11, 25, 21, 0, 0, 0, tokyo) }
	v := h.openItineraryReply()
	for _, it := range v.items {
		want := formatLongDate(it.sum.Date.In(tokyo))
		if !strings.Contains(it.line.Text, want) || !strings.Contains(want, "+0900") {
			t.Errorf("line %q, want the date %q", it.line.Text, want)
		}
	}
}

// openItineraryReply opens the last message of the demo's itinerary
// thread and waits for its conversation.
func (h *harness) openItineraryReply() *convView {
	h.t.Helper()
	i := h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == "Re: Itinéraire d'un message" })
	if i < 0 {
		h.t.Fatal("no reply of the itinerary thread in the inbox")
	}
	h.c.ui.list.Select(i)
	v := h.c.ui.reader.conv
	h.waitFor("the conversation", func() bool { return v.box.Visible() })
	return v
}

// A link whose text names another host gets its hint, and the
// punctuation after the link follows the hint without a blank before it.
func TestLinkHintBeforePunctuation(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct{ html, want string }{
		{`<p>Confirmez sur <a href="https://secure-login.example/">www.banque.example</a>. Merci</p>`,
			"Confirmez sur www.banque.example (goes to secure-login.example). Merci"},
		{`<p>Voir <a href="https://secure-login.example/">www.banque.example </a>puis</p>`,
			"Voir www.banque.example (goes to secure-login.example) puis"},
		{`<p>Voir <a href="https://facteur.example/">le site</a>, puis</p>`, "Voir le site, puis"},
	} {
		loadTranslations()
		r := &docRender{open: func(*url.URL) {}}
		var para *linkText // the paragraph, not the links' own texts
		walk(r.render(htmldoc.Parse([]byte(tc.html), htmldoc.Options{})), func(o fyne.CanvasObject) {
			if lt, ok := o.(*linkText); ok && para == nil {
				para = lt
			}
		})
		got := segmentText(para.Segments)
		if got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.html, got, tc.want)
		}
	}
}
