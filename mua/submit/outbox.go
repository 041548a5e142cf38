package submit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"facteur/internal/ascii"
	"facteur/localmta/queue"
	"facteur/mua/account"
	"facteur/mua/compose"

	"github.com/emersion/go-smtp"
)

// ErrSendLater is the Reason of a message the user chose to send later.
var ErrSendLater = errors.New("submit: send later was chosen")

// ErrNotInOutbox: Cancel was given a queue id of another account.
var ErrNotInOutbox = errors.New("submit: no such message in this outbox")

// Spool is the local MTA's queue as the outbox uses it: *queue.Queue is
// one, a hand-off to the profile's mail system (localmta/handoff) another.
type Spool interface {
	Enqueue(ctx context.Context, m queue.Message, body io.Reader) (queue.Message, error)
}

// Queue is a Spool whose messages List and Cancel can see: *queue.Queue.
type Queue interface {
	Spool
	List() []queue.Message
	Delete(id string) error
}

// Accounts finds an account by name; *account.Book is one.
type Accounts interface {
	Get(name string) (account.Account, error)
}

// Outbox sends messages, or queues them when they cannot go now, and
// delivers the queued ones: set it as localmta.Config.Outbox.
type Outbox struct {
	Client   *Client
	Accounts Accounts
	Spool    Spool
	Sent     SentSaver    // nil: no copy in Sent
	Logger   *slog.Logger // nil: slog.Default()
	// Hostname and User name the machine and the user in the Received
	// field of the Local account's messages; "" means the machine's name,
	// and no user.
	Hostname, User string
	// Now gives the time; nil means time.Now.
	Now func() time.Time
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Outcome says what Send did.
type Outcome struct {
	Sent    bool   // the account's server took it (maybe not for every recipient)
	Queued  bool   // it waits in the local MTA's queue
	QueueID string // its queue id when Queued
	// Reason is why it was queued: the submission error (temporary),
	// or ErrSendLater; nil for the Local account, whose mail always goes
	// through the local MTA.
	Reason error
	// QueuedFor, when the message was sent and queued too, names the
	// recipients it waits for: those the server refused for now (a 4xx
	// reply to RCPT) while it took the message for the others.
	QueuedFor []string
	// Uncertain: the server may have the message (an *UncertainError).
	// It is not sent again by itself; its copy in Sent carries
	// DeliveryField.
	Uncertain bool
}

// String is the sentence the CLI prints.
func (o Outcome) String() string {
	switch {
	case o.Uncertain:
		s := "the server may have received it: it was not sent again, lest it arrive twice, and its copy in Sent is marked \"" +
			DeliveryField + ": uncertain\"; ask a recipient whether it arrived, and send it again if not"
		if o.Queued {
			s += fmt.Sprintf("; queued in the outbox as %s for %s, to be retried", o.QueueID, strings.Join(o.QueuedFor, ", "))
		}
		return s
	case o.Sent && o.Queued:
		return fmt.Sprintf("sent to the others; queued in the outbox as %s for %s, to be retried: %v", o.QueueID, strings.Join(o.QueuedFor, ", "), o.Reason)
	case o.Sent:
		return "sent"
	case o.Queued && o.Reason == nil:
		return fmt.Sprintf("handed to the local MTA (queue id %s)", o.QueueID)
	case o.Queued:
		return fmt.Sprintf("queued in the outbox as %s, to be retried: %v", o.QueueID, o.Reason)
	}
	return "not sent"
}

// Send submits m through account a, or queues it: when later is set, when
// a is nil (the Local account: the local MTA routes it), or when the
// submission fails for a reason that may pass (Temporary). A message sent
// is copied into Sent. Recipients the server refused for now (4xx) while
// it took the message for the others are queued alone. When the outcome
// is uncertain (*UncertainError), the message is not queued but copied
// into Sent with DeliveryField, and the error says so. The error is that
// of a submission that failed for good; a *RecipientsError with
// Outcome.Sent lists the recipients refused for good.
func (o *Outbox) Send(ctx context.Context, a *account.Account, m *compose.Message, later bool) (Outcome, error) {
	if a == nil {
		id, err := o.enqueue(ctx, nil, m)
		return Outcome{Queued: err == nil, QueueID: id}, err
	}
	if later {
		return o.queue(ctx, a, m, ErrSendLater)
	}
	err := o.Client.Send(ctx, *a, m)
	var re *RecipientsError
	var ue *UncertainError
	switch {
	case errors.As(err, &ue):
		o.saveSent(ctx, *a, MarkUncertain(m.Raw, ue.Server, o.now()))
		out, qerr := o.queueRefused(ctx, a, m, ue.Refused, Outcome{Uncertain: true})
		return out, errors.Join(err, qerr)
	case err == nil, errors.As(err, &re) && len(re.Accepted) > 0:
		o.saveSent(ctx, *a, m.Raw)
		out, qerr := o.queueRefused(ctx, a, m, re, Outcome{Sent: true})
		return out, errors.Join(re.permanent(), qerr)
	case Temporary(err):
		return o.queue(ctx, a, m, err)
	}
	return Outcome{}, err
}

// queueRefused queues m for the recipients of re refused for now (4xx),
// the server having taken it for the others.
func (o *Outbox) queueRefused(ctx context.Context, a *account.Account, m *compose.Message, re *RecipientsError, out Outcome) (Outcome, error) {
	later := re.temporary()
	if later == nil {
		return out, nil
	}
	part := *m
	part.Rcpts = nil
	for _, r := range later.Rejected {
		part.Rcpts = append(part.Rcpts, r.Addr)
	}
	id, err := o.enqueueRest(ctx, a, &part, true)
	if err != nil {
		return out, fmt.Errorf("submit: queueing for %s: %w", strings.Join(part.Rcpts, ", "), err)
	}
	later.Accepted = nil // the Reason names the refusals only
	out.Queued, out.QueueID, out.QueuedFor, out.Reason = true, id, part.Rcpts, later
	return out, nil
}

func (o *Outbox) queue(ctx context.Context, a *account.Account, m *compose.Message, reason error) (Outcome, error) {
	id, err := o.enqueue(ctx, a, m)
	if err != nil {
		return Outcome{}, errors.Join(reason, err)
	}
	return Outcome{Queued: true, QueueID: id, Reason: reason}, nil
}

// enqueue puts m into the spool, with the account's server as its relay.
func (o *Outbox) enqueue(ctx context.Context, a *account.Account, m *compose.Message) (string, error) {
	return o.enqueueRest(ctx, a, m, false)
}

// enqueueRest is enqueue; rest tells that the server took m already for
// other recipients (queue.Relay.Rest).
func (o *Outbox) enqueueRest(ctx context.Context, a *account.Account, m *compose.Message, rest bool) (string, error) {
	qm := queue.Message{From: m.From, UTF8: m.SMTPUTF8}
	for _, r := range m.Rcpts {
		qm.Rcpts = append(qm.Rcpts, queue.Rcpt{Addr: r})
	}
	var body io.Reader = bytes.NewReader(m.Raw)
	if a != nil {
		qm.Relay = &queue.Relay{Account: a.Name, Server: a.Outgoing.Address("smtp"), Rest: rest}
	} else {
		// the Local account: the local MTA is the first hop, and records it
		// as a pick-up, so the inspector shows where the route began
		qm.ID = queue.NewID()
		trace := queue.PickupReceived(o.Hostname, "", o.User, qm.ID, m.Rcpts, o.now())
		body = io.MultiReader(strings.NewReader(trace), body)
	}
	got, err := o.Spool.Enqueue(ctx, qm, body)
	return got.ID, err
}

// List returns the queued messages of an account's outbox ("" or
// LocalAccount: those without relay), oldest first; none when the Spool
// is not a Queue.
func (o *Outbox) List(accountName string) []queue.Message {
	q, ok := o.Spool.(Queue)
	if !ok {
		return nil
	}
	var out []queue.Message
	for _, m := range q.List() {
		if inOutbox(m, accountName) {
			out = append(out, m)
		}
	}
	return out
}

func inOutbox(m queue.Message, name string) bool {
	if m.Relay == nil {
		return name == "" || name == LocalAccount
	}
	return m.Relay.Account == name
}

// Cancel removes a message from an account's outbox, unsent.
func (o *Outbox) Cancel(accountName, id string) error {
	q, ok := o.Spool.(Queue)
	if !ok {
		return ErrNotInOutbox
	}
	for _, m := range q.List() {
		if m.ID == id && inOutbox(m, accountName) {
			return q.Delete(id)
		}
	}
	return ErrNotInOutbox
}

// Deliver is the queue.Deliverer of the messages that carry a Relay: it
// submits them through their account with the same code as Send. 5xx
// refusals are permanent (the MTA bounces them to the sender), the rest is
// retried with the queue's backoff. The first successful attempt files the
// copy in Sent.
func (o *Outbox) Deliver(ctx context.Context, m queue.Message, body func() (io.ReadCloser, error)) []queue.Result {
	rcpts := m.Pending()
	if m.Relay == nil {
		return results(rcpts, &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "not an outbox message"}, "")
	}
	a, err := o.Accounts.Get(m.Relay.Account)
	if err != nil {
		if errors.Is(err, account.ErrNotFound) {
			err = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 0}, Message: "the account " + m.Relay.Account + " no longer exists"}
		}
		return results(rcpts, err, m.Relay.Server)
	}
	raw, err := readBody(body)
	if err != nil {
		return results(rcpts, err, "")
	}
	env := Envelope{From: m.From, Rcpts: rcpts, SMTPUTF8: m.UTF8, EightBit: !ascii.Is(raw)}
	err = o.Client.Submit(ctx, a, env, raw)
	o.logger().Info("outbox attempt", "id", m.ID, "account", a.Name, "err", err)
	var ue *UncertainError
	if errors.As(err, &ue) {
		// Taken as delivered, never sent again: the copy in Sent says
		// that it may not have been.
		o.logger().Warn("outbox: the server may have received the message; it is not sent again, and its copy in Sent is marked",
			"id", m.ID, "account", a.Name, "err", err)
		raw, err = MarkUncertain(raw, ue.Server, o.now()), nil
		if ue.Refused != nil {
			err = ue.Refused
		}
	}
	out := o.mapResults(rcpts, err, a.Outgoing.Address("smtp"))
	if firstAcceptance(m, out) {
		o.saveSent(ctx, a, raw)
	}
	return out
}

