package imapsync

import (
	"context"
	"sync"
	"testing"
)

// Issue 11, item 5: processes that open a new state database at once (two
// first syncs, a sync and the app) all succeed. Each OpenState here has
// its own connection, as another process would.
func TestOpenStateConcurrently(t *testing.T) {
	for round := range 40 {
		dir := t.TempDir()
		errs := make(chan error, 4)
		var wg sync.WaitGroup
		for range cap(errs) {
			wg.Go(func() {
				s, err := OpenState(context.Background(), dir)
				if err == nil {
					_, err = s.checkStore(context.Background(), "index-1")
					s.Close()
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
