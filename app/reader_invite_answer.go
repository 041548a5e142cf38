package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"facteur/internal/message"
	"facteur/mailstore"
	"facteur/mua/invite"
	"facteur/mua/mailer"
	"facteur/mua/submit"
)

// The card remembers the answer the user gave to an invitation: the store
// keeps it by account and event UID (mailstore.SetAnswer), and the card
// says it when the invitation, or an update of it, is opened again. The
// reply that went out is read too (sentAnswer): its copy in Sent is what
// an index rebuilt from the Maildir files still has, and what another
// client of the same account answered.

// readAnswer reads the user's answer to inv, the invitation of message id
// in account, its time in loc: the later of the one the store keeps and
// the one found in the conversation; nil when none (or when the store
// cannot tell: the card then offers the buttons as for a new invitation).
func (c *controller) readAnswer(ctx context.Context, id int64, account string, inv *invite.Invitation, me fromChoice, m *mailer.Mailer, loc *time.Location) *mailstore.Answer {
	if inv == nil || inv.UID == "" {
		return nil
	}
	a, ok, err := c.store.Answer(ctx, account, inv.UID)
	if err != nil {
		return nil
	}
	var since time.Time // only a later reply can change the answer kept
	if ok {
		since = a.At
	}
	if sent, found := c.sentAnswer(ctx, id, inv, me, m, since); found {
		a, ok = sent, true
		_ = c.keepAnswer(ctx, account, inv.UID, a) // for the next time; the card shows it either way
	}
	if !ok {
		return nil
	}
	a.At = a.At.In(loc)
	return &a
}

// sentAnswer is the user's latest answer to inv among the messages of the
// conversation of message id: an iTIP REPLY (RFC 5546 §3.2.3) from the
// user, about the same event, whose ATTENDEE line is the user's. Its time
// is the reply's Date, after since. The body of such a message still on
// the server (an IMAP account synced headers first) is downloaded through m.
func (c *controller) sentAnswer(ctx context.Context, id int64, inv *invite.Invitation, me fromChoice, m *mailer.Mailer, since time.Time) (mailstore.Answer, bool) {
	sums, err := c.store.Conversation(ctx, id)
	if err != nil {
		return mailstore.Answer{}, false
	}
	best := mailstore.Answer{At: since}
	found := false
	for _, s := range sums {
		if s.ID == id || !fromMe(s, me) || !s.Date.After(best.At) {
			continue
		}
		if s.Partial && m == nil {
			continue
		}
		if s.Partial {
			if _, err := m.FetchBody(ctx, s.ID); err != nil {
				continue
			}
		}
		msg, err := c.readMessage(ctx, s.ID)
		if err != nil {
			continue
		}
		part, ok := invite.CalendarPart(msg.Attachments)
		if !ok {
			continue
		}
		reply, err := c.readInvitation(ctx, s.ID, part.Path, time.UTC)
		if err != nil || reply.Method != invite.MethodReply || reply.UID != inv.UID {
			continue
		}
		if p, ok := myAttendance(reply, me); ok && answerStatus(p.PartStat) {
			best, found = mailstore.Answer{PartStat: string(p.PartStat), At: s.Date}, true
		}
	}
	return best, found
}

// fromMe reports a message sent by the user's identity me.
func fromMe(s mailstore.Summary, me fromChoice) bool {
	if len(s.From) == 0 {
		return false
	}
	for _, addr := range append([]string{me.id.Address}, me.id.Aliases...) {
		if addr != "" && strings.EqualFold(s.From[0].Addr, addr) {
			return true
		}
	}
	return false
}

// answerStatus reports the statuses an answer gives.
func answerStatus(ps invite.PartStat) bool {
	return ps == invite.Accepted || ps == invite.Tentative || ps == invite.Declined
}

// keepAnswer records an answer that left.
func (c *controller) keepAnswer(ctx context.Context, account, uid string, a mailstore.Answer) error {
	if c.readOnly || uid == "" {
		return nil
	}
	return c.store.SetAnswer(ctx, account, uid, a)
}

// answerGone is nil when the answer left or is on its way (sent, queued,
// or perhaps sent), else the error that kept it.
func answerGone(out submit.Outcome, err error) error {
	if err != nil && !out.Sent && !out.Queued && !out.Uncertain {
		return err
	}
	return nil
}

// showStatus says what the invitation is about and the user's answer.
func (k *inviteCard) showStatus() {
	text := inviteStatus(k.inv, k.sender)
	if k.answer != nil && !k.inv.Cancelled() {
		text += " " + answeredText(invite.PartStat(k.answer.PartStat), k.answer.At)
	}
	k.status.SetText(text)
}

// answeredText is "You accepted on Tue 1 Dec 2026, 09:30." in the zone of
// t.
func answeredText(ps invite.PartStat, t time.Time) string {
	data := map[string]any{"Date": longDay(t) + ", " + t.Format("15:04")}
	switch ps {
	case invite.Accepted:
		return lang.L("You accepted on {{.Date}}.", data)
	case invite.Tentative:
		return lang.L("You answered tentatively on {{.Date}}.", data)
	}
	return lang.L("You declined on {{.Date}}.", data)
}

// nameCalendarPart lists the calendar part of the open message under the
// event's summary ("Bascule vers le MX secondaire.ics") when it came
// without a name, as Outlook and Google send it.
func (c *controller) nameCalendarPart(part message.Part, inv *invite.Invitation) {
	r := c.ui.reader
	if inv == nil || part.Filename != "" || strings.TrimSpace(inv.Summary) == "" || r.msg == nil {
		return
	}
	parts := slices.Clone(listedParts(r.bodyState.doc, r.msg.Attachments))
	for i := range parts {
		if parts[i].Path == part.Path {
			parts[i].Filename = strings.TrimSpace(inv.Summary) + ".ics"
		}
	}
	c.showAttachments(parts)
}
