package pop3d

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"facteur/mailstore"
)

// step is one line sent (none when empty) and the lines expected back,
// as path.Match patterns.
type step struct {
	send string
	want []string
}

func s(send string, want ...string) step { return step{send, want} }

func plain(authzid, user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(authzid + "\x00" + user + "\x00" + pass))
}

var (
	msg1 = "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: un\r\nDate: Mon, 2 Jan 2006 10:00:00 +0000\r\n\r\nBonjour\r\n"
	msg2 = "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: deux\r\nDate: Tue, 3 Jan 2006 10:00:00 +0000\r\n\r\nSalut\r\n"
)

var loginSteps = []step{s("USER marc", "+OK*"), s("PASS secret", "+OK marc's maildrop has 2 messages")}

func loggedIn(steps ...step) []step { return append(slices.Clone(loginSteps), steps...) }

func TestDialogues(t *testing.T) {
	size1, size2 := fmt.Sprint(len(msg1)), fmt.Sprint(len(msg2))
	tests := []struct {
		name  string
		steps []step
	}{
		{"capa before login", []step{s("CAPA", "+OK*", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER", "SASL PLAIN", "IMPLEMENTATION Facteur", ".")}},
		{"quit in authorization", []step{s("QUIT", "+OK*signing off")}},
		{"lower-case keywords", []step{s("user marc", "+OK*"), s("pass secret", "+OK*")}},
		{"wrong password", []step{s("USER marc", "+OK*"), s("PASS nope", "-ERR [AUTH] authentication failed"), s("STAT", "-ERR command not valid in this state")}},
		{"unknown user", []step{s("USER nobody", "+OK*"), s("PASS secret", "-ERR [AUTH] *")}},
		{"PASS without USER", []step{s("PASS secret", "-ERR USER first")}},
		{"unknown command", []step{s("FROB", "-ERR unknown command")}},
		{"empty line", []step{s("", "-ERR syntax error")}},
		{"transaction command before login", []step{s("RETR 1", "-ERR command not valid in this state")}},
		{"STLS not configured", []step{s("STLS", "-ERR STLS not available")}},
		{"stat list uidl", loggedIn(
			s("STAT", "+OK 2 "+fmt.Sprint(len(msg1)+len(msg2))),
			s("LIST", "+OK*", "1 "+size1, "2 "+size2, "."),
			s("LIST 2", "+OK 2 "+size2),
			s("UIDL", "+OK*", "1 *", "2 *", "."),
			s("UIDL 1", "+OK 1 *"),
			s("NOOP", "+OK"),
			s("CAPA", "+OK*", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "IMPLEMENTATION Facteur", "."),
			s("QUIT", "+OK*(2 messages left)"))},
		{"bad message numbers", loggedIn(
			s("RETR 3", "-ERR no such message"),
			s("RETR 0", "-ERR no such message"),
			s("RETR -1", "-ERR syntax error"),
			s("RETR x", "-ERR syntax error"),
			s("LIST 1 2", "-ERR syntax error"),
			s("TOP 1", "-ERR syntax error"),
			s("DELE", "-ERR syntax error"))},
		{"dele and rset", loggedIn(
			s("DELE 1", "+OK message 1 deleted"),
			s("DELE 1", "-ERR message already deleted"),
			s("RETR 1", "-ERR message already deleted"),
			s("STAT", "+OK 1 "+size2),
			s("LIST", "+OK*", "2 "+size2, "."),
			s("RSET", "+OK*"),
			s("STAT", "+OK 2 *"),
			s("QUIT", "+OK*(2 messages left)"))},
		{"authorization commands after login", loggedIn(s("USER marc", "-ERR command not valid in this state"))},
		{"auth plain initial response", []step{s("AUTH PLAIN "+plain("", "marc", "secret"), "+OK marc's maildrop has 2 messages")}},
		{"auth plain continuation", []step{s("AUTH PLAIN", "+ "), s(plain("marc", "marc", "secret"), "+OK*")}},
		{"auth plain cancelled", []step{s("AUTH PLAIN", "+ "), s("*", "-ERR authentication cancelled")}},
		{"auth plain bad base64", []step{s("AUTH PLAIN !!!", "-ERR syntax error")}},
		{"auth plain empty response", []step{s("AUTH PLAIN =", "-ERR syntax error")}},
		{"auth plain wrong password", []step{s("AUTH PLAIN "+plain("", "marc", "nope"), "-ERR [AUTH] authentication failed")}},
		{"auth plain other authzid", []step{s("AUTH PLAIN "+plain("fred", "marc", "secret"), "-ERR [AUTH] authentication failed")}},
		{"auth login unsupported", []step{s("AUTH LOGIN", "-ERR unsupported SASL mechanism")}},
		{"auth lists mechanisms", []step{s("AUTH", "+OK*", "PLAIN", ".")}},
		{"password with spaces", []step{s("USER fred", "+OK*"), s("PASS mot de passe", "+OK fred's maildrop has 2 messages")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, nil)
			ts.add(t, msg1)
			ts.add(t, msg2)
			c := greeted(t, ts.addr)
			for _, st := range tt.steps {
				c.Writeln(st.send)
				for _, w := range st.want {
					c.Expect(w)
				}
			}
		})
	}
}

func TestPipelining(t *testing.T) {
	ts := startServer(t, nil)
	ts.add(t, msg1)
	c := greeted(t, ts.addr)
	c.Write("USER marc\r\nPASS secret\r\nSTAT\r\nLIST\r\nRETR 1\r\nQUIT\r\n")
	c.Expect("+OK*")
	c.Expect("+OK marc's maildrop has 1 message")
	c.Expect(fmt.Sprintf("+OK 1 %d", len(msg1)))
	c.Expect("+OK*")
	c.Expect(fmt.Sprintf("1 %d", len(msg1)))
	c.Expect(".")
	c.Expect(fmt.Sprintf("+OK %d octets", len(msg1)))
	if got := c.ReadMulti(); got != msg1 {
		t.Fatalf("RETR = %q", got)
	}
	c.Expect("+OK*")
	c.ExpectClosed()
}

// TestRetrByteExact checks CRLF on the wire whatever the file's line
// ends, byte-stuffing of lines starting with '.', and sizes as sent.
func TestRetrByteExact(t *testing.T) {
	tests := []struct {
		name, file, crlf string
	}{
		{"crlf", "Subject: a\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n", ""},
		{"lf", "Subject: a\n\n.leading dot\nplain\n", "Subject: a\r\n\r\n.leading dot\r\nplain\r\n"},
		{"no final newline", "Subject: a\r\n\r\nlast line", "Subject: a\r\n\r\nlast line\r\n"},
		{"lone dot last", "Subject: a\n\n.", "Subject: a\r\n\r\n.\r\n"},
		{"bare cr kept", "Subject: a\r\n\r\nx\ry\r\n", ""},
		{"mixed", "Subject: a\r\nX: b\n\nl1\r\nl2\n", "Subject: a\r\nX: b\r\n\r\nl1\r\nl2\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.crlf
			if want == "" {
				want = tt.file
			}
			ts := startServer(t, nil)
			ts.add(t, tt.file)
			c := login(t, ts.addr)
			c.Writeln("LIST 1")
			c.Expect(fmt.Sprintf("+OK 1 %d", len(want)))
			c.Writeln("RETR 1")
			c.Expect(fmt.Sprintf("+OK %d octets", len(want)))
			got := c.ReadMulti()
			if stuffed := stuff(want); got != stuffed {
				t.Fatalf("RETR sent %q, want %q", got, stuffed)
			}
		})
	}
}

// stuff byte-stuffs CRLF text as RFC 1939 §3 says.
func stuff(s string) string {
	lines := strings.SplitAfter(s, "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") {
			lines[i] = "." + l
		}
	}
	return strings.Join(lines, "")
}

