package mailstore

import (
	"context"
	"sync"
)

// maxIDs bounds the ids a coalesced change carries; past it, IDs is nil and
// the subscriber reloads the folder.
const maxIDs = 10000

// hub fans changes out to subscribers. Publishing never blocks: each
// subscriber has a queue in which changes of the same kind and folder are
// merged while it is busy.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	done   chan struct{}
}

type subscriber struct {
	mu      sync.Mutex
	queue   []Change
	wake    chan struct{}
	out     chan Change
	stopped bool
}

func newHub() *hub {
	return &hub{subs: map[*subscriber]struct{}{}, done: make(chan struct{})}
}

// Subscribe returns a channel of the changes of the store. It is closed when
// ctx ends or the store is closed. A subscriber that reads slowly gets
// coalesced changes, never a blocked store.
func (s *Store) Subscribe(ctx context.Context) <-chan Change {
	return s.hub.subscribe(ctx)
}

func (h *hub) subscribe(ctx context.Context) <-chan Change {
	sub := &subscriber{wake: make(chan struct{}, 1), out: make(chan Change)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(sub.out)
		return sub.out
	}
	h.subs[sub] = struct{}{}
	go h.run(ctx, sub)
	return sub.out
}

// run delivers the queue of one subscriber until ctx ends or the hub closes.
func (h *hub) run(ctx context.Context, sub *subscriber) {
	defer func() {
		h.mu.Lock()
		delete(h.subs, sub)
		h.mu.Unlock()
		close(sub.out)
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.done:
			return
		case <-sub.wake:
		}
		for _, c := range sub.take() {
			select {
			case sub.out <- c:
			case <-ctx.Done():
				return
			case <-h.done:
				return
			}
		}
	}
}

func (sub *subscriber) take() []Change {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	q := sub.queue
	sub.queue = nil
	return q
}

// publish queues c for every subscriber.
func (h *hub) publish(c Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		sub.push(c)
	}
}

func (sub *subscriber) push(c Change) {
	sub.mu.Lock()
	sub.queue = coalesce(sub.queue, c)
	sub.mu.Unlock()
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

// maxQueue bounds a subscriber's queue; past it, the queue becomes one reset.
const maxQueue = 64

// coalesce adds c to a queue. It is merged into the last queued change when
// that has the same kind and folder (order is kept); a queue that grows too
// long, or a global reset, becomes a single global reset.
func coalesce(q []Change, c Change) []Change {
	if c.Kind == ChangeReset && c.Folder == (FolderRef{}) || len(q) >= maxQueue {
		return []Change{{Kind: ChangeReset}}
	}
	if n := len(q); n > 0 && q[n-1].Kind == c.Kind && q[n-1].Folder == c.Folder {
		last := &q[n-1]
		if last.IDs == nil || c.IDs == nil || len(last.IDs)+len(c.IDs) > maxIDs {
			last.IDs = nil
		} else {
			last.IDs = append(last.IDs, c.IDs...)
		}
		return q
	}
	if len(c.IDs) > 0 {
		c.IDs = append([]int64(nil), c.IDs...)
	}
	return append(q, c)
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}
