package app

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/inspect"
)

// inspectMessage opens the message with that subject and the inspector on
// it, without DNS, and waits until the report is drawn.
func (h *harness) inspectMessage(subject string) *inspector {
	h.t.Helper()
	h.c.insp.noDNS = true
	h.open(subject)
	h.c.inspectSelected()
	h.settle()
	iv := h.c.insp.view
	if iv == nil || iv.report == nil {
		h.t.Fatalf("the inspector did not open on %q", subject)
	}
	if iv.status.Visible() {
		h.t.Fatalf("the inspector says %q", iv.status.Text)
	}
	return iv
}

// tabText is every text drawn in tab i of the inspector, which it selects.
func tabText(iv *inspector, i int) string {
	iv.tabs.SelectIndex(i)
	var b strings.Builder
	walk(iv.tabs.Items[i].Content, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *selLabel:
			b.WriteString(x.Text + "\n")
		case *widget.Card:
			b.WriteString(x.Title + "\n" + x.Subtitle + "\n")
		case *badge:
			b.WriteString(x.Text + "\n")
		case *canvas.Text:
			b.WriteString(x.Text + "\n")
		}
	})
	return b.String()
}

// drawnTexts are the texts the route diagram's renderer draws, in order.
func drawnTexts(d *routeDiagram) []string {
	r := test.WidgetRenderer(d).(*routeRenderer)
	var out []string
	for _, t := range r.texts {
		out = append(out, t.Text)
	}
	return out
}

func TestInspectorRouteOfTheCourseExample(t *testing.T) {
	h := newHarness(t)
	iv := h.inspectMessage("test itineraire")
	if !strings.Contains(iv.win.Title(), "test itineraire") {
		t.Errorf("inspector title %q", iv.win.Title())
	}
	if iv.tabs.SelectedIndex() != tabRoute {
		t.Errorf("the inspector opened on tab %d, want Route", iv.tabs.SelectedIndex())
	}
	m := iv.route.diagram.model
	var names []string
	for _, n := range m.nodes {
		names = append(names, n.name)
	}
	want := []string{"CHRIS", "mahonia.w-n-doo.fr", "alisier.w-n-doo.fr", "mail.monaco.net", "Mailbox"}
	if !slices.Equal(names, want) {
		t.Fatalf("route nodes %q, want %q", names, want)
	}
	if m.nodes[0].role != "MUA: submission" || m.nodes[1].role != "MTA: relay" ||
		m.nodes[3].role != "MTA and MDA: delivery into the mailbox" {
		t.Errorf("roles %q, %q, %q", m.nodes[0].role, m.nodes[1].role, m.nodes[3].role)
	}
	if m.nodes[4].detail != "eme13@enprovence.com" {
		t.Errorf("the mailbox is %q", m.nodes[4].detail)
	}
	if len(m.edges) != 4 || m.edges[0].delay != "+27 s in the outbox" || !m.edges[0].outbox ||
		m.edges[1].delay != "+17 s" || m.edges[2].delay != "+2 s" || m.edges[3].delay != "" {
		t.Errorf("edges %+v", m.edges)
	}
	if !strings.Contains(m.edges[2].label, "ESMTP") || !hasMark(m.edges[2].marks, "no TLS") {
		t.Errorf("hop 3 is drawn as %q %v", m.edges[2].label, m.edges[2].marks)
	}
	if s := iv.route.summary.Text; !strings.Contains(s, "3 hops") || !strings.Contains(s, "27 s in the sender's outbox") {
		t.Errorf("route summary %q", s)
	}

	// The renderer draws the hosts in travel order, with the delays.
	drawn := drawnTexts(iv.route.diagram)
	last := -1
	for _, s := range []string{"CHRIS", "+27 s in the outbox", "mahonia.w-n-doo.fr", "+17 s", "alisier.w-n-doo.fr", "+2 s", "mail.monaco.net", "Mailbox"} {
		i := slices.Index(drawn, s)
		if i <= last {
			t.Fatalf("%q drawn at %d, after %d: %q", s, i, last, drawn)
		}
		last = i
	}
}

func hasMark(marks []routeMark, text string) bool {
	return slices.ContainsFunc(marks, func(m routeMark) bool { return m.text == text })
}

func TestInspectorEnvelopeShowsReturnPathAndFinding(t *testing.T) {
	h := newHarness(t)
	iv := h.inspectMessage("test itineraire")
	text := tabText(iv, tabEnvelope)
	e := iv.env
	if e.mailFrom.Text != "christian.caleca@wanadoo.fr" || !strings.Contains(e.mailFromSrc.Text, "Return-Path") {
		t.Errorf("MAIL FROM %q %q", e.mailFrom.Text, e.mailFromSrc.Text)
	}
	if e.rcptTo.Text != "eme13@enprovence.com" || !strings.Contains(e.rcptToSrc.Text, "for clause of hop 3") {
		t.Errorf("RCPT TO %q %q", e.rcptTo.Text, e.rcptToSrc.Text)
	}
	if !strings.Contains(text, "Christian CALECA <christian.caleca@w-n-doo.fr>") {
		t.Errorf("the header From is not shown:\n%s", text)
	}
	if len(e.findingTexts) != 1 || !strings.Contains(e.findingTexts[0], "envelope sender christian.caleca@wanadoo.fr") ||
		!strings.Contains(text, "bounces go to the envelope sender") {
		t.Errorf("findings %q", e.findingTexts)
	}
	if !strings.Contains(e.how.Text, "As far as the message tells") {
		t.Errorf("the envelope is said to be %q", e.how.Text)
	}
}

