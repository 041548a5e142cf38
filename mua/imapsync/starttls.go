package imapsync

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"facteur/mua/account"
)

// startTLS negotiates STARTTLS (RFC 9051 §6.2.1, RFC 2595) on raw, whose
// clear part goes through clear (raw itself, or raw traced), and returns
// the TLS connection: imapclient then reads, as its greeting, the line that
// greeted says (see greetedConn). Doing it here rather than in imapclient
// lets the transcript see the session decrypted. A server that refuses
// STARTTLS is account.ErrNoStartTLS: never a fall-back to plaintext.
func startTLS(ctx context.Context, d *account.Dialer, s account.Server, raw, clear net.Conn) (net.Conn, error) {
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	raw.SetDeadline(time.Now().Add(time.Minute))
	br := bufio.NewReader(clear)
	greet, err := readLine(br)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(greet, "* OK") {
		return nil, fmt.Errorf("%w: the server greets with %q", account.ErrNoStartTLS, greet)
	}
	if _, err := io.WriteString(clear, "S0 STARTTLS\r\n"); err != nil {
		return nil, err
	}
	if err := startTLSReply(br); err != nil {
		return nil, err
	}
	if br.Buffered() > 0 { // bytes sent before the handshake: an injection
		return nil, errors.New("imapsync: the server sent data after its STARTTLS reply, before TLS: refused")
	}
	raw.SetDeadline(time.Time{})
	return d.Handshake(ctx, raw, s)
}

// startTLSReply reads up to the tagged reply of STARTTLS.
func startTLSReply(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		if rest, ok := strings.CutPrefix(line, "S0 "); ok {
			if strings.HasPrefix(strings.ToUpper(rest), "OK") {
				return nil
			}
			return fmt.Errorf("%w: %s", account.ErrNoStartTLS, rest)
		}
	}
}

func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("%w: STARTTLS: %v", ErrClosed, err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// greetedConn gives imapclient a greeting after STARTTLS, where the server
// sends none: its first reads return greeting, then the connection's. The
// greeting names no capabilities, so imapclient asks for them again, as
// RFC 9051 §6.2.1 requires after STARTTLS.
type greetedConn struct {
	net.Conn
	greeting string
}

func (g *greetedConn) Read(p []byte) (int, error) {
	if g.greeting != "" {
		n := copy(p, g.greeting)
		g.greeting = g.greeting[n:]
		return n, nil
	}
	return g.Conn.Read(p)
}
