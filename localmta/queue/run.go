package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Result is the outcome of one delivery attempt for one recipient: a nil
// Err means delivered. An *smtp.SMTPError with a 5xx code is permanent;
// every other error is temporary and retried.
type Result struct {
	Rcpt   string
	Err    error
	Remote string // host that gave the answer, for the logs and the DSN
	// Reply, for a delivered recipient, is what the next hop answered
	// ("250 2.0.0 Ok: queued as X") or what the MDA did, for the log.
	Reply string
}

// Deliverer makes one delivery attempt of a message to its pending
// recipients (m.Pending()) and returns one Result per recipient; a
// recipient without Result is retried. body opens the message file.
type Deliverer interface {
	Deliver(ctx context.Context, m Message, body func() (io.ReadCloser, error)) []Result
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(ctx context.Context, m Message, body func() (io.ReadCloser, error)) []Result

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, m Message, body func() (io.ReadCloser, error)) []Result {
	return f(ctx, m, body)
}

// Run delivers queued messages with d until ctx ends, at most
// Options.Workers at a time, each when its retry time comes. It returns
// once every delivery it started has ended.
func (q *Queue) Run(ctx context.Context, d Deliverer) error {
	sem := make(chan struct{}, q.opt.Workers)
	ended := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		wait := q.startDue(ctx, d, sem, ended, &wg)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-q.kick:
		case <-ended:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// startDue starts the messages whose time has come and returns how long
// to sleep before the next one.
func (q *Queue) startDue(ctx context.Context, d Deliverer, sem chan struct{}, ended chan struct{}, wg *sync.WaitGroup) time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.opt.Now()
	wait := time.Hour
	for id, e := range q.msgs {
		if e.busy || e.msg.Held {
			continue
		}
		if w := e.msg.NextTry.Sub(now); w > 0 {
			wait = min(wait, w)
			continue
		}
		if len(sem) >= q.workerLimit() {
			return wait // every worker busy: woken when one ends
		}
		sem <- struct{}{} // Run is the only sender: never blocks
		e.busy = true
		wg.Add(1)
		go q.attempt(ctx, d, id, e.msg.clone(), sem, ended, wg)
	}
	return wait
}

// workerLimit is how many deliveries may run now: Options.Workers, or a
// quarter of them while a message is being received. Accepting comes
// first: the deliveries that the flow of incoming mail holds back start
// as soon as it stops (each Enqueue wakes the scheduler up), with all
// the workers, so that their copies share larger group commits. Postfix
// weighs the other way with in_flow_delay, which slows clients down when
// delivery lags; both keep the work done per message the same.
func (q *Queue) workerLimit() int {
	if q.receiving.Load() > 0 {
		return max(1, q.opt.Workers/4)
	}
	return q.opt.Workers
}

// attempt runs one delivery attempt; it is the boundary where a panic of
// the deliverer is caught and turned into a temporary failure.
func (q *Queue) attempt(ctx context.Context, d Deliverer, id string, m Message, sem chan struct{}, ended chan struct{}, wg *sync.WaitGroup) {
	var results []Result
	started := q.opt.Now()
	defer func() {
		if r := recover(); r != nil {
			q.opt.Logger.Error("queue: delivery panicked", "id", id, "panic", r, "stack", string(debug.Stack()))
			results = nil
		}
		if ctx.Err() == nil {
			q.finish(ctx, &m, results, started)
		} else {
			q.release(id)
		}
		<-sem
		wg.Done()
		select {
		case ended <- struct{}{}:
		default:
		}
	}()
	results = d.Deliver(ctx, m.clone(), func() (io.ReadCloser, error) { return q.OpenBody(id) })
}

// release marks a message as no longer being delivered, state unchanged.
func (q *Queue) release(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.msgs[id]; ok {
		e.busy = false
	}
}

