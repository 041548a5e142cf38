package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"facteur/internal/netreset"
)

// source is a server on loopback that sends payload on every connection,
// then reads until the end of file and records what it read.
type source struct {
	ln      net.Listener
	payload []byte
	got     chan []byte // what each connection read, when it ended
	wg      sync.WaitGroup
}

func startSource(t *testing.T, size int) *source {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &source{ln: ln, payload: make([]byte, size), got: make(chan []byte, 16)}
	for i := range s.payload {
		s.payload[i] = byte('a' + i%26)
	}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *source) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var w sync.WaitGroup
	w.Go(func() { c.Write(s.payload) })
	b, _ := io.ReadAll(c)
	w.Wait() // all sent before the close
	s.got <- b
}

func startProxy(t *testing.T, target string, sched Schedule) *Proxy {
	t.Helper()
	p, err := Start(Options{Target: target, Schedule: sched})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// TestCutDown: a FIN cut delivers exactly the first bytes and a clean end
// of file; a reset gives ECONNRESET and never more than those bytes; the
// schedule's next connection passes whole.
func TestCutDown(t *testing.T) {
	const size = 200_000
	for _, tc := range []struct {
		name  string
		fault Fault
	}{
		{"fin at 0", Fault{Action: CutFIN}},
		{"fin at 1", Fault{Action: CutFIN, After: 1}},
		{"fin at 4096", Fault{Action: CutFIN, After: 4096}},
		{"fin at 150001", Fault{Action: CutFIN, After: 150_001}},
		{"rst at 0", Fault{Action: CutRST}},
		{"rst at 70000", Fault{Action: CutRST, After: 70_000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := startSource(t, size)
			p := startProxy(t, src.ln.Addr().String(), Sequence(tc.fault))
			var got []byte
			c, err := net.Dial("tcp", p.Addr())
			if err == nil { // a reset may come before connect returns
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				got, err = io.ReadAll(c)
			}
			switch tc.fault.Action {
			case CutFIN:
				if err != nil || int64(len(got)) != tc.fault.After {
					t.Fatalf("read %d bytes, %v; want %d and a clean end", len(got), err, tc.fault.After)
				}
			case CutRST:
				if !netreset.Is(err) || int64(len(got)) > tc.fault.After {
					t.Fatalf("read %d bytes, %v; want at most %d and a reset", len(got), err, tc.fault.After)
				}
			}
			if !bytes.Equal(got, src.payload[:len(got)]) {
				t.Fatal("the bytes before the cut differ")
			}
			if p.Hits() != 1 {
				t.Errorf("%d hits", p.Hits())
			}
			c2 := dial(t, p.Addr())
			c2.CloseWrite()
			if got, err := io.ReadAll(c2); err != nil || !bytes.Equal(got, src.payload) {
				t.Fatalf("second connection: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestCutUp: a cut of the client's bytes gives the server exactly the
// first ones.
func TestCutUp(t *testing.T) {
	src := startSource(t, 10)
	p := startProxy(t, src.ln.Addr().String(), Sequence(Fault{Action: CutFIN, After: 1000, Dir: Up}))
	c := dial(t, p.Addr())
	c.Write(make([]byte, 5000)) // may fail part-way: the proxy discards
	io.ReadAll(c)
	c.Close()
	p.Close()
	if got := <-src.got; len(got) != 1000 {
		t.Fatalf("server read %d bytes", len(got))
	}
}

// TestStall: after the bytes, nothing more arrives, the connection stays
// open; WaitHits says when; closing the client ends it.
func TestStall(t *testing.T) {
	src := startSource(t, 100_000)
	p := startProxy(t, src.ln.Addr().String(), Sequence(Fault{Action: Stall, After: 3000}))
	c := dial(t, p.Addr())
	buf := make([]byte, 3000)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.WaitHits(ctx, 1); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := c.Read(buf); n != 0 || !errors.Is(err, syscall.EAGAIN) && !isTimeout(err) {
		t.Fatalf("after the stall: %d bytes, %v", n, err)
	}
	c.Close()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestSlow: everything arrives, in small pieces.
func TestSlow(t *testing.T) {
	src := startSource(t, 5000)
	p := startProxy(t, src.ln.Addr().String(), Sequence(Fault{Action: Slow, After: 100, Chunk: 512, Delay: time.Millisecond}))
	c := dial(t, p.Addr())
	c.CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, src.payload) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	if p.Hits() != 1 {
		t.Errorf("%d hits", p.Hits())
	}
	if n := p.Forwarded(Down); n != int64(len(src.payload)) {
		t.Errorf("forwarded %d bytes down, sent %d", n, len(src.payload))
	}
}

// TestCloseEndsEverything: Close returns with connections open.
func TestCloseEndsEverything(t *testing.T) {
	src := startSource(t, 1<<20)
	p := startProxy(t, src.ln.Addr().String(), nil)
	dial(t, p.Addr())
	dial(t, p.Addr())
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Fatal("still listening")
	}
}

// TestSource: the connections to the target come from the address asked.
func TestSource(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	from := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			from <- c.RemoteAddr().(*net.TCPAddr).IP.String()
			c.Close()
		}
	}()
	p, err := Start(Options{Target: ln.Addr().String(), Source: "127.0.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dial(t, p.Addr())
	if got := <-from; got != "127.0.0.3" {
		t.Errorf("the target saw %s, want 127.0.0.3", got)
	}
	if _, err := Start(Options{Target: "x:1", Source: "nowhere"}); err == nil {
		t.Error("a source that is no IP address was taken")
	}
}

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Fault
		err  bool
	}{
		{"pass", Fault{}, false},
		{"fin@2048", Fault{Action: CutFIN, After: 2048}, false},
		{"rst@0", Fault{Action: CutRST}, false},
		{"up:stall@10", Fault{Action: Stall, After: 10, Dir: Up}, false},
		{"slow@5:64:1ms", Fault{Action: Slow, After: 5, Chunk: 64, Delay: time.Millisecond}, false},
		{"fin", Fault{}, true},
		{"fin@-1", Fault{}, true},
		{"fin@1:2", Fault{}, true},
		{"slow@1", Fault{}, true},
		{"slow@1:0:1ms", Fault{}, true},
		{"slow@1:4:soon", Fault{}, true},
		{"cut@1", Fault{}, true},
	} {
		got, err := ParseFault(tc.in)
		if tc.err != (err != nil) || !tc.err && got != tc.want {
			t.Errorf("ParseFault(%q) = %+v, %v", tc.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseFault(%q): %v is not ErrSyntax", tc.in, err)
		}
	}
	s, err := ParseSchedule("fin@1, pass,rst@2")
	if err != nil || s(0).Action != CutFIN || s(1).Action != Pass || s(2).After != 2 || s(3) != (Fault{}) {
		t.Fatalf("ParseSchedule: %v", err)
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"pass", "fin@1", "up:rst@0", "slow@1:2:3ms", "stall@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFault(s)
		if err == nil && (got.After < 0 || got.Action == Slow && got.Chunk < 1) {
			t.Fatalf("%q: %+v", s, got)
		}
	})
}