func TestTop(t *testing.T) {
	file := "Subject: top\nX-A: 1\n\nline 1\n.line 2\nline 3\n"
	tests := []struct {
		n    string
		want string
	}{
		{"0", "Subject: top\r\nX-A: 1\r\n\r\n"},
		{"2", "Subject: top\r\nX-A: 1\r\n\r\nline 1\r\n..line 2\r\n"},
		{"10", "Subject: top\r\nX-A: 1\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n"},
	}
	ts := startServer(t, nil)
	ts.add(t, file)
	c := login(t, ts.addr)
	for _, tt := range tests {
		c.Writeln("TOP 1 " + tt.n)
		c.Expect("+OK*")
		if got := c.ReadMulti(); got != tt.want {
			t.Errorf("TOP 1 %s = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestDeleQuitRemovesForGood(t *testing.T) {
	ts := startServer(t, nil)
	first := ts.add(t, msg1)
	second := ts.add(t, msg2)
	c := login(t, ts.addr)
	c.Writeln("DELE 1")
	c.Expect("+OK*")
	c.Writeln("QUIT")
	c.Expect("+OK*(1 message left)")
	c.ExpectClosed()
	if got := ts.inbox(t); !slices.Equal(got, []int64{second.ID}) {
		t.Fatalf("inbox after DELE+QUIT = %v, want [%d]", got, second.ID)
	}
	if _, err := ts.store.Get(context.Background(), first.ID); err == nil {
		t.Fatal("deleted message still in the store")
	}
	if trash := folderIDs(t, ts.store, mailstore.FolderRef{Account: "Local", Name: "Trash"}); len(trash) != 0 {
		t.Fatalf("deleted message landed in Trash: %v", trash)
	}
	// the next session sees the other message, same UIDL
	c = login(t, ts.addr)
	c.Writeln("UIDL 1")
	c.Expect("+OK 1 " + second.Key)
}

func TestDeleKeptWithoutQuit(t *testing.T) {
	tests := []struct {
		name string
		end  func(c *conn)
	}{
		{"rset then quit", func(c *conn) {
			c.Writeln("RSET")
			c.Expect("+OK*")
			c.Writeln("QUIT")
			c.Expect("+OK*(2 messages left)")
		}},
		{"dropped connection", func(c *conn) { c.C.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, nil)
			ts.add(t, msg1)
			ts.add(t, msg2)
			c := login(t, ts.addr)
			c.Writeln("DELE 1")
			c.Expect("+OK*")
			c.Writeln("DELE 2")
			c.Expect("+OK*")
			tt.end(c)
			// the lock is released once the session has ended
			waitFor(t, "maildrop released", func() bool {
				if !ts.srv.lock(ts.srvRef()) {
					return false
				}
				ts.srv.unlock(ts.srvRef())
				return true
			})
			if got := ts.inbox(t); len(got) != 2 {
				t.Fatalf("inbox = %v, want both messages", got)
			}
		})
	}
}

func (ts *testServer) srvRef() mailstore.FolderRef {
	ref, _ := ts.srv.maildropOf("marc")
	return ref
}

func TestInUse(t *testing.T) {
	ts := startServer(t, nil)
	ts.add(t, msg1)
	first := login(t, ts.addr)
	second := greeted(t, ts.addr)
	second.Writeln("USER marc")
	second.Expect("+OK*")
	second.Writeln("PASS secret")
	second.Expect("-ERR [IN-USE] *")
	first.Writeln("QUIT")
	first.Expect("+OK*")
	second.Writeln("AUTH PLAIN " + plain("", "marc", "secret"))
	second.Expect("+OK marc's maildrop has 1 message")
}

func TestSTLSThenAuth(t *testing.T) {
	cfg, roots := testTLS(t)
	ts := startServer(t, func(c *Config) {
		c.TLS = cfg
		c.PlaintextNets = []netip.Prefix{} // as if the client were remote
	})
	ts.add(t, msg1)
	c := greeted(t, ts.addr)
	c.Writeln("CAPA")
	c.Expect("+OK*")
	if caps := c.ReadMulti(); strings.Contains(caps, "USER") || strings.Contains(caps, "SASL") || !strings.Contains(caps, "STLS\r\n") {
		t.Fatalf("CAPA in clear from afar: %q", caps)
	}
	c.Writeln("USER marc")
	c.Expect("-ERR [AUTH] plaintext authentication disallowed*")
	c.Writeln("AUTH PLAIN " + plain("", "marc", "secret"))
	c.Expect("-ERR [AUTH] plaintext*")
	c.Writeln("STLS")
	c.Expect("+OK Begin TLS negotiation")
	c.StartTLS(roots)
	c.Writeln("CAPA")
	c.Expect("+OK*")
	if caps := c.ReadMulti(); !strings.Contains(caps, "USER\r\n") || !strings.Contains(caps, "SASL PLAIN\r\n") || strings.Contains(caps, "STLS") {
		t.Fatalf("CAPA under TLS: %q", caps)
	}
	c.Writeln("STLS")
	c.Expect("-ERR*")
	c.Writeln("AUTH PLAIN")
	c.Expect("+ ")
	c.Writeln(plain("", "marc", "secret"))
	c.Expect("+OK marc's maildrop has 1 message")
	c.Writeln("RETR 1")
	c.Expect("+OK*")
	if got := c.ReadMulti(); got != msg1 {
		t.Fatalf("RETR under TLS = %q", got)
	}
}

// TestSTLSDiscardsPipelinedClearText: commands sent in clear after STLS
// are never run under TLS (RFC 2595 §4, CVE-2011-0411).
func TestSTLSDiscardsPipelinedClearText(t *testing.T) {
	cfg, roots := testTLS(t)
	ts := startServer(t, func(c *Config) { c.TLS = cfg })
	c := greeted(t, ts.addr)
	c.Write("STLS\r\nUSER marc\r\n")
	c.Expect("+OK Begin TLS negotiation")
	c.StartTLS(roots)
	c.Writeln("PASS secret")
	c.Expect("-ERR USER first")
}

func TestTooManyFailures(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxAuthFailures = 2 })
	c := greeted(t, ts.addr)
	c.Writeln("AUTH PLAIN " + plain("", "marc", "a"))
	c.Expect("-ERR [AUTH] authentication failed")
	c.Writeln("AUTH PLAIN " + plain("", "marc", "b"))
	c.Expect("-ERR [AUTH] too many*")
	c.ExpectClosed()
}

