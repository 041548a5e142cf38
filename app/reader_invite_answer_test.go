package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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
