package submit

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/textproto"
	"strings"

	"facteur/mua/account"
)

// StartTLS is startTLS for the other SMTP clients of the user agent (the
// account set-up's login test): d makes the handshake, localName is the EHLO
// argument. A server without STARTTLS is ErrNoStartTLS.
func StartTLS(ctx context.Context, d *account.Dialer, conn net.Conn, s account.Server, localName string) (net.Conn, error) {
	c := &Client{Dialer: d, LocalName: localName}
	return c.startTLS(ctx, conn, s, s.Address("smtp"))
}

// startTLS runs the plaintext part of a STARTTLS session (RFC 3207)
// itself, so that a server that does not offer STARTTLS is a typed error
// before anything else is said: greeting, EHLO, STARTTLS, then the TLS
// handshake of account.Dialer (verification and pinning). It returns the
// TLS connection, on which go-smtp's client starts with a fresh EHLO.
func (c *Client) startTLS(ctx context.Context, conn net.Conn, s account.Server, addr string) (net.Conn, error) {
	tp := textproto.NewConn(conn)
	fail := func(op string, err error) (net.Conn, error) {
		conn.Close()
		return nil, &Error{Server: addr, Op: op, Err: err}
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fail("greeting", err)
	}
	name := c.LocalName
	if name == "" {
		name = "localhost"
	}
	if err := tp.PrintfLine("EHLO %s", name); err != nil {
		return fail("greeting", err)
	}
	_, msg, err := tp.ReadResponse(250)
	if err != nil {
		return fail("greeting", err)
	}
	if !offersStartTLS(msg) {
		tp.PrintfLine("QUIT")
		return fail("starttls", ErrNoStartTLS)
	}
	if err := tp.PrintfLine("STARTTLS"); err != nil {
		return fail("starttls", err)
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fail("starttls", err)
	}
	tconn, err := c.Dialer.Handshake(ctx, conn, s)
	if err != nil {
		return nil, &Error{Server: addr, Op: "starttls", Err: err}
	}
	return &greetedConn{Conn: tconn, greeting: strings.NewReader("220 " + s.Host + " TLS\r\n")}, nil
}

// offersStartTLS reads the EHLO reply's keywords (RFC 5321 §4.1.1.1).
func offersStartTLS(msg string) bool {
	sc := bufio.NewScanner(strings.NewReader(msg))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 && strings.EqualFold(f[0], "STARTTLS") {
			return true
		}
	}
	return false
}

// greetedConn gives go-smtp's client the greeting it waits for: after
// STARTTLS the server sends none, the client's next command is EHLO.
type greetedConn struct {
	net.Conn
	greeting io.Reader
}

func (g *greetedConn) Read(p []byte) (int, error) {
	if g.greeting != nil {
		n, err := g.greeting.Read(p)
		if err != io.EOF {
			return n, nil
		}
		g.greeting = nil
	}
	return g.Conn.Read(p)
}
