package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"facteur/mailstore"
)

// A reply sent from the window marks the message it answers (the reply
// arrow in the list), a forward the message it forwards (the forward
// arrow), once each went: as Thunderbird and mutt do.
func TestReplyAndForwardMarkTheOriginal(t *testing.T) {
	h := newHarness(t) // no MTA: the Local account's mail waits in its queue
	s := h.store
	h.c.compose.saveWait = time.Hour
	flags := func(id int64) mailstore.Flags {
		sum, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return sum.Flags
	}
	send := func(what string) {
		t.Helper()
		h.waitFor("the composer of the "+what, func() bool { return len(h.c.compose.open) == 1 })
		cm := h.c.compose.open[0]
		cm.fields[0].entry.SetText("Fred <fred@truc.test>")
		h.c.lastOutcome = ""
		test.Tap(cm.sendBtn)
		h.waitFor("the outcome of the "+what, func() bool { return h.c.lastOutcome != "" || (cm.status.Visible() && !cm.sending) })
		if len(h.c.compose.open) != 0 {
			t.Fatalf("the %s did not go: %q", what, cm.status.Text)
		}
	}

	question := h.open("test itineraire")
	if r := h.row("test itineraire"); r.replied.Visible() || flags(question.ID)&(mailstore.FlagAnswered|mailstore.FlagPassed) != 0 {
		t.Fatalf("before any reply: marked %v, flags %v", r.replied.Visible(), flags(question.ID))
	}
	h.c.composeFromSelected(composeReply)
	send("reply")
	h.waitFor("the reply arrow", func() bool {
		r := h.row("test itineraire")
		return r.replied.Visible() && r.replied.Resource == theme.MailReplyIcon()
	})
	if flags(question.ID)&mailstore.FlagAnswered == 0 {
		t.Errorf("the message answered has flags %v", flags(question.ID))
	}

	notice := h.open("essai")
	h.c.composeFromSelected(composeForward)
	send("forward")
	h.waitFor("the forward arrow", func() bool {
		r := h.row("essai")
		return r.replied.Visible() && r.replied.Resource == theme.MailForwardIcon()
	})
	if f := flags(notice.ID); f&mailstore.FlagPassed == 0 || f&mailstore.FlagAnswered != 0 {
		t.Errorf("the message forwarded has flags %v", f)
	}
}
