package queue

import (
	"context"
	"slices"
)

// warnDelay sends the sender of a message still queued after
// Options.DelayWarning one delivery status notification with Action:
// delayed (RFC 3464 §2.3.3), like Postfix's delay_warning_time: once per
// message (Message.DelayWarned, saved with the state), never to the null
// sender, and only for the recipients whose NOTIFY parameter (RFC 3461
// §4.1) asks for delays or is absent. It runs when an attempt leaves
// recipients pending, so the warning comes with the first deferral after
// the delay. A warning that cannot be queued is tried again at the next
// deferral.
func (q *Queue) warnDelay(ctx context.Context, m *Message) {
	if q.opt.DelayWarning <= 0 || m.DelayWarned || m.From == "" {
		return
	}
	if q.opt.Now().Sub(m.Arrived) < q.opt.DelayWarning {
		return
	}
	rcpts := delayedToNotify(m)
	if len(rcpts) == 0 {
		m.DelayWarned = true
		return
	}
	id, err := q.sendDSN(ctx, m, dsnDelayed, rcpts)
	if err != nil {
		q.opt.Logger.Error("queue: cannot queue the delay warning; will retry", "id", m.ID, "err", err)
		return
	}
	m.DelayWarned = true
	q.opt.Logger.Info("queue: delay warning queued", "id", m.ID, "warning", id, "to", m.From, "delayed", len(rcpts))
}

// delayedToNotify returns the pending recipients that want a delay notice.
func delayedToNotify(m *Message) []Rcpt {
	var out []Rcpt
	for _, r := range m.Rcpts {
		if r.Status != StatusPending {
			continue
		}
		if len(r.Notify) > 0 && !slices.Contains(r.Notify, "DELAY") {
			continue
		}
		out = append(out, r)
	}
	return out
}
