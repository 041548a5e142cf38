package imapsync

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The transcript (Options.Transcript) shows the dialogue line by line, the
// way Facteur's POP3 transcript does: "C: " what Facteur sends, "S: " what
// the server sends. It is taken on the connection itself (after TLS, and
// after STARTTLS, which this package negotiates itself for that), so each
// direction is known. Message contents stay out: a literal ({N}, RFC 9051
// §4.3) shows as "[N bytes]". Secrets stay out too: the password of LOGIN,
// and every SASL response of AUTHENTICATE, whose base64 carries a password
// or an OAuth2 token.

// maxTraceLine bounds a line kept whole; a longer one is cut.
const maxTraceLine = 4096

// traceOut is the transcript shared by the connections of a Syncer: each
// line is written whole.
type traceOut struct {
	mu       sync.Mutex
	w        io.Writer
	password string
}

func (o *traceOut) line(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.password != "" {
		s = strings.ReplaceAll(s, o.password, "****")
	}
	io.WriteString(o.w, s+"\n")
}

// traced wraps conn so that its dialogue goes to out; a nil out leaves it
// as it is.
func traced(conn net.Conn, out *traceOut) net.Conn {
	if out == nil {
		return conn
	}
	return &traceConn{Conn: conn, out: out, in: traceSide{prefix: "S: "}, sent: traceSide{prefix: "C: ", client: true}}
}

// traceConn logs what crosses a connection. Read runs on the client's
// reading goroutine and Write on its writing one: each side has its own
// line buffer; the masking state, which both sides use, has a lock.
type traceConn struct {
	net.Conn
	out      *traceOut
	in, sent traceSide
	mu       sync.Mutex
	authTag  string // tag of an AUTHENTICATE under way, "" otherwise
}

// traceSide assembles the lines of one direction.
type traceSide struct {
	prefix  string
	client  bool
	buf     []byte
	literal int // bytes of a literal still to pass
	litSize int
}

func (t *traceConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.feed(&t.in, p[:n])
	return n, err
}

func (t *traceConn) Write(p []byte) (int, error) {
	t.feed(&t.sent, p)
	return t.Conn.Write(p)
}

func (t *traceConn) feed(s *traceSide, p []byte) {
	for len(p) > 0 {
		if s.literal > 0 {
			n := min(s.literal, len(p))
			s.literal -= n
			p = p[n:]
			if s.literal == 0 {
				t.out.line(fmt.Sprintf("%s[%d bytes]", s.prefix, s.litSize))
			}
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.buf = append(s.buf, p...)
			if len(s.buf) > maxTraceLine {
				t.emit(s, s.buf[:maxTraceLine])
				s.buf = s.buf[:0]
			}
			return
		}
		line := append(s.buf, p[:i+1]...)
		s.buf = line[:0]
		p = p[i+1:]
		text := strings.TrimRight(string(line), "\r\n")
		t.emit(s, []byte(text))
		if n, ok := literalSize(text); ok && n > 0 {
			s.literal, s.litSize = n, n
		}
	}
}

func (t *traceConn) emit(s *traceSide, line []byte) {
	t.out.line(s.prefix + t.mask(s.client, string(line)))
}

// literalRE matches the announce of a literal at the end of a line:
// {N}, {N+} (RFC 7888) or ~{N} (RFC 3516).
var literalRE = regexp.MustCompile(`~?\{(\d+)\+?\}$`)

func literalSize(line string) (int, bool) {
	m := literalRE.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// mask hides the secrets of a line (see the file's comment).
func (t *traceConn) mask(client bool, line string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := strings.Fields(line)
	if !client {
		if t.authTag != "" && len(f) > 0 && f[0] == t.authTag {
			t.authTag = "" // the tagged reply ends the exchange
		}
		return line
	}
	switch {
	case t.authTag != "" && line != "*": // a SASL response ("*" cancels)
		return "****"
	case len(f) >= 3 && strings.EqualFold(f[1], "AUTHENTICATE"):
		t.authTag = f[0]
		if len(f) > 3 { // SASL-IR initial response (RFC 4959)
			return strings.Join(f[:3], " ") + " ****"
		}
	case len(f) >= 3 && strings.EqualFold(f[1], "LOGIN"):
		return strings.Join(f[:3], " ") + " ****"
	}
	return line
}
