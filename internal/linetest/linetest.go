// Package linetest drives a line-oriented protocol (SMTP, RFC 5321; POP3,
// RFC 1939) from a test, one line at a time, as maddy's integration tests do:
// c.Writeln("MAIL FROM:<a@b>"), then check the reply. It is for tests only.
package linetest

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Conn is one client connection of a test. Every failure ends the test.
type Conn struct {
	T  testing.TB
	C  net.Conn
	BR *bufio.Reader
}

// Dial connects to addr with a 20 s deadline on the whole dialogue; the
// connection is closed when the test ends.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &Conn{T: t, C: c, BR: bufio.NewReader(c)}
}

// Writeln sends one line with CRLF.
func (c *Conn) Writeln(s string) {
	c.T.Helper()
	c.Write(s + "\r\n")
}

// Write sends raw bytes.
func (c *Conn) Write(s string) {
	c.T.Helper()
	if _, err := io.WriteString(c.C, s); err != nil {
		c.T.Fatal(err)
	}
}

// Readln reads one line, which must end with CRLF, and returns it without.
func (c *Conn) Readln() string {
	c.T.Helper()
	line, err := c.BR.ReadString('\n')
	if err != nil {
		c.T.Fatalf("read: %v (got %q)", err, line)
	}
	if !strings.HasSuffix(line, "\r\n") {
		c.T.Fatalf("line without CRLF: %q", line)
	}
	return strings.TrimSuffix(line, "\r\n")
}

// ExpectClosed checks that the server closed the connection.
func (c *Conn) ExpectClosed() {
	c.T.Helper()
	if line, err := c.BR.ReadString('\n'); err == nil {
		c.T.Fatalf("connection still open, got %q", line)
	}
}

// StartTLS runs the client side of the TLS handshake on the connection, once
// the server accepted STARTTLS or STLS.
func (c *Conn) StartTLS(cfg *tls.Config) {
	c.T.Helper()
	tc := tls.Client(c.C, cfg)
	if err := tc.Handshake(); err != nil {
		c.T.Fatal(err)
	}
	c.C, c.BR = tc, bufio.NewReader(tc)
}
