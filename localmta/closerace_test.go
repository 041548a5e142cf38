package localmta

import (
	"context"
	"testing"
	"time"
)

// TestCloseRightAfterStart: Close called before the SMTP server's Serve
// has taken its listener used to leave Serve blocked in Accept for ever,
// and Close waiting for it.
func TestCloseRightAfterStart(t *testing.T) {
	for i := range 30 {
		m, err := New(context.Background(), Config{Dir: t.TempDir(), Hostname: "close.test", Listeners: []Listener{{Addr: "127.0.0.1:0"}}, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		m.Start(context.Background())
		done := make(chan struct{})
		go func() { m.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: Close did not return", i)
		}
	}
}
