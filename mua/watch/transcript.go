package watch

import (
	"bytes"
	"fmt"
	"sync"
	"time"
)

// Transcript keeps the last bytes of a protocol dialogue, cut at line
// boundaries. It is an io.Writer safe for concurrent use.
type Transcript struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// NewTranscript keeps about size bytes (at least 1 KiB).
func NewTranscript(size int) *Transcript {
	return &Transcript{max: max(size, 1024)}
}

// Write appends p, dropping the oldest whole lines beyond the size limit.
func (t *Transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		cut := over
		if i := bytes.IndexByte(t.buf[over:], '\n'); i >= 0 {
			cut = over + i + 1
		}
		t.buf = append(t.buf[:0:0], t.buf[cut:]...)
	}
	return len(p), nil
}

// Mark writes a separator line with the time, before a new session.
func (t *Transcript) Mark(at time.Time, what string) {
	fmt.Fprintf(t, "--- %s %s ---\n", at.Format("2006-01-02 15:04:05"), what)
}

// String returns what is kept.
func (t *Transcript) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
