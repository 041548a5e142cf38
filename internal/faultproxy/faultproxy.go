// Package faultproxy is a TCP proxy for tests that injects network faults
// between a client and a server on loopback: it cuts a connection after a
// number of bytes, with an orderly close (FIN, RFC 9293 §3.6) or a reset
// (RST, SO_LINGER 0), stalls it (forwards nothing more while keeping it
// open), or slows it down (small pieces, a delay apart). Each connection
// gets the fault of a schedule, by its rank: the first connection may be
// cut, the second pass untouched.
//
// The IMAP sync tests (facteur/mua/imapsync) put it between the Syncer and
// go-imap's memory server; the interop suite puts its command
// (internal/faultproxy/cmd/faultproxy) between `facteur sync` and Dovecot.
// It is for tests only: it listens on 127.0.0.1.
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Action is what happens to a connection once the bytes of a Fault passed.
type Action int

// The actions.
const (
	Pass   Action = iota // forward everything
	CutFIN               // close both sides in order (FIN)
	CutRST               // reset the client's side (RST), close the server's
	Stall                // forward nothing more in that direction; keep the connection open
	Slow                 // forward the rest in Chunk-byte pieces, Delay apart
)

// Direction is the direction whose bytes a Fault counts.
type Direction int

// The directions.
const (
	Down Direction = iota // from the server to the client
	Up                    // from the client to the server
)

// Fault is the fault of one connection: after After bytes went in
// direction Dir, Action.
type Fault struct {
	Action Action
	After  int64
	Dir    Direction
	// Chunk and Delay pace a Slow connection: Chunk bytes (0 means 1),
	// then Delay.
	Chunk int
	Delay time.Duration
}

// Schedule gives the fault of the connection of rank n (0 for the first
// one accepted).
type Schedule func(n int) Fault

// Sequence is the schedule of faults in order, one per connection, then
// Pass.
func Sequence(faults ...Fault) Schedule {
	return func(n int) Fault {
		if n < len(faults) {
			return faults[n]
		}
		return Fault{}
	}
}

// Options configure a Proxy.
type Options struct {
	Target   string   // host:port of the server
	Schedule Schedule // the fault of each connection; nil: Pass
	// Source is the local IP address of the connections to the target; ""
	// lets the system choose. A server that trusts the connections whose
	// two ends have the same address (Dovecot's "secured" connections,
	// which may log in in plaintext) is reached from its own address.
	Source string
}

// Proxy forwards the connections it accepts on 127.0.0.1 to a target.
type Proxy struct {
	target    string
	dialer    net.Dialer
	ln        net.Listener
	wg        sync.WaitGroup
	forwarded [2]atomic.Int64 // bytes, by Direction

	mu       sync.Mutex
	schedule Schedule
	accepted int
	hits     int
	changed  chan struct{} // closed and replaced at each hit
	conns    map[net.Conn]struct{}
	closed   bool
}

// Start listens on 127.0.0.1:0 and forwards every connection to the
// target with the fault the schedule gives it.
func Start(opt Options) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return Serve(ln, opt)
}

// Serve forwards the connections of ln to the target, as Start. It fails
// on a Source that is not an IP address.
func Serve(ln net.Listener, opt Options) (*Proxy, error) {
	p := &Proxy{target: opt.Target, ln: ln, schedule: opt.Schedule, changed: make(chan struct{}),
		conns: map[net.Conn]struct{}{}, dialer: net.Dialer{Timeout: dialTimeout}}
	if opt.Source != "" {
		ip := net.ParseIP(opt.Source)
		if ip == nil {
			ln.Close()
			return nil, fmt.Errorf("faultproxy: source %q is not an IP address", opt.Source)
		}
		p.dialer.LocalAddr = &net.TCPAddr{IP: ip}
	}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the address the proxy listens on.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetSchedule replaces the schedule; the connections accepted from now on
// take their fault from it, their rank still counted from the proxy's first
// connection.
func (p *Proxy) SetSchedule(s Schedule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.schedule = s
}

// Accepted counts the connections accepted so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Forwarded counts the bytes forwarded so far in a direction, over every
// connection: a healthy run through a proxy that passes everything tells
// the offsets worth cutting at.
func (p *Proxy) Forwarded(dir Direction) int64 { return p.forwarded[dir].Load() }

// Hits counts the faults that struck so far (a Slow connection counts when
// it starts to slow down).
func (p *Proxy) Hits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits
}

// WaitHits waits until n faults struck, or ctx ends.
func (p *Proxy) WaitHits(ctx context.Context, n int) error {
	for {
		p.mu.Lock()
		hits, ch := p.hits, p.changed
		p.mu.Unlock()
		if hits >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *Proxy) hit() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits++
	close(p.changed)
	p.changed = make(chan struct{})
}

// Close stops listening, closes every connection and waits for the
// proxy's goroutines. It may be called more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		n := p.accepted
		p.accepted++
		f := Fault{}
		if p.schedule != nil {
			f = p.schedule(n)
		}
		p.mu.Unlock()
		if !p.track(c) {
			c.Close()
			return
		}
		p.wg.Go(func() { p.serve(c, f) })
	}
}

// track registers a connection for Close; false once closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}
