package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// dialTimeout bounds the connection to the target.
const dialTimeout = 10 * time.Second

// link is one proxied connection: the client's and the server's sides.
type link struct {
	p              *Proxy
	f              Fault
	client, server net.Conn
	cut            atomic.Bool // after a cut nothing is forwarded any more
	once           sync.Once
	done           [2]chan struct{} // closed when the pump of a direction ends
}

// serve forwards one client connection to the target with its fault.
func (p *Proxy) serve(client net.Conn, f Fault) {
	defer p.untrack(client)
	defer client.Close()
	server, err := p.dialer.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	l := &link{p: p, f: f, client: client, server: server,
		done: [2]chan struct{}{make(chan struct{}), make(chan struct{})}}
	var wg sync.WaitGroup
	wg.Go(func() { l.pump(Down, server, client) })
	wg.Go(func() { l.pump(Up, client, server) })
	wg.Wait()
}

// pump copies one direction, applying the fault when it is this
// direction's.
func (l *link) pump(dir Direction, src, dst net.Conn) {
	defer close(l.done[dir])
	out := &gate{l: l, w: dst, dir: dir}
	if l.f.Action != Pass && l.f.Dir == dir {
		if _, err := io.CopyN(out, src, l.f.After); err != nil {
			l.finish(src, dst, err)
			return
		}
		switch l.f.Action {
		case CutFIN, CutRST:
			l.strike()
			io.Copy(io.Discard, src) // until the peer closes
			return
		case Stall:
			l.p.hit()
			<-l.done[1-dir] // until the other direction ends
			return
		case Slow:
			l.p.hit()
			_, err := l.slow(out, src)
			l.finish(src, dst, err)
			return
		}
	}
	_, err := io.Copy(out, src)
	l.finish(src, dst, err)
}

// finish ends a direction: an end of file goes on as a FIN; an error
// closes both sides.
func (l *link) finish(src, dst net.Conn, err error) {
	if err == nil || errors.Is(err, io.EOF) {
		closeWrite(dst)
		return
	}
	l.client.Close()
	l.server.Close()
}

// strike cuts the connection: FIN to both peers (they read an end of file
// and close), or RST to the client.
func (l *link) strike() {
	l.once.Do(func() {
		l.cut.Store(true)
		l.p.hit()
		if l.f.Action == CutRST {
			if tc, ok := l.client.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			l.client.Close()
			l.server.Close()
			return
		}
		closeWrite(l.client)
		closeWrite(l.server)
	})
}

// slow forwards src in pieces of Chunk bytes, Delay apart, until src ends
// or the proxy closes.
func (l *link) slow(dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, max(l.f.Chunk, 1))
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if err != nil {
			return n, err
		}
		if l.f.Delay > 0 {
			time.Sleep(l.f.Delay)
		}
	}
}

// gate writes to a side until the connection is cut, then discards.
type gate struct {
	l   *link
	w   io.Writer
	dir Direction
}

func (g *gate) Write(p []byte) (int, error) {
	if g.l.cut.Load() {
		return len(p), nil
	}
	n, err := g.w.Write(p)
	g.l.p.forwarded[g.dir].Add(int64(n))
	return n, err
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		return
	}
	c.Close()
}
