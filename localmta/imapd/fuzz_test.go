package imapd

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// FuzzSearchFetch sends arbitrary SEARCH criteria and FETCH items to a
// session over a mailbox of a few messages (plain, multipart, broken):
// every command gets its tagged answer, and the session still answers
// NOOP after it. Inputs are kept to one line without literals, and
// quoted strings are closed: imapserver reads an open one on and on.
func FuzzSearchFetch(f *testing.F) {
	for _, seed := range []string{
		`TEXT "budget"`, `OR FROM fred SUBJECT "réunion"`, `NOT SEEN`, `UID 1:*`, `1,2:* LARGER 10`,
		`SINCE 1-Mar-2026 BEFORE 4-Mar-2026`, `HEADER Message-ID "@"`, `KEYWORD $Important`, `$`,
		`BODY[]<0.10>`, `(ENVELOPE BODYSTRUCTURE)`, `BINARY[1]`, `BODY.PEEK[1.MIME]`, `BODY[2.HEADER]`,
		`(FLAGS RFC822.SIZE INTERNALDATE)`, `BODY.PEEK[HEADER.FIELDS.NOT (Subject)]`, `BINARY.SIZE[2]`,
	} {
		f.Add(seed)
	}
	ts := startServer(f)
	ts.deliver(f, inboxRef, testMessage("Budget", "Le budget"))
	ts.deliver(f, inboxRef, multipart)
	ts.deliver(f, inboxRef, "Subject: broken\n\n--no boundary\n\xff\xfe")
	f.Fuzz(func(t *testing.T, input string) {
		input = oneLine(input)
		c := dialRaw(t, ts.addr)
		defer c.close()
		c.command(t, "l LOGIN marc secret")
		c.command(t, "s SELECT INBOX")
		c.command(t, "a SEARCH "+input)
		c.command(t, "b UID SEARCH RETURN (MIN MAX COUNT) "+input)
		c.command(t, "c FETCH 1:* "+input)
		c.command(t, "d UID FETCH 1:* "+input)
		if got := c.command(t, "n NOOP"); !strings.HasPrefix(got, "n OK") {
			t.Fatalf("session broken after %q: %s", input, got)
		}
	})
}

// FuzzID sends arbitrary arguments to ID (RFC 2971) before login: every
// command gets its tagged answer, and the session still answers NOOP
// after it. Inputs are cleaned as in FuzzSearchFetch.
func FuzzID(f *testing.F) {
	for _, seed := range []string{
		`NIL`, `("name" "mutt" "version" "2.2")`, `("name" NIL)`, `("NAME" "a" "name" "b")`, `()`,
		`("` + strings.Repeat("k", 31) + `" "v")`, idPairs(31), `("name" "x") NIL`, `(("name" "x"))`,
	} {
		f.Add(seed)
	}
	ts := startServer(f)
	f.Fuzz(func(t *testing.T, input string) {
		c := dialRaw(t, ts.addr)
		defer c.close()
		c.command(t, "i ID "+oneLine(input))
		if got := c.command(t, "n NOOP"); !strings.HasPrefix(got, "n OK") {
			t.Fatalf("session broken after %q: %s", input, got)
		}
	})
}

// oneLine makes input one line without literals, its quoted strings
// closed: imapserver reads an open one on and on.
func oneLine(input string) string {
	input = strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '{', 0:
			return ' '
		case '\\':
			return -1
		}
		return r
	}, input)
	if strings.Count(input, `"`)%2 == 1 {
		input += `"`
	}
	return input
}

// rawConn is an IMAP connection driven line by line.
type rawConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &rawConn{conn: conn, r: bufio.NewReader(conn)}
	c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *rawConn) close() { c.conn.Close() }

// command sends one line and reads until its tagged answer, which it
// returns.
func (c *rawConn) command(t *testing.T, line string) string {
	_, tagged := c.commandLines(t, line)
	return tagged
}

// commandLines sends one line and returns the untagged lines of the answer
// and the tagged one; literals in answers are skipped over.
func (c *rawConn) commandLines(t *testing.T, line string) (untagged []string, tagged string) {
	tag := line[:strings.IndexByte(line, ' ')]
	if _, err := fmt.Fprintf(c.conn, "%s\r\n", line); err != nil {
		t.Fatal(err)
	}
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatalf("no answer to %q: %v", line, err)
		}
		if n, ok := literalSize(l); ok {
			if _, err := c.r.Discard(n); err != nil {
				t.Fatal(err)
			}
		} else if strings.HasPrefix(l, tag+" ") {
			return untagged, l
		}
		untagged = append(untagged, l)
	}
}

// literalSize reads the {n} at the end of a line.
func literalSize(l string) (int, bool) {
	l = strings.TrimRight(l, "\r\n")
	if !strings.HasSuffix(l, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(l, '{')
	var n int
	if i < 0 || func() bool { _, err := fmt.Sscanf(l[i:], "{%d}", &n); return err != nil }() {
		return 0, false
	}
	return n, true
}
