package app

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// The threading rule of this package: only the UI goroutine touches widgets and
// controller state. Store calls run on background goroutines (bg, serial) which
// return a closure; that closure is handed to the UI goroutine by post.
//
// In the application post is fyne.Do. Fyne's test driver runs fyne.Do inline on
// the calling goroutine, so the tests and Screenshot use a uiQueue instead: the
// background goroutines enqueue, and the goroutine that owns the widgets drains.

// uiQueue is an unbounded queue of closures for the goroutine that owns the UI.
type uiQueue struct {
	mu   sync.Mutex
	fns  []func()
	wake chan struct{}
}

func newUIQueue() *uiQueue {
	return &uiQueue{wake: make(chan struct{}, 1)}
}

// post enqueues fn; it never blocks.
func (q *uiQueue) post(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// drain runs the queued closures on the calling goroutine.
func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

// worker runs background jobs for a controller and counts the jobs whose
// results have not reached the UI yet, so that tests and Screenshot can wait
// until the window has settled.
type worker struct {
	ctx     context.Context
	poster  atomic.Pointer[func(func())]
	pending atomic.Int64
	serial  chan func()
	onPanic func(error) // called on the UI goroutine
}

func newWorker(ctx context.Context, post func(func())) *worker {
	w := &worker{ctx: ctx, serial: make(chan func(), 256)}
	w.poster.Store(&post)
	go w.runSerial()
	return w
}

// runSerial executes the serial jobs one after the other, so that a page load
// asked after a move or a delete sees the store after it.
func (w *worker) runSerial() {
	for {
		select {
		case <-w.ctx.Done():
			return
		case job := <-w.serial:
			job()
		}
	}
}

// post hands fn to the UI goroutine.
func (w *worker) post(fn func()) {
	(*w.poster.Load())(fn)
}

// repost sends what the background hands to the UI through post from now
// on: after Fyne's event loop ended, the window's last jobs (the final
// draft saves) are drained on the goroutine that closes it.
func (w *worker) repost(post func(func())) {
	w.poster.Store(&post)
}

// bg runs work on a new goroutine and hands the closure it returns to the UI.
func (w *worker) bg(work func(ctx context.Context) func()) {
	w.pending.Add(1)
	go w.run(work)
}

// inOrder runs work on the serial goroutine, after the jobs queued before it.
func (w *worker) inOrder(work func(ctx context.Context) func()) {
	w.pending.Add(1)
	select {
	case w.serial <- func() { w.run(work) }:
	case <-w.ctx.Done():
		w.pending.Add(-1)
	}
}

// stream runs work on a new goroutine under ctx (which should derive from the
// worker's). Before it returns its last closure, work may hand closures to the
// UI with send, in order: answers that arrive one by one (DNS). Each counts as
// a pending job until the UI has run it.
func (w *worker) stream(ctx context.Context, work func(ctx context.Context, send func(func())) func()) {
	send := func(fn func()) {
		w.pending.Add(1)
		w.toUI(fn)
	}
	w.pending.Add(1)
	go w.runIn(ctx, func(ctx context.Context) func() { return work(ctx, send) })
}

// run is the one boundary where background panics are recovered.
func (w *worker) run(work func(ctx context.Context) func()) {
	w.runIn(w.ctx, work)
}

// runIn is run under another context than the worker's.
func (w *worker) runIn(ctx context.Context, work func(ctx context.Context) func()) {
	var apply func()
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("internal error: %v", r)
			fyne.LogError("facteur: background job", err)
			apply = func() {
				if w.onPanic != nil {
					w.onPanic(err)
				}
			}
		}
		w.toUI(apply)
	}()
	apply = work(ctx)
}

// toUI posts apply (which may be nil) and ends the pending job.
func (w *worker) toUI(apply func()) {
	w.post(func() {
		defer w.pending.Add(-1)
		if apply != nil {
			apply()
		}
	})
}

// later runs fn on the UI goroutine after d; the returned stop cancels it.
func (w *worker) later(d time.Duration, fn func()) (stop func()) {
	w.pending.Add(1)
	t := time.AfterFunc(d, func() { w.toUI(fn) })
	return func() {
		if t.Stop() {
			w.pending.Add(-1)
		}
	}
}

// idle reports whether no job is on its way to the UI.
func (w *worker) idle() bool {
	return w.pending.Load() == 0
}

// settle drains q on the calling goroutine until w is idle and cond (if any) holds,
// or until timeout. It reports whether it settled.
func settle(q *uiQueue, w *worker, timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		q.drain()
		if w.idle() && (cond == nil || cond()) {
			return true
		}
		select {
		case <-q.wake:
		case <-deadline.C:
			q.drain()
			return w.idle() && (cond == nil || cond())
		}
	}
}