func TestInspectorAddressesExplainTheSMTPSession(t *testing.T) {
	h := newHarness(t)
	iv := h.inspectMessage("essai")
	text := tabText(iv, tabAddresses)
	for _, want := range []string{
		"jacques @ urec.fr",               // as written
		"→ jacques@urec.fr",               // what it means
		"Spaces or comments around the @", // the obsolete spaces explained
		"paul@uvsq.fr (Paul Ochon)",
		"A comment in parentheses: MTAs ignore it for routing",
		"comment: Paul Ochon",
		"MAIL FROM (recorded by Facteur's MTA)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the Addresses tab lacks %q:\n%s", want, text)
		}
	}
	if !iv.env.mailFromSrc.Visible() || !strings.Contains(iv.env.how.Text, "Exact") {
		t.Errorf("the recorded envelope is not marked exact: %q", iv.env.how.Text)
	}
}

func TestInspectorAuthAndRawHeaders(t *testing.T) {
	h := newHarness(t)
	iv := h.inspectMessage("test itineraire")
	auth := tabText(iv, tabAuth)
	if !strings.Contains(auth, "No Authentication-Results field") || !strings.Contains(auth, "no DKIM signature") {
		t.Errorf("Authentication tab:\n%s", auth)
	}
	raw := tabText(iv, tabRaw)
	trace, origin := strings.Index(raw, "Trace (Cheminement du courrier)"), strings.Index(raw, "Origin (Origine du courrier)")
	if trace < 0 || origin < trace || !strings.Contains(raw, "Received:") || !strings.Contains(raw, "from CHRIS (62.161.101.240) by mahonia.w-n-doo.fr;") {
		t.Errorf("Raw headers tab:\n%s", raw)
	}
	dns := tabText(iv, tabDNS)
	if !strings.Contains(dns, "Offline: no DNS answer") {
		t.Errorf("DNS off: the DNS tab says\n%s", dns)
	}
}

func TestInspectorKeysAndButton(t *testing.T) {
	h := newHarness(t)
	h.c.insp.noDNS = true
	h.open("test itineraire")
	if h.c.ui.reader.inspectBtn.Text != "Inspect" || h.c.ui.reader.inspectBtn.Icon == nil {
		t.Errorf("the reader's Inspect button: %q", h.c.ui.reader.inspectBtn.Text)
	}
	h.c.typedRune('i')
	h.settle()
	iv := h.c.insp.view
	if iv == nil || iv.report == nil {
		t.Fatal("i did not open the inspector")
	}
	iv.win.Close()
	if h.c.insp.view != nil {
		t.Fatal("the inspector is still open after Close")
	}
	sc, ok := h.w.Canvas().(fyne.Shortcutable)
	if !ok {
		t.Skip("the test canvas does not take shortcuts")
	}
	sc.TypedShortcut(shortcutInspect)
	h.settle()
	if h.c.insp.view == nil {
		t.Fatal("Ctrl+H did not open the inspector")
	}
	// Escape closes it.
	h.c.insp.view.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.c.insp.view != nil {
		t.Error("Escape did not close the inspector")
	}
}

func TestInspectorShowsLiveDKIM(t *testing.T) {
	h := newHarness(t)
	iv := h.inspectMessage("test itineraire")
	iv.auth.dkimChecks([]inspect.DKIMCheck{
		{Domain: "gmail.com", Identifier: "@gmail.com", Result: "pass"},
		{Domain: "example.org", Result: "fail", Error: "signature did not verify"},
	})
	text := tabText(iv, tabAuth)
	for _, want := range []string{"pass", "d=gmail.com i=@gmail.com", "fail", "d=example.org · signature did not verify"} {
		if !strings.Contains(text, want) {
			t.Errorf("the live DKIM result lacks %q:\n%s", want, text)
		}
	}
}

func TestInspectorFollowsTheSelection(t *testing.T) {
	h := newHarness(t)
	h.c.insp.noDNS = true
	h.open("test itineraire")
	h.c.inspectSelected()
	h.settle()
	iv := h.c.insp.view
	if iv == nil || iv.sum.Subject != "test itineraire" {
		t.Fatal("the inspector did not open on the message")
	}
	var other string
	for _, s := range h.subjects() {
		if s != "test itineraire" {
			other = s
			break
		}
	}
	h.open(other)
	if iv.sum.Subject != other || iv.subject.Text != rowSubject(other) || iv.report == nil {
		t.Errorf("the inspector shows %q (report %v), want %q", iv.sum.Subject, iv.report != nil, other)
	}
}
