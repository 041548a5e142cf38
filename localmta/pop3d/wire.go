package pop3d

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Command is one command line of RFC 1939 §3: a case-insensitive keyword
// and its arguments separated by spaces.
type Command struct {
	Name string   // upper case: "RETR"
	Args []string // the arguments, split on spaces
	Rest string   // everything after the keyword and one space (PASS takes it whole)
}

// maxKeyword bounds a keyword: RFC 1939 keywords have 3 or 4 characters,
// RFC 2449 extensions keep to that; longer words are unknown commands.
const maxKeyword = 16

// ParseCommand reads a command line (without its CRLF). It fails with
// ErrSyntax on an empty line, a control character or a keyword that is
// not a word.
func ParseCommand(line string) (Command, error) {
	if line == "" {
		return Command{}, ErrSyntax
	}
	for i := 0; i < len(line); i++ {
		if c := line[i]; c < ' ' || c == 0x7f {
			return Command{}, ErrSyntax
		}
	}
	name, rest, _ := strings.Cut(line, " ")
	if name == "" || len(name) > maxKeyword || !isKeyword(name) {
		return Command{}, ErrSyntax
	}
	return Command{Name: strings.ToUpper(name), Args: strings.Fields(rest), Rest: rest}, nil
}

func isKeyword(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if (c < 'a' || c > 'z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// parseNumber reads a message number or a line count: decimal digits
// only (no sign, no spaces), at most 9 of them.
func parseNumber(s string) (int, error) {
	if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return 0, ErrSyntax
	}
	return strconv.Atoi(s)
}

// decodePlain reads a SASL PLAIN response (RFC 4616): base64 of
// "authzid NUL authcid NUL passwd". RFC 5034 §4 sends an empty initial
// response as "=".
func decodePlain(b64 string) (authzid, authcid, passwd string, err error) {
	if b64 == "=" {
		b64 = ""
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", "", "", ErrSyntax
	}
	parts := bytes.Split(raw, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return "", "", "", ErrSyntax
	}
	return string(parts[0]), string(parts[1]), string(parts[2]), nil
}

// errTooLong is returned by lineLimiter when a line exceeds the limit.
var errTooLong = errors.New("pop3d: line too long")

// lineLimiter fails a read that would put more than max octets on one
// line, so that a client cannot make the server buffer without end. It
// sits under the bufio.Reader of the textproto.Reader, which may still
// hand out the start of the long line as a line: the session checks
// exceeded after each line.
type lineLimiter struct {
	r        io.Reader
	max      int
	n        int // octets since the last LF
	exceeded bool
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.exceeded {
		return 0, errTooLong
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.n = 0
			continue
		}
		if l.n++; l.n > l.max {
			l.exceeded = true
			return i, errTooLong
		}
	}
	return n, err
}

// crlfCopier writes a message with every line ended by CRLF, whatever the
// file uses (a lone LF becomes CRLF, a last line without end gets one), and
// counts what it wrote: the octets of RFC 1939's sizes, before the
// byte-stuffing of the multi-line response. With lines >= 0 it stops after
// the header, the blank line and that many lines of the body (TOP).
type crlfCopier struct {
	w       io.Writer
	lines   int   // body lines to copy; -1 for all
	n       int64 // octets written
	header  bool  // still in the header
	body    int   // body lines written
	lineLen int   // octets of the current line so far
	cr      bool  // a CR ended the last chunk; LF may follow
	done    bool
	err     error
}

var crlf = []byte("\r\n")

func newCRLFCopier(w io.Writer, lines int) *crlfCopier {
	return &crlfCopier{w: w, lines: lines, header: true}
}

// copyCRLF copies r to w in CRLF form and returns the octets written.
func copyCRLF(w io.Writer, r io.Reader, lines int) (int64, error) {
	c := newCRLFCopier(w, lines)
	buf := make([]byte, 32<<10)
	for !c.done && c.err == nil {
		n, err := r.Read(buf)
		c.write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return c.n, err
		}
	}
	c.finish()
	return c.n, c.err
}

func (c *crlfCopier) emit(p []byte) {
	if c.err != nil || len(p) == 0 {
		return
	}
	var n int
	n, c.err = c.w.Write(p)
	c.n += int64(n)
}

func (c *crlfCopier) write(p []byte) {
	for len(p) > 0 && !c.done && c.err == nil {
		if c.cr {
			c.cr = false
			if p[0] != '\n' {
				c.emit([]byte{'\r'})
				c.lineLen++
			}
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if p[len(p)-1] == '\r' {
				c.cr, p = true, p[:len(p)-1]
			}
			c.emit(p)
			c.lineLen += len(p)
			return
		}
		line := bytes.TrimSuffix(p[:i], []byte{'\r'})
		c.emit(line)
		c.lineLen += len(line)
		p = p[i+1:]
		c.endLine()
	}
}

// endLine writes a CRLF and counts the line.
func (c *crlfCopier) endLine() {
	c.emit(crlf)
	switch {
	case c.header && c.lineLen == 0:
		c.header = false
	case !c.header:
		c.body++
	}
	c.lineLen = 0
	if !c.header && c.lines >= 0 && c.body >= c.lines {
		c.done = true
	}
}

// finish ends a last line that had no line end.
func (c *crlfCopier) finish() {
	if c.done {
		return
	}
	if c.cr {
		c.cr = false
		c.emit([]byte{'\r'})
		c.lineLen++
	}
	if c.lineLen > 0 {
		c.endLine()
	}
}

// maskedLine is a command line for the log, with credentials hidden.
func maskedLine(cmd Command) string {
	switch {
	case cmd.Name == "PASS":
		return "PASS ***"
	case cmd.Name == "AUTH" && len(cmd.Args) > 1:
		return "AUTH " + cmd.Args[0] + " ***"
	}
	return strings.TrimSpace(cmd.Name + " " + cmd.Rest)
}
