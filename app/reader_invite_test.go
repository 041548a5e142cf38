package app

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/message"
	"facteur/mailstore"
	"facteur/mua/demo"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/invite"
	"facteur/mua/submit/smtptest"
)

// labelTexts are the texts of the labels under o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	})
	return out
}

const invitationSubject = invitationDemoSubject

// The demo's Outlook invitation, received on an IMAP account: the reader
// shows its card in the user's zone; Accept sends the iTIP REPLY through
// the account's SMTP server, which gets METHOD:REPLY, the user's
// PARTSTAT=ACCEPTED and the invitation's UID, addressed to the organizer.
func TestInvitationAcceptSendsTheReply(t *testing.T) {
	h := newHarness(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	h.c.now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, paris) }
	raw, err := demo.Message("inbox-09-invitation.eml")
	if err != nil {
		t.Fatal(err)
	}
	srv := imaptest.Start(t, imaptest.NewUser(t, "Sent"))
	imaptest.Append(t, srv.Addr, "INBOX", string(raw))
	smtpSrv := smtptest.Start(t, nil) // no fault: it takes and keeps every message
	h.addIMAPAccount(srv.Addr, smtpSrv.Addr)
	h.c.reloadAccounts()
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	h.waitFor("the sync", func() bool { return len(h.localSubjects(inbox)) == 1 })
	h.c.loadFolders(false)
	h.settle()
	h.c.openFolder(inbox)
	h.settle()
	h.open(invitationSubject)
	k := h.c.ui.reader.invite
	h.waitFor("the card", func() bool { return k.inv != nil && k.box.Visible() })

	card := strings.Join(labelTexts(k.box), "\n")
	for _, want := range []string{invitationSubject, "Fred Truc invites you.", "Tue 8 Dec 2026, 14:00 – 15:30 CET",
		"Every week on Tue, 3 times", "Salle des serveurs, truc.fr", "Paul Ochon <paul@uvsq.fr> — accepted",
		"Marc Machin <marc@machin.com> — no answer yet"} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}
	if !k.answers.Visible() {
		t.Fatal("no answer buttons on an invitation")
	}
	test.Tap(k.accept)
	h.waitFor("the reply at the SMTP server", func() bool { return len(smtpSrv.Messages()) == 1 && !k.sending })
	got := smtpSrv.Messages()[0]
	if got.From != "marc@machin.com" || strings.Join(got.Rcpts, ",") != "fred@truc.fr" {
		t.Errorf("envelope %s -> %v", got.From, got.Rcpts)
	}
	checkReply(t, got.Data, h.c.ui.reader.invite.inv.UID)
	if !strings.Contains(k.result.Text, "Sent through Machin.") {
		t.Errorf("the card says %q", k.result.Text)
	}
	h.waitFor("the copy in Sent", func() bool { return serverHas(t, srv.Addr, "Sent", "Accepted: "+invitationSubject) })
}

// checkReply reads the mail the server got as a mail reader would.
func checkReply(t *testing.T, data []byte, uid string) {
	t.Helper()
	m, err := message.Parse(bytes.NewReader(data), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Accepted: "+invitationSubject || m.Header.Get("In-Reply-To") != "<invitation-mx-1@truc.fr>" {
		t.Errorf("subject %q, In-Reply-To %q", m.Subject, m.Header.Get("In-Reply-To"))
	}
	part, ok := invite.CalendarPart(m.Attachments)
	if !ok {
		t.Fatalf("no calendar part: %+v", m.Attachments)
	}
	_, body, err := message.OpenPart(bytes.NewReader(data), part.Path)
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := io.ReadAll(body)
	// smtptest keeps the lines as net/textproto reads them: LF.
	unfolded := strings.ReplaceAll(strings.ReplaceAll(string(cal), "\r\n", "\n"), "\n ", "")
	for _, want := range []string{"METHOD:REPLY\n", "UID:" + uid + "\n", "PARTSTAT=ACCEPTED", "mailto:marc@machin.com\n", "ORGANIZER;CN=Fred Truc:mailto:fred@truc.fr\n"} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("the calendar lacks %q:\n%s", want, cal)
		}
	}
	if strings.Count(unfolded, "ATTENDEE") != 1 {
		t.Errorf("the reply names other attendees:\n%s", cal)
	}
}
