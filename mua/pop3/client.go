package pop3

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"facteur/mua/account"
)

// Options configure a Client. The zero value is usable.
type Options struct {
	// Dialer opens the connection; nil means the system roots.
	Dialer *account.Dialer
	// Transcript receives the dialogue, passwords masked. It may still
	// hold user names and message headers.
	Transcript io.Writer
	// Timeout bounds each command and its reply when ctx has no earlier
	// deadline; 0 means 5 minutes.
	Timeout time.Duration
}

// Client is one POP3 session. Its methods must not be called concurrently.
type Client struct {
	conn  net.Conn
	text  *textproto.Conn
	opt   Options
	caps  map[string][]string
	tls   bool
	tmu   sync.Mutex
	Greet string // the greeting text after "+OK"
}

// Dial connects to the account's incoming server with its security: implicit
// TLS, STLS (refused with account.ErrNoStartTLS when not offered), or
// plaintext only for account.SecurityNone. It reads the greeting and CAPA.
func Dial(ctx context.Context, srv account.Server, opt Options) (*Client, error) {
	conn, err := opt.Dialer.Dial(ctx, srv, "pop3")
	if err != nil {
		return nil, err
	}
	c := newClient(conn, opt, srv.Sec() == account.SecurityTLS)
	if err := c.start(ctx, srv); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func newClient(conn net.Conn, opt Options, isTLS bool) *Client {
	c := &Client{conn: conn, opt: opt, tls: isTLS}
	c.text = textproto.NewConn(conn)
	return c
}

func (c *Client) start(ctx context.Context, srv account.Server) error {
	greet, err := c.cmd(ctx, "", "")
	if err != nil {
		return err
	}
	c.Greet = greet
	c.Capabilities(ctx) // optional (RFC 2449): no CAPA means none
	if srv.Sec() != account.SecurityStartTLS {
		return nil
	}
	if !c.Has("STLS") {
		return account.ErrNoStartTLS
	}
	return c.StartTLS(ctx, srv)
}

// Close closes the connection without QUIT (deletions are then not done,
// RFC 1939 §6).
func (c *Client) Close() error { return c.conn.Close() }

// IsTLS tells whether the session is encrypted.
func (c *Client) IsTLS() bool { return c.tls }

// Has tells whether CAPA listed a capability ("STLS", "UIDL", "TOP"...).
func (c *Client) Has(capability string) bool {
	_, ok := c.caps[strings.ToUpper(capability)]
	return ok
}

// Capability returns the arguments of a capability ("SASL" -> ["PLAIN"]).
func (c *Client) Capability(name string) []string { return c.caps[strings.ToUpper(name)] }

// deadline arms the connection for one exchange; the returned func
// disarms it. Cancelling ctx unblocks any read or write at once.
func (c *Client) deadline(ctx context.Context) func() {
	t := c.opt.Timeout
	if t == 0 {
		t = 5 * time.Minute
	}
	d := time.Now().Add(t)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	c.conn.SetDeadline(d)
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }
}

// cmd sends a command line (none when line is "") and reads the status
// reply; masked is what the transcript shows instead of line ("" = line).
func (c *Client) cmd(ctx context.Context, line, masked string) (string, error) {
	defer c.deadline(ctx)()
	name := commandName(line)
	if line != "" {
		c.logLine("C: ", orString(masked, line))
		if err := c.text.PrintfLine("%s", line); err != nil {
			return "", c.ioErr(ctx, err)
		}
	}
	reply, err := c.text.ReadLine()
	if err != nil {
		return "", c.ioErr(ctx, err)
	}
	c.logLine("S: ", reply)
	return parseReply(name, reply)
}

// multi sends a command whose positive reply is followed by a
// dot-terminated block, and hands the unstuffed block to fn. The block is
// drained whatever fn reads.
func (c *Client) multi(ctx context.Context, line string, fn func(io.Reader) error) error {
	if _, err := c.cmd(ctx, line, ""); err != nil {
		return err
	}
	defer c.deadline(ctx)()
	cr := &countReader{r: c.text.DotReader()}
	err := fn(cr)
	_, derr := io.Copy(io.Discard, cr)
	c.logLine("S: ", fmt.Sprintf("[%d bytes]", cr.n))
	c.logLine("S: ", ".")
	if derr != nil {
		return c.ioErr(ctx, derr)
	}
	return err
}

// lines runs a multi-line command and returns its lines.
func (c *Client) lines(ctx context.Context, line string) ([]string, error) {
	var out []string
	err := c.multi(ctx, line, func(r io.Reader) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 1024), 64*1024)
		for sc.Scan() {
			out = append(out, sc.Text())
		}
		return sc.Err()
	})
	return out, err
}

func (c *Client) ioErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if d, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(d) {
		return context.DeadlineExceeded // the connection deadline was ctx's
	}
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("%w: %v", ErrClosed, err)
	}
	return err
}

func (c *Client) logLine(prefix, line string) {
	if c.opt.Transcript == nil {
		return
	}
	c.tmu.Lock()
	defer c.tmu.Unlock()
	io.WriteString(c.opt.Transcript, prefix+line+"\n")
}

func commandName(line string) string {
	if line == "" {
		return "greeting"
	}
	name, _, _ := strings.Cut(line, " ")
	return strings.ToUpper(name)
}

func orString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
