package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/message"
	"facteur/mua/account"
	"facteur/mua/compose"
	"facteur/mua/demo"
	"facteur/mua/invite"
)

// The answer given to an invitation is kept in the store: the card says
// it at once and again when the invitation is opened anew; the calendar
// part is listed under the event's summary, not as attachment-2.
func TestInvitationRemembersTheAnswer(t *testing.T) {
	h := newHarness(t)
	_, smtpSrv := h.invitationOnIMAP()
	sum := h.open(invitationSubject)
	k := h.c.ui.reader.invite
	h.waitFor("the card", func() bool { return k.inv != nil && k.box.Visible() })
	if strings.Contains(k.status.Text, "You ") {
		t.Fatalf("an answer before any: %q", k.status.Text)
	}
	names := strings.Join(labelTexts(h.c.ui.reader.attachmentsBlock), "\n")
	if !strings.Contains(names, invitationSubject+".ics") || strings.Contains(names, "attachment-") {
		t.Errorf("the calendar part is listed as:\n%s", names)
	}
	test.Tap(k.tentative)
	h.waitFor("the reply sent", func() bool { return len(smtpSrv.Messages()) == 1 && !k.sending })
	const said = "You answered tentatively on Wed 25 Nov 2026, 12:00."
	if !strings.Contains(k.status.Text, said) {
		t.Errorf("after the answer the card says %q", k.status.Text)
	}
	a, ok, err := h.store.Answer(context.Background(), "Machin", k.inv.UID)
	if err != nil || !ok || a.PartStat != string(invite.Tentative) {
		t.Fatalf("the store keeps %+v, %v, %v", a, ok, err)
	}
	h.c.closeReader()
	h.c.ui.list.UnselectAll()
	h.open(sum.Subject)
	h.waitFor("the card again", func() bool { return k.inv != nil && k.box.Visible() })
	if !strings.Contains(k.status.Text, said) {
		t.Errorf("opened again, the card says %q", k.status.Text)
	}
}

// An answer given from another client of the account (or forgotten by an
// index rebuilt from the files) is read from the reply in Sent: the card
// says it with the reply's date, and the store keeps it from then on. A
// reply about another event is not taken for it.
func TestInvitationAnswerReadFromSent(t *testing.T) {
	h := newHarness(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	h.c.now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, paris) }
	declined := demoReply(t, invite.Declined, false, time.Date(2026, 11, 26, 9, 30, 0, 0, paris))
	other := demoReply(t, invite.Accepted, true, time.Date(2026, 11, 26, 10, 0, 0, 0, paris))
	h.invitationOnIMAP(declined, other)
	h.open(invitationSubject)
	k := h.c.ui.reader.invite
	h.waitFor("the card", func() bool { return k.inv != nil && k.box.Visible() })
	const said = "You declined on Thu 26 Nov 2026, 09:30."
	if !strings.Contains(k.status.Text, said) {
		t.Errorf("with the reply in Sent the card says %q, want %q", k.status.Text, said)
	}
	a, ok, err := h.store.Answer(context.Background(), "Machin", k.inv.UID)
	if err != nil || !ok || a.PartStat != string(invite.Declined) {
		t.Errorf("the store keeps %+v, %v, %v", a, ok, err)
	}
}

// otherEvent is an invitation to another event than the demo's.
const otherEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:another-event@truc.fr\r\nDTSTAMP:20261120T090000Z\r\n" +
	"DTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:Autre chose\r\n" +
	"ORGANIZER:mailto:fred@truc.fr\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:marc@machin.com\r\n" +
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

// demoReply is the mail of Marc's answer ps to the demo invitation (or,
// with other, to otherEvent), sent at date, in the invitation's thread.
func demoReply(t *testing.T, ps invite.PartStat, other bool, date time.Time) string {
	t.Helper()
	raw, err := demo.Message("inbox-09-invitation.eml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := message.Parse(bytes.NewReader(raw), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	part, ok := invite.CalendarPart(m.Attachments)
	if !ok {
		t.Fatal("no calendar part in the demo invitation")
	}
	inv, err := invite.ParsePart(bytes.NewReader(raw), part.Path, invite.Options{})
	if other {
		inv, err = invite.Parse(strings.NewReader(otherEvent), invite.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	d, err := inv.Reply(invite.ReplyOptions{From: account.Identity{Name: "Marc", Address: "marc@machin.com"},
		PartStat: ps, InReplyTo: m.MessageID, Now: date})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := compose.Build(d, date)
	if err != nil {
		t.Fatal(err)
	}
	return string(msg.Raw)
}

// An invitation forwarded as an attachment shows its card in the attached
// message's window, without the answer buttons.
func TestAttachedInvitationShowsItsCard(t *testing.T) {
	h := newHarness(t)
	inv, err := demo.Message("inbox-09-invitation.eml")
	if err != nil {
		t.Fatal(err)
	}
	openBtn := h.attachedMessage("Forwarded invitation", "invitation.eml", inv)
	test.Tap(openBtn)
	h.settle()
	wins := h.c.app.Driver().AllWindows()
	w := wins[len(wins)-1]
	text := strings.Join(labelTexts(w.Content()), "\n")
	for _, want := range []string{invitationSubject, "Fred Truc invites you.", "Salle des serveurs, truc.fr"} {
		if !strings.Contains(text, want) {
			t.Errorf("the attached message's window lacks %q:\n%s", want, text)
		}
	}
	walk(w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Accept" {
			t.Error("the attached invitation offers Accept")
		}
	})
}
