package imapsync

import (
	"bytes"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
)

// capsFilter makes a test server look like one with fewer extensions:
// imapserver announces IDLE, LITERAL- and friends on its own, and
// imapmemserver answers APPENDUID and COPYUID whatever it announced. It
// removes the hidden capabilities from every CAPABILITY list the server
// writes (greeting, LOGIN, CAPABILITY), the UIDPLUS response codes when
// UIDPLUS is hidden, and records the commands the client sends, so that a
// test can tell that the client did not use what was hidden.
type capsFilter struct {
	net.Listener
	hide []imap.Cap

	mu       sync.Mutex
	commands []string // "UID MOVE", "IDLE"... in order
	lines    []string // the client's command lines
}

func (l *capsFilter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &filterConn{Conn: c, l: l}, nil
}

// sent tells whether the client sent a command of that name ("IDLE",
// "UID EXPUNGE", "EXPUNGE"...).
func (l *capsFilter) sent(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Contains(l.commands, name)
}

// clientLines returns the command lines the client sent.
func (l *capsFilter) clientLines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

type filterConn struct {
	net.Conn
	l       *capsFilter
	out, in []byte // a partial line written / read
	writeMu sync.Mutex
	readMu  sync.Mutex
}

var (
	commandRE  = regexp.MustCompile(`^T\d+ ((?:UID )?[A-Z]+)`)
	uidPlusRE  = regexp.MustCompile(`\[(APPENDUID|COPYUID) [^\]]*\] ?`)
	capsLineRE = regexp.MustCompile(`CAPABILITY [^\]\r\n]*`)
)

func (c *filterConn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.out = append(c.out, p...)
	end := bytes.LastIndexByte(c.out, '\n') + 1
	if end == 0 {
		return len(p), nil
	}
	lines := c.filter(c.out[:end])
	c.out = append([]byte(nil), c.out[end:]...)
	if _, err := c.Conn.Write(lines); err != nil {
		return 0, err
	}
	return len(p), nil
}

// filter rewrites complete lines of the server.
func (c *filterConn) filter(b []byte) []byte {
	if !bytes.Contains(b, []byte("CAPABILITY")) && !bytes.Contains(b, []byte("UID ")) {
		return b
	}
	s := capsLineRE.ReplaceAllStringFunc(string(b), func(list string) string {
		words := strings.Fields(list)
		out := words[:1]
		for _, w := range words[1:] {
			if !slices.ContainsFunc(c.l.hide, func(h imap.Cap) bool { return strings.EqualFold(w, string(h)) }) {
				out = append(out, w)
			}
		}
		return strings.Join(out, " ")
	})
	if slices.Contains(c.l.hide, imap.CapUIDPlus) {
		s = uidPlusRE.ReplaceAllString(s, "")
	}
	return []byte(s)
}

func (c *filterConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.readMu.Lock()
	defer c.readMu.Unlock()
	c.in = append(c.in, p[:n]...)
	for {
		i := bytes.IndexByte(c.in, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(c.in[:i]), "\r")
		c.in = c.in[i+1:]
		if m := commandRE.FindStringSubmatch(line); m != nil {
			c.l.mu.Lock()
			c.l.commands = append(c.l.commands, m[1])
			c.l.lines = append(c.l.lines, line)
			c.l.mu.Unlock()
		}
	}
	return n, err
}
