package clientlimit

import (
	"errors"
	"net/netip"
	"testing"
)

func TestConns(t *testing.T) {
	exempt := netip.MustParseAddr("10.0.0.1")
	c := NewConns(7, 2, func(ip netip.Addr) bool { return ip == exempt })
	steps := []struct {
		ip   string
		want error
	}{
		{"192.0.2.1", nil},
		{"192.0.2.1", nil},
		{"192.0.2.1", ErrTooManyClientConns},
		{"::ffff:192.0.2.1", ErrTooManyClientConns}, // the same client
		{"2001:db8::1", nil},
		{"2001:db8::2", nil},
		{"2001:db8::3", ErrTooManyClientConns}, // the same /64
		{"10.0.0.1", nil},
		{"10.0.0.1", nil},
		{"10.0.0.1", nil},             // exempt from the client limit...
		{"10.0.0.1", ErrTooManyConns}, // ...not from the total
		{"192.0.2.9", ErrTooManyConns},
	}
	var releases []func()
	for i, s := range steps {
		rel, err := c.Acquire(netip.MustParseAddr(s.ip))
		if !errors.Is(err, s.want) || (err == nil) != (rel != nil) {
			t.Fatalf("step %d (%s): %v, want %v", i, s.ip, err, s.want)
		}
		if rel != nil {
			releases = append(releases, rel)
		}
	}
	releases[0]()
	releases[0]() // once only
	if total, client := c.Open(netip.MustParseAddr("192.0.2.1")); total != 6 || client != 1 {
		t.Fatalf("open %d, %d", total, client)
	}
	if _, err := c.Acquire(netip.MustParseAddr("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	unlimited := NewConns(0, -1, nil)
	for range 1000 {
		if _, err := unlimited.Acquire(netip.MustParseAddr("192.0.2.1")); err != nil {
			t.Fatal(err)
		}
	}
}
