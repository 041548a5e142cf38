package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// addHTMLThread stores a thread of two: an HTML newsletter of the
// association (text and HTML alternatives, two images on srv), then a
// plain reply to it; it returns the reply's subject.
func (h *harness) addHTMLThread(srv *imageServer) string {
	h.t.Helper()
	u := srv.URL
	html := `<h1>Assemblée générale</h1><p>L'ordre du jour est sur <a href="https://asso.example/ag">le site</a> :</p>` +
		`<ul><li>Bilan de l'année</li><li>Budget</li></ul><img src="` + u + `/logo.png" alt="logo">` +
		`<p><img src="` + u + `/logo2.png" alt="bannière"></p>`
	text := "ASSEMBLÉE GÉNÉRALE\r\n\r\nL'ordre du jour est sur le site :\r\n- Bilan de l'année\r\n- Budget\r\n"
	older := "From: Association <Bureau@Asso.example>\r\nTo: marc@machin.com\r\nSubject: Assemblée générale\r\n" +
		"Date: Mon, 23 Nov 2026 08:00:00 +0100\r\nMessage-ID: <ag-1@asso.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
		"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n--b--\r\n"
	reply := "From: Fred <fred@truc.fr>\r\nTo: bureau@asso.example\r\nSubject: Re: Assemblée générale\r\n" +
		"Date: Mon, 23 Nov 2026 09:00:00 +0100\r\nMessage-ID: <ag-2@truc.fr>\r\nIn-Reply-To: <ag-1@asso.example>\r\n" +
		"References: <ag-1@asso.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nJ'y serai.\r\n"
	for _, raw := range []string{older, reply} {
		if _, err := h.store.Add(context.Background(), inboxRef, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
			h.t.Fatal(err)
		}
	}
	h.c.reloadList(false)
	h.settle()
	return "Re: Assemblée générale"
}

// openConversation selects the message with that subject and waits for
// its conversation.
func (h *harness) openConversation(subject string) *convView {
	h.t.Helper()
	i := h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == subject })
	if i < 0 {
		h.t.Fatalf("no %q in the list", subject)
	}
	h.c.ui.list.Select(i)
	v := h.c.ui.reader.conv
	h.waitFor("the conversation", func() bool {
		return v.box.Visible() && len(v.items) > 0 && v.items[len(v.items)-1].sum.Subject == subject
	})
	return v
}