// finish records the results of an attempt, bounces and removes the
// message when no recipient is left, and schedules the next try.
func (q *Queue) finish(ctx context.Context, m *Message, results []Result, started time.Time) {
	q.cache.drop(m.ID) // the bytes are kept for the first attempt only
	q.apply(m, results, started)
	q.mu.Lock()
	e := q.msgs[m.ID]
	deleted := e == nil
	if !deleted {
		m.Held = e.msg.Held // hold may have come during the attempt
	}
	q.mu.Unlock()
	if deleted {
		return
	}
	if m.Done() {
		q.complete(ctx, m)
		return
	}
	q.warnDelay(ctx, m)
	err := q.writeState(m)
	if err == nil {
		err = q.sync.Sync()
	}
	if err != nil {
		q.opt.Logger.Error("queue: cannot save state", "id", m.ID, "err", err)
	}
	q.mu.Lock()
	e, ok := q.msgs[m.ID]
	if ok {
		e.msg, e.busy = m.clone(), false
	}
	q.mu.Unlock()
	if !ok { // deleted while its state was being saved: do not resurrect it
		q.remove(m.ID, true)
	}
}

// complete bounces what failed and removes the message.
func (q *Queue) complete(ctx context.Context, m *Message) {
	if err := q.bounce(ctx, m); err != nil {
		q.opt.Logger.Error("queue: cannot queue the bounce; will retry", "id", m.ID, "err", err)
		q.mu.Lock()
		if e, ok := q.msgs[m.ID]; ok {
			e.busy = false
			e.msg.NextTry = q.opt.Now().Add(q.opt.MinBackoff)
		}
		q.mu.Unlock()
		return
	}
	q.mu.Lock()
	e, ok := q.msgs[m.ID]
	delete(q.msgs, m.ID)
	q.mu.Unlock()
	if !ok { // deleted meanwhile, its files with it
		return
	}
	if err := q.retireFiles(m, e); err != nil {
		q.opt.Logger.Error("queue: cannot remove delivered message", "id", m.ID, "err", err)
	}
	q.opt.Logger.Info("queue: message done", "id", m.ID, "from", m.From, "rcpts", len(m.Rcpts))
}

// apply updates the recipients with the results of an attempt that
// started at started, and logs each.
func (q *Queue) apply(m *Message, results []Result, started time.Time) {
	now := q.opt.Now()
	byRcpt := make(map[string]Result, len(results))
	for _, r := range results {
		byRcpt[r.Rcpt] = r
	}
	m.Attempts++
	expired := now.Sub(m.Arrived) >= q.opt.MaxLifetime
	for i := range m.Rcpts {
		r := &m.Rcpts[i]
		if r.Status != StatusPending {
			continue
		}
		res, ok := byRcpt[r.Addr]
		if !ok {
			res = Result{Rcpt: r.Addr, Err: errors.New("no delivery result")}
		}
		q.applyOne(r, res, now, expired)
		q.logAttempt(m, r, res, started, now)
		if r.LastError != "" {
			m.LastError = r.LastError
		}
	}
	m.NextTry = now.Add(q.backoff(m.Attempts))
}

func (q *Queue) applyOne(r *Rcpt, res Result, now time.Time, expired bool) {
	r.Attempts++
	r.Updated = now
	r.Remote = res.Remote
	if res.Err == nil {
		r.Status, r.LastError, r.Code, r.Enhanced = StatusDelivered, "", 250, "2.0.0"
		return
	}
	perm, code, enh := Classify(res.Err)
	r.LastError, r.Code, r.Enhanced = res.Err.Error(), code, enh
	switch {
	case perm:
		r.Status = StatusFailed
	case expired:
		r.Status, r.Enhanced = StatusFailed, "4.4.7"
		r.LastError = "message expired in the queue; last error: " + r.LastError
	}
}

// backoff is the delay after n attempts: MinBackoff doubled n-1 times,
// at most MaxBackoff.
func (q *Queue) backoff(n int) time.Duration {
	d := q.opt.MinBackoff
	for i := 1; i < n && d < q.opt.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.opt.MaxBackoff)
}

// Classify tells whether a delivery error is permanent, with the SMTP
// reply code and enhanced status code to report (RFC 3463): from an
// *smtp.SMTPError when there is one, else 451 4.0.0.
func Classify(err error) (permanent bool, code int, enhanced string) {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return false, 451, "4.0.0"
	}
	code = se.Code
	class := code / 100
	ec := se.EnhancedCode
	if ec == (smtp.EnhancedCode{}) || ec == smtp.NoEnhancedCode {
		ec = smtp.EnhancedCode{class, 0, 0}
	}
	return class == 5, code, fmt.Sprintf("%d.%d.%d", ec[0], ec[1], ec[2])
}
