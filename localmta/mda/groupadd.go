package mda

import (
	"context"
	"fmt"
	"sync"

	"facteur/mailstore"
)

// maxGroup bounds the copies of one group commit.
const maxGroup = 256

// groupAdd gathers the copies of concurrent deliveries into
// mailstore.AddBatch calls: group commit. A caller whose copies are not
// taken by a running batch runs the next batch itself, for every copy
// waiting at that time, then hands over to the callers still waiting.
// No goroutine runs between deliveries. The zero value is ready.
type groupAdd struct {
	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	waiting []*addRequest
	batches int // AddBatch calls so far, for the tests
}

// addRequest is the copies of one Commit and, once done, their results.
type addRequest struct {
	items   []mailstore.AddItem
	results []mailstore.AddResult
	done    bool
}

// add stores items in a group commit and returns their results, in order.
func (g *groupAdd) add(ctx context.Context, store *mailstore.Store, items []mailstore.AddItem) []mailstore.AddResult {
	if len(items) == 0 {
		return nil
	}
	req := &addRequest{items: items}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	g.waiting = append(g.waiting, req)
	for !req.done {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.batches++
		batch := g.take()
		g.mu.Unlock()
		// The batch serves other deliveries too: the leader's context
		// ending must not fail theirs. AddBatch never cancels halfway.
		runBatch(context.WithoutCancel(ctx), store, batch)
		g.mu.Lock()
		g.running = false
		for _, r := range batch {
			r.done = true
		}
		g.cond.Broadcast()
	}
	return req.results
}

// take removes the requests of the next batch from the waiting list:
// all of them, up to maxGroup copies (at least one request).
func (g *groupAdd) take() []*addRequest {
	n, copies := 0, 0
	for n < len(g.waiting) && (n == 0 || copies+len(g.waiting[n].items) <= maxGroup) {
		copies += len(g.waiting[n].items)
		n++
	}
	batch := g.waiting[:n:n]
	g.waiting = append([]*addRequest(nil), g.waiting[n:]...)
	return batch
}

// runBatch stores the copies of several requests with one AddBatch and
// gives each request its results.
func runBatch(ctx context.Context, store *mailstore.Store, batch []*addRequest) {
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("mda: group commit panicked: %v", p)
			for _, r := range batch {
				r.results = make([]mailstore.AddResult, len(r.items))
				for i := range r.results {
					r.results[i].Err = err
				}
			}
		}
	}()
	var items []mailstore.AddItem
	for _, r := range batch {
		items = append(items, r.items...)
	}
	results := store.AddBatch(ctx, items)
	for _, r := range batch {
		r.results, results = results[:len(r.items)], results[len(r.items):]
	}
}
