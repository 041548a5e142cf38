package localmta

import (
	"context"
	"crypto/tls"
	"sync"
	"testing"
	"time"

	"facteur/localmta/clientlimit"
)

// testClock is the injected Sleep and clock of the limits: sleeping
// records the delay and moves the clock; nothing waits for real.
type testClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newTestClock() *testClock { return &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Sleep(_ context.Context, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sleeps returns the delays slept so far.
func (c *testClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

const (
	authGood = "AUTH PLAIN AG1hcmMAcHc=" // \0marc\0pw
	authBad  = "AUTH PLAIN AG1hcmMAYmFk" // \0marc\0bad
)

// TestAuthGuessing: each failed AUTH waits 1 s before its reply; the
// third failure of a connection (across STARTTLS) ends it with 421
// 4.7.0; after 10 failures in all its connections, the client is refused
// at once, its password unchecked, until the failures drain (one a
// minute).
func TestAuthGuessing(t *testing.T) {
	clk := newTestClock()
	m := startLocal(t, func(c *Config) {
		c.Sleep = clk.Sleep
		c.AuthLimit = clientlimit.LoginConfig{Now: clk.Now}
	})
	addr := m.Addrs()[1] // submission
	c := dial(t, addr)
	c.hello("guesser")
	c.Writeln(authBad)
	c.ExpectPattern("535 5.7.8 *")
	c.Writeln(authBad)
	c.ExpectPattern("535 5.7.8 *")
	c.Writeln("STARTTLS") // a new go-smtp session, the same connection
	c.ExpectPattern("220 *")
	c.StartTLS(tlsClientConfig())
	c.Writeln("EHLO guesser")
	c.ExpectPattern("250 *")
	c.Writeln("AUTH LOGIN")
	c.ExpectPattern("334 VXNlcm5hbWU6")
	c.Writeln("bWFyYw==")
	c.ExpectPattern("334 UGFzc3dvcmQ6")
	c.Writeln("YmFk")
	c.ExpectPattern("421 4.7.0 *")
	c.ExpectClosed()
	if got := clk.sleeps(); len(got) != 3 || got[0] != time.Second || got[2] != time.Second {
		t.Fatalf("delays %v, want 3 × 1s", got)
	}
	// 6 more failures in two connections, pipelined: 9 in all
	for range 2 {
		c := dial(t, addr)
		c.hello("guesser")
		c.Write(authBad + "\r\n" + authBad + "\r\n" + authBad + "\r\n" + authBad + "\r\n")
		c.ExpectPattern("535 5.7.8 *")
		c.ExpectPattern("535 5.7.8 *")
		c.ExpectPattern("421 4.7.0 *")
		c.ExpectClosed()
	}
	c = dial(t, addr)
	c.hello("guesser")
	c.Writeln(authBad) // the 10th
	c.ExpectPattern("421 4.7.0 *")
	c.ExpectClosed()
	// now even the right password is refused, without a delay
	n := len(clk.sleeps())
	c = dial(t, addr)
	c.hello("marc-pc")
	c.Writeln(authGood)
	c.ExpectPattern("421 4.7.0 *")
	c.ExpectClosed()
	if got := len(clk.sleeps()); got != n || n != 10 {
		t.Fatalf("%d delays, then %d", n, got)
	}
	clk.advance(time.Minute) // one failure drained
	c = dial(t, addr)
	c.hello("marc-pc")
	c.Writeln(authGood)
	c.ExpectPattern("235 *")
}

// tlsClientConfig trusts the MTA's self-signed certificate.
func tlsClientConfig() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
}