// TestClientFailuresAddUp: the failures of one client add up across its
// sessions (package clientlimit, shared with the SMTP server): after 10,
// even the right password is refused.
func TestClientFailuresAddUp(t *testing.T) {
	ts := startServer(t, nil)
	for i := range 4 {
		c := greeted(t, ts.addr)
		for j := range 3 {
			c.Writeln("AUTH PLAIN " + plain("", "marc", "wrong"))
			if j == 2 || (i == 3 && j == 0) {
				c.Expect("-ERR [AUTH] too many*")
				break
			}
			c.Expect("-ERR [AUTH] authentication failed")
		}
		c.ExpectClosed()
	}
	c := greeted(t, ts.addr)
	c.Writeln("USER marc")
	c.Expect("+OK*")
	c.Writeln("PASS secret")
	c.Expect("-ERR [AUTH] too many*")
	c.ExpectClosed()
}

func TestLineTooLong(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxLineLength = 64 })
	c := greeted(t, ts.addr)
	c.Writeln("NOOP " + strings.Repeat("x", 100))
	c.Expect("-ERR line too long")
	c.ExpectClosed()
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
	ts.add(t, msg1)
	c := login(t, ts.addr)
	c.Writeln("DELE 1")
	c.Expect("+OK*")
	c.Expect("-ERR autologout*")
	c.ExpectClosed()
	waitFor(t, "maildrop released", func() bool {
		if !ts.srv.lock(ts.srvRef()) {
			return false
		}
		ts.srv.unlock(ts.srvRef())
		return true
	})
	if len(ts.inbox(t)) != 1 {
		t.Fatal("a timed-out session deleted mail")
	}
}