// mapResults turns a submission's error into one result per recipient.
func (o *Outbox) mapResults(rcpts []string, err error, remote string) []queue.Result {
	var re *RecipientsError
	if !errors.As(err, &re) {
		return results(rcpts, err, remote)
	}
	out := results(re.Accepted, nil, remote)
	for _, r := range re.Rejected {
		out = append(out, queue.Result{Rcpt: r.Addr, Err: r.Err, Remote: remote})
	}
	return out
}

// firstAcceptance reports whether this attempt is the first to deliver
// (the Rest of a message sent before never is).
func firstAcceptance(m queue.Message, out []queue.Result) bool {
	if m.Relay != nil && m.Relay.Rest {
		return false
	}
	for _, r := range m.Rcpts {
		if r.Status == queue.StatusDelivered {
			return false
		}
	}
	for _, r := range out {
		if r.Err == nil {
			return true
		}
	}
	return false
}

func (o *Outbox) saveSent(ctx context.Context, a account.Account, raw []byte) {
	if o.Sent == nil {
		return
	}
	if err := o.Sent.SaveSent(ctx, a, raw); err != nil {
		o.logger().Warn("copy to Sent failed", "account", a.Name, "err", err)
	}
}

func (o *Outbox) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

func results(rcpts []string, err error, remote string) []queue.Result {
	out := make([]queue.Result, len(rcpts))
	for i, r := range rcpts {
		out[i] = queue.Result{Rcpt: r, Err: err, Remote: remote}
	}
	return out
}

func readBody(body func() (io.ReadCloser, error)) ([]byte, error) {
	rc, err := body()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
