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
	"facteur/mua/submit"
)

// The card remembers the answer the user gave to an invitation: the store
// keeps it by account and event UID (mailstore.SetAnswer), and the card
// says it when the invitation, or an update of it, is opened again.

// readAnswer reads the user's answer to inv in account, its time in loc;
// nil when none (or when the store cannot tell: the card then offers the
// buttons as for a new invitation).
func (c *controller) readAnswer(ctx context.Context, account string, inv *invite.Invitation, loc *time.Location) *mailstore.Answer {
	if inv == nil || inv.UID == "" {
		return nil
	}
	a, ok, err := c.store.Answer(ctx, account, inv.UID)
	if err != nil || !ok {
		return nil
	}
	a.At = a.At.In(loc)
	return &a
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
