package queue

import (
	"sync"

	"facteur/internal/atomicfile"
)

// groupSync makes one directory fsync serve every caller that asked before
// it started: group commit. Concurrent Enqueues that renamed their files
// share one fsync instead of waiting for one each.
type groupSync struct {
	dir  string
	sync func(string) error

	mu        sync.Mutex
	cond      *sync.Cond
	requested uint64 // callers counted so far
	done      uint64 // callers covered by a finished fsync
	running   bool
	errs      map[uint64]error // error of the batch that ended at that count
}

func newGroupSync(dir string) *groupSync {
	g := &groupSync{dir: dir, sync: atomicfile.SyncDir, errs: map[uint64]error{}}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// Sync returns once an fsync of the directory that started after the call
// has finished.
func (g *groupSync) Sync() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requested++
	me := g.requested
	for g.done < me {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		from, target := g.done, g.requested
		g.mu.Unlock()
		err := g.sync(g.dir)
		g.mu.Lock()
		g.running = false
		g.done = target
		if err != nil {
			for i := from + 1; i <= target; i++ {
				g.errs[i] = err
			}
		}
		g.cond.Broadcast()
	}
	err := g.errs[me]
	delete(g.errs, me)
	return err
}
