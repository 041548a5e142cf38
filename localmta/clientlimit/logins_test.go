package clientlimit

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"facteur/localmta/clientlimit/limittest"
)

func TestSessionEndsAfterFailures(t *testing.T) {
	clk := limittest.New()
	l := NewLogins(LoginConfig{Sleep: clk.Sleep, Now: clk.Now})
	s := l.Session(netip.MustParseAddr("192.0.2.1"))
	for i, wantEnd := range []bool{false, false, true} {
		if s.Blocked() {
			t.Fatalf("blocked before failure %d", i+1)
		}
		if end := s.Failed(context.Background()); end != wantEnd {
			t.Fatalf("failure %d: end %v, want %v", i+1, end, wantEnd)
		}
	}
	if !s.Blocked() || len(clk.Sleeps()) != 3 || clk.Sleeps()[0] != time.Second {
		t.Fatalf("blocked %v, slept %v", s.Blocked(), clk.Sleeps())
	}
	// another session of the same client starts afresh
	if l.Session(netip.MustParseAddr("192.0.2.1")).Blocked() {
		t.Fatal("3 failures block the client")
	}
}

// TestClientPenaltyDrains: failures of one client add up across its
// sessions, block it at 10, and drain at one a minute; other clients and
// other /64 networks are not affected, addresses of one /64 are.
func TestClientPenaltyDrains(t *testing.T) {
	clk := limittest.New()
	l := NewLogins(LoginConfig{Delay: -1, Sleep: clk.Sleep, Now: clk.Now})
	client := netip.MustParseAddr("2001:db8:1:2::10")
	for i := range 10 {
		ip := client
		if i%2 == 1 {
			ip = netip.MustParseAddr("2001:db8:1:2::99") // same /64
		}
		s := l.Session(ip)
		if s.Blocked() {
			t.Fatalf("blocked after %d failures", i)
		}
		s.Failed(context.Background())
	}
	cases := []struct {
		ip      string
		after   time.Duration
		blocked bool
	}{
		{"2001:db8:1:2::10", 0, true},
		{"2001:db8:1:2::ffff", 0, true},
		{"2001:db8:1:3::10", 0, false},
		{"192.0.2.1", 0, false},
		{"2001:db8:1:2::10", 30 * time.Second, true}, // 9.5 left
		{"2001:db8:1:2::10", 31 * time.Second, false},
	}
	for _, c := range cases {
		clk.Advance(c.after)
		if got := l.Session(netip.MustParseAddr(c.ip)).Blocked(); got != c.blocked {
			t.Errorf("%s after +%v: blocked %v, want %v", c.ip, c.after, got, c.blocked)
		}
	}
	if len(clk.Sleeps()) != 0 {
		t.Errorf("negative delay slept %v", clk.Sleeps())
	}
}

func TestNoClientLimit(t *testing.T) {
	l := NewLogins(LoginConfig{Delay: -1, MaxPerClient: -1, MaxPerSession: 1000})
	s := l.Session(netip.MustParseAddr("192.0.2.7"))
	for range 100 {
		s.Failed(context.Background())
	}
	if l.Session(netip.MustParseAddr("192.0.2.7")).Blocked() {
		t.Fatal("blocked without a client limit")
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":         "192.0.2.1/32",
		"::ffff:192.0.2.1":  "192.0.2.1/32",
		"2001:db8::1":       "2001:db8::/64",
		"2001:db8:0:0:1::1": "2001:db8::/64",
		"::1":               "::/64",
	} {
		if got := Key(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("Key(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestDelayEndsWithContext: the real sleep returns when ctx ends.
func TestDelayEndsWithContext(t *testing.T) {
	l := NewLogins(LoginConfig{Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l.Session(netip.MustParseAddr("192.0.2.1")).Failed(ctx) // returns at once
}