func TestShutdownEndsSessions(t *testing.T) {
	ts := startServer(t, nil)
	ts.add(t, msg1)
	c := login(t, ts.addr)
	c.Writeln("DELE 1")
	c.Expect("+OK*")
	ts.stop()
	c.ExpectClosed()
	select {
	case err := <-ts.done:
		if err != nil {
			t.Fatal(err)
		}
		ts.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if len(ts.inbox(t)) != 1 {
		t.Fatal("a session cut by shutdown deleted mail")
	}
}

func TestPanicEndsOnlyItsSession(t *testing.T) {
	ts := startServer(t, func(c *Config) {
		c.Authenticate = func(user, pass string) error {
			if user == "boom" {
				panic("boom")
			}
			return c.Users.Check(user, pass)
		}
	})
	c := greeted(t, ts.addr)
	c.Writeln("USER boom")
	c.Expect("+OK*")
	c.Writeln("PASS x")
	c.ExpectClosed()
	login(t, ts.addr) // the server still serves
}

func TestMaildropMissingFolder(t *testing.T) {
	ts := startServer(t, nil)
	c := greeted(t, ts.addr)
	c.Writeln("USER marc")
	c.Expect("+OK*")
	c.Writeln("PASS secret")
	c.Expect("+OK marc's maildrop has 0 messages")
	c.Writeln("STAT")
	c.Expect("+OK 0 0")
	c.Writeln("LIST")
	c.Expect("+OK*")
	c.Expect(".")
}

func TestUniqueID(t *testing.T) {
	tests := []struct {
		key  string
		same bool
	}{
		{"1700000000.M1P2Q3R4.host,S=12", true},
		{strings.Repeat("k", 70), true},
		{strings.Repeat("k", 71), false},
		{"with space", false},
		{"é", false},
	}
	for _, tt := range tests {
		got := uniqueID(tt.key)
		if (got == tt.key) != tt.same || len(got) > 70 || got != uniqueID(tt.key) {
			t.Errorf("uniqueID(%q) = %q", tt.key, got)
		}
	}
}

// TestMaildropChangedDuringSession: the user purges one message and moves
// another in the app while a POP3 session holds the maildrop; RETR says
// so and UPDATE leaves the moved message alone.
func TestMaildropChangedDuringSession(t *testing.T) {
	ts := startServer(t, nil)
	gone := ts.add(t, msg1)
	moved := ts.add(t, msg2)
	c := login(t, ts.addr)
	ctx := context.Background()
	for range 2 { // to Trash, then for good
		if err := ts.store.Delete(ctx, []int64{gone.ID}); err != nil {
			t.Fatal(err)
		}
	}
	archive := mailstore.FolderRef{Account: "Local", Name: "Archive"}
	if err := ts.store.CreateFolder(ctx, archive, mailstore.RoleArchive); err != nil {
		t.Fatal(err)
	}
	if err := ts.store.Move(ctx, []int64{moved.ID}, archive); err != nil {
		t.Fatal(err)
	}
	c.Writeln("RETR 1")
	c.Expect("-ERR [SYS/TEMP] message no longer in the maildrop")
	c.Writeln("DELE 2")
	c.Expect("+OK*")
	c.Writeln("QUIT")
	c.Expect("+OK*")
	if got := folderIDs(t, ts.store, archive); !slices.Equal(got, []int64{moved.ID}) {
		t.Fatalf("Archive = %v: POP3 deleted a message the user had moved", got)
	}
}
