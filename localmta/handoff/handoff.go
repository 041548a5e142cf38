// Package handoff hands a message to the local mail system of a profile,
// from whichever front door takes it (`facteur send`, `facteur sendmail`,
// the app's composer, an account's outbox): to the MTA that runs on the
// profile's MTA directory (`facteur mta`, or the app's, in this process or
// another), else into its queue on disk, under the directory's lock, for
// the MTA to take when it starts.
//
// Two kinds of hand-off:
//
//   - Enqueue puts a message as it is into the queue: a remote account's
//     outbox message, which its own smarthost relays (queue.Relay). To a
//     running MTA it goes over the control socket (ENQUEUE, see
//     localmta/control), which tries it at once.
//   - Submit is a local submission (the Local account, sendmail): the SMTP
//     server's checks apply to it (RFC 5321 §4.5.3.1 limits, bare CR or LF,
//     unknown local users), recipient by recipient. To a running MTA it goes
//     over SMTP on its loopback listener; otherwise localmta.Pickup runs the
//     same checks on the configuration the MTA would load.
package handoff

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"facteur/localmta"
	"facteur/localmta/control"
	"facteur/localmta/queue"
)

// Client hands messages to the mail system of one MTA directory. Its zero
// value is not usable: set Dir.
type Client struct {
	// Dir is the MTA directory of the profile (profile.Profile.MTADir).
	Dir string
	// Config is the configuration of the MTA that Submit's pick-ups check
	// recipients against (its local domains, users, aliases), as `facteur
	// mta` would load it; nil means localmta's defaults on Dir.
	Config func() (localmta.Config, error)
	// Logger receives the queue's warnings; nil discards them.
	Logger *slog.Logger
	// Timeout bounds an SMTP submission to the running MTA; 0 means 5
	// minutes.
	Timeout time.Duration
	// Now gives the time of pick-up trace fields; nil means time.Now.
	Now func() time.Time
}

// Where tells where a message went.
type Where struct {
	// PID is the process of the running MTA that took it; 0 when no MTA
	// ran: the message waits in QueueDir until one starts.
	PID int
	// SMTP is the listener of the running MTA that Submit used.
	SMTP string
	// QueueDir is the queue directory of the MTA.
	QueueDir string
}

// Running reports whether a running MTA took the message.
func (w Where) Running() bool { return w.PID != 0 }

// Enqueue puts m (its envelope, with its Relay when it has one) and body
// into the MTA's queue and says where: through the running MTA's control
// socket, which tries it at once, or into the queue directory under the
// MTA directory's lock when none runs. When it returns nil, the message is
// on stable storage; the queue message's ID is set.
func (c *Client) Enqueue(ctx context.Context, m queue.Message, body io.Reader) (queue.Message, Where, error) {
	where := Where{QueueDir: localmta.QueueDir(c.Dir)}
	cl, lock, err := control.Connect(ctx, c.Dir)
	if err != nil {
		return m, where, err
	}
	if cl != nil {
		where.PID = cl.Info().PID
		raw, err := io.ReadAll(body)
		if err != nil {
			return m, where, err
		}
		if m.ID, err = cl.Enqueue(ctx, control.EnvelopeOf(m), raw); err != nil {
			return m, where, fmt.Errorf("handing the message to the running MTA (PID %d): %w", where.PID, err)
		}
		return m, where, nil
	}
	defer lock.Unlock()
	q, err := queue.Open(ctx, where.QueueDir, queue.Options{Logger: c.logger()})
	if err != nil {
		return m, where, err
	}
	got, err := q.Enqueue(ctx, m, body)
	return got, where, err
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// String is the sentence of the command line: where an enqueued message
// waits.
func (w Where) String() string {
	if w.Running() {
		return fmt.Sprintf("handed to the running MTA (PID %d), which tries at once and then with backoff; see `facteur mailq`", w.PID)
	}
	return fmt.Sprintf("no MTA running: it waits in %s and goes out, retried with backoff, once `facteur mta` or the app runs", w.QueueDir)
}
