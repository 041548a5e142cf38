package localmta

import (
	"context"
	"io"
	"sync"
	"time"

	"facteur/localmta/queue"
)

// DeliveryStatus is the outcome of one delivery attempt for a recipient.
type DeliveryStatus string

// The outcomes of a delivery attempt.
const (
	Delivered DeliveryStatus = "delivered" // the MDA or the next hop took it
	Deferred  DeliveryStatus = "deferred"  // temporary failure: retried later
	Failed    DeliveryStatus = "failed"    // permanent failure: it bounces
)

// DeliveryEvent records one delivery attempt for one recipient, for the
// GUI's MTA panel (Postfix logs the same as "status=sent/deferred/bounced").
type DeliveryEvent struct {
	Time   time.Time
	ID     string // queue id
	From   string // reverse-path; "" for a bounce
	Rcpt   string
	Status DeliveryStatus
	Remote string // host that answered: the MX, the next hop, this host for local mail
	Detail string // the error, "" when delivered
}

// maxDeliveries is how many delivery events the MTA remembers.
const maxDeliveries = 200

// deliveryLog is a ring buffer of the latest delivery events. Its zero
// value is ready to use; it is safe for concurrent use.
type deliveryLog struct {
	mu     sync.Mutex
	events []DeliveryEvent // ring of at most maxDeliveries
	next   int             // where the next event goes once the ring is full
	notify chan struct{}   // closed at the next event
	now    func() time.Time
}

// record keeps one event per result and returns results unchanged.
func (l *deliveryLog) record(msg queue.Message, results []queue.Result) []queue.Result {
	if len(results) == 0 {
		return results
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now
	if l.now != nil {
		now = l.now
	}
	t := now()
	for _, r := range results {
		l.add(DeliveryEvent{Time: t, ID: msg.ID, From: msg.From, Rcpt: r.Rcpt, Status: statusOf(r.Err), Remote: r.Remote, Detail: errText(r.Err)})
	}
	if l.notify != nil {
		close(l.notify)
		l.notify = nil
	}
	return results
}

// add appends e, dropping the oldest event when the ring is full. l.mu is held.
func (l *deliveryLog) add(e DeliveryEvent) {
	if len(l.events) < maxDeliveries {
		l.events = append(l.events, e)
		return
	}
	l.events[l.next] = e
	l.next = (l.next + 1) % maxDeliveries
}

// list returns the events, newest first.
func (l *deliveryLog) list() []DeliveryEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]DeliveryEvent, 0, len(l.events))
	for i := range l.events {
		out = append(out, l.events[(l.next+len(l.events)-1-i)%len(l.events)])
	}
	return out
}

// changed returns a channel that is closed at the next event.
func (l *deliveryLog) changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.notify == nil {
		l.notify = make(chan struct{})
	}
	return l.notify
}

func statusOf(err error) DeliveryStatus {
	if err == nil {
		return Delivered
	}
	if permanent, _, _ := queue.Classify(err); permanent {
		return Failed
	}
	return Deferred
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Deliveries returns the latest delivery attempts, one event per
// recipient, newest first (at most 200).
func (m *MTA) Deliveries() []DeliveryEvent { return m.deliveries.list() }

// DeliveriesChanged returns a channel that is closed when the next
// delivery attempt ends: a cue to read Deliveries and the queue again.
func (m *MTA) DeliveriesChanged() <-chan struct{} { return m.deliveries.changed() }

// Deliver is the queue's Deliverer: it routes each pending recipient and
// hands local ones to the MDA and remote ones, grouped by next hop, to the
// transport agent. Each outcome is recorded for Deliveries.
func (m *MTA) Deliver(ctx context.Context, msg queue.Message, body func() (io.ReadCloser, error)) []queue.Result {
	return m.deliveries.record(msg, m.deliver(ctx, msg, body))
}
