package localmta

import (
	"crypto/tls"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"facteur/localmta/clientlimit"
)

// clientConn is one accepted SMTP connection and what the server counts
// of it. go-smtp starts a new Session after STARTTLS (RFC 3207 §4.2), so
// the counts live here, with the connection, not in the session.
type clientConn struct {
	net.Conn
	ip     netip.Addr
	logins *clientlimit.Session

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

// Close closes the connection once.
func (c *clientConn) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.Conn.Close() })
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

// clientListener wraps the accepted connections into clientConns.
type clientListener struct {
	net.Listener
	m *MTA
}

func (l clientListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.m.newClientConn(c), nil
}
