package pop3

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"facteur/mua/account"
)

// scripted serves one connection on loopback: for each client line it
// expects, it writes the canned reply.
func scripted(t *testing.T, greeting string, steps [][2]string) account.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		io.WriteString(c, greeting+"\r\n")
		for _, s := range steps {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if got := strings.TrimRight(line, "\r\n"); got != s[0] {
				t.Errorf("client sent %q, want %q", got, s[0])
				return
			}
			io.WriteString(c, s[1])
		}
		io.Copy(io.Discard, r)
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	return account.Server{Host: host, Port: p, Security: account.SecurityNone}
}

func TestUserPassAndCommands(t *testing.T) {
	srv := scripted(t, "+OK hello", [][2]string{
		{"CAPA", "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n"},
		{"USER marc", "+OK\r\n"},
		{"PASS a b", "+OK 2 messages\r\n"},
		{"STAT", "+OK 2 320\r\n"},
		{"LIST", "+OK\r\n1 120\r\n2 200\r\n.\r\n"},
		{"UIDL", "+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n"},
		{"TOP 1 0", "+OK\r\nSubject: x\r\n\r\n.\r\n"},
		{"RETR 2", "+OK\r\n..start\r\nline\r\n.\r\n"},
		{"DELE 2", "-ERR [SYS/TEMP] try later\r\n"},
		{"RETR 9", "-ERR [IN-USE] locked\r\n"},
		{"QUIT", "+OK bye\r\n"},
	})
	ctx := context.Background()
	var tr strings.Builder
	c, err := Dial(ctx, srv, Options{Transcript: &tr})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has("uidl") || c.Has("STLS") || c.IsTLS() {
		t.Errorf("caps %v", c.caps)
	}
	if err := c.Login(ctx, "marc", "a b"); err != nil {
		t.Fatal(err)
	}
	if n, size, err := c.Stat(ctx); n != 2 || size != 320 || err != nil {
		t.Errorf("Stat = %d %d %v", n, size, err)
	}
	if l, err := c.List(ctx); err != nil || len(l) != 2 || l[1] != (MessageSize{2, 200}) {
		t.Errorf("List = %v %v", l, err)
	}
	if u, err := c.UIDL(ctx); err != nil || len(u) != 2 || u[0] != (UniqueID{1, "aaa"}) {
		t.Errorf("UIDL = %v %v", u, err)
	}
	var top, body string
	c.Top(ctx, 1, 0, func(r io.Reader) error { b, _ := io.ReadAll(r); top = string(b); return nil })
	c.Retr(ctx, 2, func(r io.Reader) error { b, _ := io.ReadAll(r); body = string(b); return nil })
	if top != "Subject: x\n\n" || body != ".start\nline\n" {
		t.Errorf("TOP %q RETR %q", top, body)
	}
	err = c.Dele(ctx, 2)
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != "SYS/TEMP" || !errors.Is(err, ErrTemporary) || errors.Is(err, ErrAuth) {
		t.Errorf("DELE = %#v", err)
	}
	if err := c.Retr(ctx, 9, func(io.Reader) error { return nil }); !errors.Is(err, ErrInUse) {
		t.Errorf("RETR 9 = %v", err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Error(err)
	}
	if strings.Contains(tr.String(), "a b") || !strings.Contains(tr.String(), "C: PASS ****") {
		t.Errorf("transcript:\n%s", tr.String())
	}
}

func TestCancel(t *testing.T) {
	srv := scripted(t, "+OK hi", [][2]string{{"CAPA", "-ERR no\r\n"}, {"NOOP", ""}})
	ctx := context.Background()
	c, err := Dial(ctx, srv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := c.Noop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Noop on a silent server = %v", err)
	}
}

func TestParseReply(t *testing.T) {
	tests := []struct {
		line, text, code string
		ok, proto        bool
	}{
		{"+OK", "", "", true, false},
		{"+OK 2 320", "2 320", "", true, false},
		{"-ERR", "", "", false, false},
		{"-ERR [AUTH] bad", "bad", "AUTH", false, false},
		{"-ERR [SYS/PERM] gone", "gone", "SYS/PERM", false, false},
		{"-ERR [unterminated", "[unterminated", "", false, false},
		{"+OKAY", "", "", false, true},
		{"* hello", "", "", false, true},
	}
	for _, tt := range tests {
		text, err := parseReply("X", tt.line)
		var pe *Error
		var pr *ProtocolError
		switch {
		case tt.ok && (err != nil || text != tt.text):
			t.Errorf("%q: %q %v", tt.line, text, err)
		case tt.proto && !errors.As(err, &pr):
			t.Errorf("%q: %v, want ProtocolError", tt.line, err)
		case !tt.ok && !tt.proto && (!errors.As(err, &pe) || pe.Code != tt.code || pe.Text != tt.text):
			t.Errorf("%q: %#v", tt.line, err)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"+OK", "+OK 1 2", "-ERR [AUTH] no", "-ERR [", "-ERR ]x[", "1 abc", "SASL PLAIN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		text, err := parseReply("F", line)
		if err == nil && !strings.HasPrefix(line, "+OK") {
			t.Fatalf("%q accepted as %q", line, text)
		}
		parseCapa(strings.Split(line, "\n"))
		numArg(line)
		validUID(line)
	})
}