// buttonUnder is the visible button with that text under o, or nil.
func buttonUnder(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// headingText is the text of the RichText segments drawn under o in the
// heading size.
func headingText(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, s := range segments(o) {
		if t, ok := s.(*widget.TextSegment); ok && t.Style.SizeName == theme.SizeNameHeadingText {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// listMarkers counts the markers of list items drawn under o.
func listMarkers(o fyne.CanvasObject) int {
	n := 0
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == "•" {
			n++
		}
	})
	return n
}

// An older HTML message of a conversation, expanded, is rendered as the
// reader renders HTML (its heading, link and list, not its text
// alternative), with its remote images blocked: nothing is fetched until
// its own "Load remote content"; the plain text / HTML toggle switches it;
// "Always for this sender" loads its images at once the next time.
func TestConversationRendersHTML(t *testing.T) {
	srv := newImageServer(t)
	h := newHarness(t)
	v := h.openConversation(h.addHTMLThread(srv))
	if len(v.items) != 2 {
		t.Fatalf("%d messages in the conversation, want 2", len(v.items))
	}
	older := v.items[0]
	if !strings.Contains(older.line.Text, "ASSEMBLÉE GÉNÉRALE") || older.body.Visible() {
		t.Fatalf("collapsed line %q, body shown %v", older.line.Text, older.body.Visible())
	}
	test.Tap(older.line)
	h.settle()
	if got := headingText(older.body); got != "Assemblée générale" {
		t.Errorf("heading %q, want the HTML's <h1> (text %q)", got, segmentText(segments(older.body)))
	}
	if links := hyperlinks(older.body); len(links) != 1 || links[0].URL.String() != "https://asso.example/ag" || links[0].Text != "le site" {
		t.Errorf("links %v, want the HTML's one link on its text", links)
	}
	if n := listMarkers(older.body); n != 2 {
		t.Errorf("%d list markers, want the two items of the HTML's list", n)
	}
	load := buttonUnder(older.body, "Load remote content")
	if len(srv.paths()) != 0 || remoteDrawn(older.body) != 0 || load == nil {
		t.Fatalf("before it is asked: %v fetched, %d images drawn, bar %v", srv.paths(), remoteDrawn(older.body), load != nil)
	}

	toggle := buttonUnder(older.body, "Show plain text")
	if toggle == nil {
		t.Fatal("no plain text / HTML toggle on a message that has both")
	}
	test.Tap(toggle)
	if headingText(older.body) != "" || !strings.Contains(segmentText(segments(older.body))+labelText(older.body), "ASSEMBLÉE GÉNÉRALE") ||
		buttonUnder(older.body, "Load remote content") != nil || buttonUnder(older.body, "Show HTML") == nil {
		t.Fatalf("toggled to plain text: heading %q, text %q", headingText(older.body), labelText(older.body))
	}
	test.Tap(buttonUnder(older.body, "Show HTML"))
	load = buttonUnder(older.body, "Load remote content")
	if headingText(older.body) == "" || load == nil || len(srv.paths()) != 0 {
		t.Fatalf("back to HTML: heading %q, bar %v, fetched %v", headingText(older.body), load != nil, srv.paths())
	}

	test.Tap(load)
	h.waitFor("the remote images", func() bool { return remoteDrawn(older.body) == 2 })
	if got := len(srv.paths()); got != 2 || buttonUnder(older.body, "Load remote content") != nil {
		t.Errorf("%d requests (%v), want the two images; bar still shown %v", got, srv.paths(), buttonUnder(older.body, "Load remote content") != nil)
	}
	if drawnImages(h.c.ui.reader.rich) != 0 {
		t.Error("the open message drew images it does not have")
	}

	h.open("essai")
	v = h.openConversation("Re: Assemblée générale")
	older = v.items[0]
	test.Tap(older.line)
	h.settle()
	if remoteDrawn(older.body) != 0 || len(srv.paths()) != 2 {
		t.Fatalf("opened again: %d images drawn, %d requests: allowed once is not always", remoteDrawn(older.body), len(srv.paths()))
	}
	test.Tap(buttonUnder(older.body, "Always for this sender"))
	h.waitFor("the remote images", func() bool { return remoteDrawn(older.body) == 2 })
	h.open("essai")
	v = h.openConversation("Re: Assemblée générale")
	older = v.items[0]
	test.Tap(older.line)
	h.waitFor("the trusted sender's images", func() bool { return remoteDrawn(older.body) == 2 })
	if buttonUnder(older.body, "Load remote content") != nil || len(srv.paths()) != 6 {
		t.Errorf("trusted sender: bar %v, %d requests (want 6)", buttonUnder(older.body, "Load remote content") != nil, len(srv.paths()))
	}
}

// labelText joins the texts of the labels drawn under o.
func labelText(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// remoteDrawn counts the remote images drawn under o (not the icons of
// its buttons).
func remoteDrawn(o fyne.CanvasObject) int {
	n := 0
	walk(o, func(o fyne.CanvasObject) {
		if im, ok := o.(*canvas.Image); ok && im.Resource != nil && im.Resource.Name() == "remote" {
			n++
		}
	})
	return n
}

// "Always for this sender" on one message of the conversation loads the
// remote images of the sender's other messages expanded beside it.
func TestConversationTrustLoadsTheSendersOthers(t *testing.T) {
	srv := newImageServer(t)
	h := newHarness(t)
	msg := func(id, inReplyTo, date, img string) string {
		return "From: Association <bureau@asso.example>\r\nTo: marc@machin.com\r\nSubject: Cotisation\r\n" +
			"Date: " + date + "\r\nMessage-ID: <" + id + ">\r\n" + inReplyTo + "MIME-Version: 1.0\r\n" +
			"Content-Type: text/html; charset=utf-8\r\n\r\n<p>La cotisation.</p><img src=\"" + srv.URL + img + "\" alt=\"logo\">\r\n"
	}
	reply := "From: Fred <fred@truc.fr>\r\nTo: bureau@asso.example\r\nSubject: Re: Cotisation\r\n" +
		"Date: Mon, 23 Nov 2026 11:00:00 +0100\r\nMessage-ID: <co-3@truc.fr>\r\nIn-Reply-To: <co-2@asso.example>\r\n" +
		"References: <co-1@asso.example> <co-2@asso.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPayée.\r\n"
	for _, raw := range []string{
		msg("co-1@asso.example", "", "Mon, 23 Nov 2026 08:00:00 +0100", "/logo.png"),
		msg("co-2@asso.example", "In-Reply-To: <co-1@asso.example>\r\n", "Mon, 23 Nov 2026 09:00:00 +0100", "/logo2.png"),
		reply,
	} {
		if _, err := h.store.Add(context.Background(), inboxRef, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.c.reloadList(false)
	h.settle()
	v := h.openConversation("Re: Cotisation")
	if len(v.items) != 3 {
		t.Fatalf("%d messages in the conversation, want 3", len(v.items))
	}
	first, second := v.items[0], v.items[1]
	test.Tap(first.line)
	test.Tap(second.line)
	h.settle()
	if len(srv.paths()) != 0 || buttonUnder(second.body, "Load remote content") == nil {
		t.Fatalf("before it is asked: %v fetched", srv.paths())
	}
	test.Tap(buttonUnder(first.body, "Always for this sender"))
	h.waitFor("the sender's images in both messages", func() bool { return remoteDrawn(first.body) == 1 && remoteDrawn(second.body) == 1 })
	if got := len(srv.paths()); got != 2 || buttonUnder(second.body, "Load remote content") != nil {
		t.Errorf("%d requests (%v), want one image each; second bar shown %v", got, srv.paths(), buttonUnder(second.body, "Load remote content") != nil)
	}
}
