package localmta

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"facteur/localmta/clientlimit"
)

// clientConn is one accepted SMTP connection and what the server counts
// of it. go-smtp starts a new Session after STARTTLS (RFC 3207 §4.2), so
// the counts live here, with the connection, not in the session.
type clientConn struct {
	net.Conn
	ip      netip.Addr
	logins  *clientlimit.Session
	release func() // uncounts the connection (Config.MaxConnections)
	errors  int    // error replies (Config.HardErrorLimit), in the session's goroutine

	// closing makes the next write (the 421 reply that ends the session,
	// RFC 5321 §3.8) also close the connection: go-smtp has no call for
	// "reply, then close".
	closing   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

func (m *MTA) newClientConn(c net.Conn) *clientConn {
	cc := &clientConn{Conn: c}
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		cc.ip = ap.Addr().Unmap()
	}
	cc.logins = m.logins.Session(cc.ip)
	cc.release = func() {}
	return cc
}

// Write writes p, then closes the connection if the session is ending.
func (c *clientConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.closing.Load() {
		c.Close()
	}
	return n, err
}

// Close closes the connection once, and uncounts it.
func (c *clientConn) Close() error {
	c.closeOnce.Do(func() {
		c.closeErr = c.Conn.Close()
		c.release()
	})
	return c.closeErr
}

// closeAfterReply ends the connection once the next reply is written.
func (c *clientConn) closeAfterReply() { c.closing.Store(true) }

// clientOf returns the clientConn under a go-smtp connection, TLS or not.
func clientOf(c net.Conn) (*clientConn, bool) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	cc, ok := c.(*clientConn)
	return cc, ok
}

// clientListener wraps the accepted connections into clientConns, and
// answers the connections beyond Config.MaxConnections or
// MaxClientConnections 421 4.7.0 at once, without a session.
type clientListener struct {
	net.Listener
	m *MTA
}

func (l clientListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		cc := l.m.newClientConn(c)
		release, err := l.m.conns.Acquire(cc.ip)
		if err == nil {
			cc.release = release
			return cc, nil
		}
		l.m.refuseConn(cc, err)
	}
}

// refuseConn answers a connection over the limits and closes it. The
// reply fits in the empty send buffer of a new socket: it never blocks
// the accept loop for long.
func (m *MTA) refuseConn(c *clientConn, err error) {
	text := "too many connections"
	if errors.Is(err, clientlimit.ErrTooManyClientConns) {
		text += " from " + c.ip.String()
	}
	m.log.Warn("smtp connection refused: "+text, "client", c.ip)
	c.SetWriteDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(c.Conn, "421 4.7.0 %s Error: %s\r\n", m.cfg.Hostname, text)
	c.Close()
}
