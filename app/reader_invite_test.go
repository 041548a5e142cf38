package app

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/message"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/demo"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/invite"
	"facteur/mua/submit/smtptest"
)

// labelTexts are the texts of the labels under o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(o fyne.CanvasObject) {
		switch l := o.(type) {
		case *widget.Label:
			out = append(out, l.Text)
		case *selLabel:
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
	srv, smtpSrv := h.invitationOnIMAP()
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
	h.waitFor("the copy in Sent", func() bool { return serverHas(t, srv.Target(), "Sent", "Accepted: "+invitationSubject) })
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

// What the card says of each kind of calendar object: a cancellation, a
// reply, an all-day event, a rule too rich for words.
func TestInvitationCardTexts(t *testing.T) {
	loadTranslations()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	read := func(name string, edit func(string) string) *invite.Invitation {
		b, err := os.ReadFile(filepath.Join("..", "mua", "invite", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		inv, err := invite.Parse(strings.NewReader(edit(string(b))), invite.Options{Location: paris})
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	same := func(s string) string { return s }
	marc := fromChoice{id: account.Identity{Address: "MARC@machin.com"}}
	for _, tc := range []struct {
		inv                 *invite.Invitation
		title, status, when string
		repeats             string
	}{
		{read("outlook-cancel.ics", same), "Annulé : Point migration du relais", "Fred Truc cancelled this event.",
			"Tue 8 Dec 2026, 10:00 – 11:30 CET", ""},
		{read("google-reply.ics", same), "Revue des tables de transport", "Jean Jussieu answered: tentative.", "Thu 10 Dec 2026, 09:30 – 09:45 CET", ""},
		{read("google-allday.ics", same), "Relais fermé (Noël)", "Fred Truc invites you.", "Thu 24 Dec 2026 – Fri 25 Dec 2026 · all day", ""},
		{read("google-weekly.ics", same), "Point hebdo file d'attente", "Fred Truc invites you.", "", "Every week on Thu, 10 times"},
		{read("thunderbird-daily.ics", func(s string) string {
			return strings.Replace(s, "PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPA", "PARTSTAT=DECLINED;ROLE=REQ-PARTICIPA", 1)
		}), "Astreinte MX secondaire", "Paul Ochon invites you. Your answer so far: declined.", "Mon 14 Dec 2026, 15:00 – 15:30 CET", "Every day, until Fri 18 Dec 2026"},
		{read("outlook-request.ics", func(s string) string {
			return strings.Replace(s, "SEQUENCE:0\r\n", "SEQUENCE:0\r\nRRULE:FREQ=MONTHLY;BYDAY=2TU\r\n", 1)
		}), "", "", "", "By the rule FREQ=MONTHLY;BYDAY=2TU"},
	} {
		if got := inviteTitle(tc.inv); tc.title != "" && got != tc.title {
			t.Errorf("title %q, want %q", got, tc.title)
		}
		if got := inviteStatus(tc.inv, marc); tc.status != "" && got != tc.status {
			t.Errorf("status %q, want %q", got, tc.status)
		}
		if got := inviteWhen(tc.inv); tc.when != "" && got != tc.when {
			t.Errorf("when %q, want %q", got, tc.when)
		}
		if tc.repeats != "" && (tc.inv.Recurrence == nil || recurrenceWords(tc.inv.Recurrence) != tc.repeats) {
			t.Errorf("repeats %+v, want %q", tc.inv.Recurrence, tc.repeats)
		}
	}
}

// invitationOnIMAP puts the demo invitation in the INBOX of an IMAP
// account whose SMTP server keeps every message (and the messages sent
// in its Sent), syncs it and shows its INBOX.
func (h *harness) invitationOnIMAP(sent ...string) (*imaptest.Server, *smtptest.Server) {
	t := h.t
	t.Helper()
	raw, err := demo.Message("inbox-09-invitation.eml")
	if err != nil {
		t.Fatal(err)
	}
	srv := imaptest.Start(t, imaptest.NewUser(t, "Sent"))
	imaptest.Append(t, srv.Addr, "INBOX", string(raw))
	if len(sent) > 0 {
		imaptest.Append(t, srv.Addr, "Sent", sent...)
	}
	smtpSrv := smtptest.Start(t, nil) // no fault: it takes and keeps every message
	h.addIMAPAccount(srv.Addr, smtpSrv.Addr)
	h.c.reloadAccounts()
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	sentRef := mailstore.FolderRef{Account: "Machin", Name: "Sent"}
	h.waitFor("the sync", func() bool {
		return len(h.localSubjects(inbox)) == 1 && len(h.localSubjects(sentRef)) == len(sent)
	})
	h.c.loadFolders(false)
	h.settle()
	h.c.openFolder(inbox)
	h.settle()
	return srv, smtpSrv
}
