package queue

import (
	"bytes"
	"io"
	"sync"
)

// Bounds of the body cache: a message up to maxCachedBody bytes keeps
// its bytes in memory from Enqueue until the end of its first delivery
// attempt, while the cache holds less than maxCacheBytes in all. Local
// delivery then reads them from memory instead of opening the queue file
// again (the loop check reads the header, the MDA the whole message).
const (
	maxCachedBody = 256 << 10
	maxCacheBytes = 32 << 20
)

// bodyCache holds the bytes of recently queued small messages. The zero
// value is ready.
type bodyCache struct {
	mu    sync.Mutex
	m     map[string][]byte
	total int
}

// put keeps b for id if the budget allows.
func (c *bodyCache) put(id string, b []byte) {
	if b == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total+len(b) > maxCacheBytes {
		return
	}
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[id] = b
	c.total += len(b)
}

// open returns a reader of the cached bytes of id, if any.
func (c *bodyCache) open(id string) (io.ReadCloser, bool) {
	c.mu.Lock()
	b, ok := c.m[id]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	return io.NopCloser(bytes.NewReader(b)), true
}

// drop forgets id.
func (c *bodyCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.m[id]; ok {
		c.total -= len(b)
		delete(c.m, id)
	}
}
