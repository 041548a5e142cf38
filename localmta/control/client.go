package control

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"time"
)

// connectWait is how long Connect waits for an MTA that holds its lock but
// has not published its control socket yet (it is starting).
const connectWait = 5 * time.Second

// Client talks to the running MTA of a directory.
type Client struct {
	info Info
}

// Connect finds out who has the MTA directory: it returns a Client when an
// MTA runs there, or the directory's lock when none runs (the caller then
// changes the spool itself and unlocks). It waits up to 5 s (or ctx) for
// an MTA that is starting, then fails with ErrNotResponding.
func Connect(ctx context.Context, dir string) (*Client, *Lock, error) {
	ctx, cancel := context.WithTimeout(ctx, connectWait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		l, err := TryLock(dir)
		if err == nil {
			return nil, l, nil
		}
		if !errors.Is(err, ErrLocked) {
			return nil, nil, err
		}
		if c, err := dial(ctx, dir); err == nil {
			return c, nil, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ErrNotResponding
		case <-tick.C:
		}
	}
}

// dial reads control.json and checks that the socket answers.
func dial(ctx context.Context, dir string) (*Client, error) {
	info, err := ReadInfo(dir)
	if err != nil {
		return nil, err
	}
	c := &Client{info: info}
	if err := c.Ping(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Info returns what the running MTA published: its SMTP and POP3
// addresses among others.
func (c *Client) Info() Info { return c.info }

// Ping checks that the MTA answers.
func (c *Client) Ping(ctx context.Context) error { return c.do(ctx, "PING", "") }

// Flush makes every message that is not held due now.
func (c *Client) Flush(ctx context.Context) error { return c.do(ctx, "FLUSH", "") }

// Hold keeps a message in the queue until Release.
func (c *Client) Hold(ctx context.Context, id string) error { return c.do(ctx, "HOLD", id) }

// Release lets a held message go at once.
func (c *Client) Release(ctx context.Context, id string) error { return c.do(ctx, "RELEASE", id) }

// Delete removes a message from the queue without bounce.
func (c *Client) Delete(ctx context.Context, id string) error { return c.do(ctx, "DELETE", id) }

// do sends one request on a new connection and reads the reply.
func (c *Client) do(ctx context.Context, verb, id string) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.info.Control)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	req := c.info.Token + " " + verb
	if id != "" {
		req += " " + id
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		return err
	}
	line, err := textproto.NewReader(bufio.NewReader(io.LimitReader(conn, maxReply))).ReadLine()
	if err != nil {
		return err
	}
	return parseReply(line)
}
