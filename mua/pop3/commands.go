package pop3

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"facteur/mua/account"
)

// Capabilities sends CAPA (RFC 2449 §5) and keeps the list for Has.
func (c *Client) Capabilities(ctx context.Context) (map[string][]string, error) {
	lines, err := c.lines(ctx, "CAPA")
	if err != nil {
		c.caps = map[string][]string{}
		return c.caps, err
	}
	c.caps = parseCapa(lines)
	return c.caps, nil
}

func parseCapa(lines []string) map[string][]string {
	caps := make(map[string][]string, len(lines))
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) > 0 {
			caps[strings.ToUpper(f[0])] = f[1:]
		}
	}
	return caps
}

// StartTLS sends STLS (RFC 2595 §4), runs the handshake with verification
// or pinning, and reads CAPA again (RFC 2595 §4: it may change).
func (c *Client) StartTLS(ctx context.Context, srv account.Server) error {
	if _, err := c.cmd(ctx, "STLS", ""); err != nil {
		return err
	}
	c.conn.SetDeadline(time.Time{})
	tc, err := c.opt.Dialer.Handshake(ctx, c.conn, srv)
	if err != nil {
		return err
	}
	c.conn, c.tls = tc, true
	c.text = textproto.NewConn(tc)
	c.Capabilities(ctx)
	return nil
}

// Login authenticates: SASL PLAIN (RFC 5034) when CAPA lists it, USER and
// PASS otherwise (RFC 1939 §7). A refusal matches ErrAuth.
func (c *Client) Login(ctx context.Context, user, password string) error {
	for _, m := range c.Capability("SASL") {
		if strings.EqualFold(m, "PLAIN") {
			return c.AuthPlain(ctx, user, password)
		}
	}
	if _, err := c.cmd(ctx, "USER "+user, ""); err != nil {
		return err
	}
	_, err := c.cmd(ctx, "PASS "+password, "PASS ****")
	return err
}

// AuthPlain sends AUTH PLAIN with an initial response (RFC 5034 §4,
// RFC 4616).
func (c *Client) AuthPlain(ctx context.Context, user, password string) error {
	ir := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password))
	_, err := c.cmd(ctx, "AUTH PLAIN "+ir, "AUTH PLAIN ****")
	return err
}

// Stat returns the number of messages and their total size (RFC 1939 §5).
func (c *Client) Stat(ctx context.Context) (count int, size int64, err error) {
	reply, err := c.cmd(ctx, "STAT", "")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(reply)
	if len(f) < 2 {
		return 0, 0, &ProtocolError{Command: "STAT", Line: reply}
	}
	count, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || count < 0 || size < 0 {
		return 0, 0, &ProtocolError{Command: "STAT", Line: reply}
	}
	return count, size, nil
}

// MessageSize is one line of LIST.
type MessageSize struct {
	Num  int
	Size int64
}

// UniqueID is one line of UIDL.
type UniqueID struct {
	Num int
	UID string
}

// List returns the size of every message (RFC 1939 §5).
func (c *Client) List(ctx context.Context) ([]MessageSize, error) {
	lines, err := c.lines(ctx, "LIST")
	if err != nil {
		return nil, err
	}
	out := make([]MessageSize, 0, len(lines))
	for _, l := range lines {
		n, arg, ok := numArg(l)
		size, err := strconv.ParseInt(arg, 10, 64)
		if !ok || err != nil || size < 0 {
			return nil, &ProtocolError{Command: "LIST", Line: l}
		}
		out = append(out, MessageSize{Num: n, Size: size})
	}
	return out, nil
}

// UIDL returns the unique-id of every message (RFC 1939 §7).
func (c *Client) UIDL(ctx context.Context) ([]UniqueID, error) {
	lines, err := c.lines(ctx, "UIDL")
	if err != nil {
		return nil, err
	}
	out := make([]UniqueID, 0, len(lines))
	for _, l := range lines {
		n, uid, ok := numArg(l)
		if !ok || !validUID(uid) {
			return nil, &ProtocolError{Command: "UIDL", Line: l}
		}
		out = append(out, UniqueID{Num: n, UID: uid})
	}
	return out, nil
}

// numArg splits "N ARG".
func numArg(l string) (int, string, bool) {
	a, b, ok := strings.Cut(strings.TrimSpace(l), " ")
	n, err := strconv.Atoi(a)
	return n, strings.TrimSpace(b), ok && err == nil && n > 0
}

// validUID: 1 to 70 characters in 0x21..0x7E (RFC 1939 §7).
func validUID(s string) bool {
	if len(s) == 0 || len(s) > 70 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Retr fetches message n and hands its content, dot-unstuffed with LF line
// ends, to fn (RFC 1939 §5).
func (c *Client) Retr(ctx context.Context, n int, fn func(io.Reader) error) error {
	return c.multi(ctx, "RETR "+strconv.Itoa(n), fn)
}

// Top fetches the header of message n and its first lines of body
// (RFC 1939 §7).
func (c *Client) Top(ctx context.Context, n, lines int, fn func(io.Reader) error) error {
	return c.multi(ctx, fmt.Sprintf("TOP %d %d", n, lines), fn)
}

// Dele marks message n deleted; it goes at QUIT (RFC 1939 §5).
func (c *Client) Dele(ctx context.Context, n int) error {
	_, err := c.cmd(ctx, "DELE "+strconv.Itoa(n), "")
	return err
}

// Noop keeps the session alive.
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.cmd(ctx, "NOOP", "")
	return err
}

// Rset unmarks the messages marked deleted.
func (c *Client) Rset(ctx context.Context) error {
	_, err := c.cmd(ctx, "RSET", "")
	return err
}

// Quit ends the session: the server removes the messages marked deleted
// (UPDATE state, RFC 1939 §6). The connection is closed in every case.
func (c *Client) Quit(ctx context.Context) error {
	_, err := c.cmd(ctx, "QUIT", "")
	c.Close()
	return err
}
