package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// logAttempt writes one log line for one recipient's delivery attempt,
// as Postfix's "status=deferred (...)" lines: queue id, recipient (and
// the original one), relay, total delay, delays (time queued before the
// attempt / the attempt itself), DSN code, status and the reply. r holds
// the state after the attempt.
func (q *Queue) logAttempt(m *Message, r *Rcpt, res Result, started, now time.Time) {
	status, level := "deferred", slog.LevelInfo
	switch r.Status {
	case StatusDelivered:
		status = "sent"
	case StatusFailed:
		status, level = "bounced", slog.LevelWarn
	}
	reply := res.Reply
	if r.Status != StatusDelivered {
		reply = r.LastError
	}
	relay := res.Remote
	if relay == "" {
		relay = "none"
	}
	attrs := []slog.Attr{
		slog.String("id", m.ID), slog.String("to", r.Addr),
	}
	if r.ORcpt != "" {
		attrs = append(attrs, slog.String("orig_to", r.ORcpt))
	}
	attrs = append(attrs,
		slog.String("relay", relay),
		slog.String("delay", seconds(now.Sub(m.Arrived))),
		slog.String("delays", seconds(started.Sub(m.Arrived))+"/"+seconds(now.Sub(started))),
		slog.String("dsn", dsnOf(r)),
		slog.String("status", status),
		slog.String("reply", reply),
	)
	q.opt.Logger.LogAttrs(context.Background(), level, "delivery", attrs...)
}

// dsnOf is the enhanced status code of a recipient's last attempt.
func dsnOf(r *Rcpt) string {
	if r.Enhanced != "" {
		return r.Enhanced
	}
	return "4.0.0"
}

// seconds formats a duration as Postfix does: seconds, two decimals.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2f", max(d, 0).Seconds())
}
