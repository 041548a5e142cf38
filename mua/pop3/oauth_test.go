package pop3

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"

	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"
)

// saslPOP3 is a small POP3 server on loopback whose AUTH runs the
// OAUTHBEARER and XOAUTH2 servers of oauthtest (RFC 5034), with one
// message in the maildrop once logged in.
type saslPOP3 struct {
	mechs string // the SASL line of CAPA, "" for none
	check oauthtest.Check
	srv   account.Server

	mu      sync.Mutex
	authIR  []bool // per AUTH: the initial response was on the command line
	authLen []int  // per AUTH: the command line's length, CRLF included
	used    []string
}

const saslMessage = "Subject: hello\r\n\r\nvia OAuth2\r\n"

func startSASLPOP3(t *testing.T, mechs string, check oauthtest.Check) *saslPOP3 {
	t.Helper()
	p := &saslPOP3{mechs: mechs, check: check}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); defer c.Close(); p.serve(c) }()
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	p.srv = account.Server{Host: "127.0.0.1", Port: addr.Port, Security: account.SecurityNone}
	return p
}

func (p *saslPOP3) serve(c net.Conn) {
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "+OK ready\r\n")
	authed := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			fmt.Fprintf(c, "-ERR empty\r\n")
			continue
		}
		switch cmd := strings.ToUpper(f[0]); {
		case cmd == "CAPA":
			fmt.Fprintf(c, "+OK\r\nUIDL\r\n%s.\r\n", orEmpty("SASL "+p.mechs+"\r\n", p.mechs))
		case cmd == "AUTH" && len(f) > 1:
			authed = p.auth(c, r, f[1:], len(line))
		case cmd == "QUIT":
			fmt.Fprintf(c, "+OK bye\r\n")
			return
		case !authed:
			fmt.Fprintf(c, "-ERR log in first\r\n")
		default:
			p.transaction(c, cmd)
		}
	}
}

func orEmpty(s, cond string) string {
	if cond == "" {
		return ""
	}
	return s
}

func (p *saslPOP3) transaction(c net.Conn, cmd string) {
	switch cmd {
	case "STAT":
		fmt.Fprintf(c, "+OK 1 %d\r\n", len(saslMessage))
	case "UIDL":
		fmt.Fprintf(c, "+OK\r\n1 msg-1\r\n.\r\n")
	case "LIST":
		fmt.Fprintf(c, "+OK\r\n1 %d\r\n.\r\n", len(saslMessage))
	case "RETR":
		fmt.Fprintf(c, "+OK\r\n%s.\r\n", saslMessage)
	default:
		fmt.Fprintf(c, "-ERR unknown command\r\n")
	}
}

// auth runs one AUTH exchange; it reports success.
func (p *saslPOP3) auth(c net.Conn, r *bufio.Reader, args []string, lineLen int) bool {
	mech := strings.ToUpper(args[0])
	var onAuth = func(string) { p.mu.Lock(); p.used = append(p.used, mech); p.mu.Unlock() }
	srv := oauthtest.NewServerMechanism(mech, p.check, onAuth)
	if srv == nil || !strings.Contains(p.mechs, mech) {
		fmt.Fprintf(c, "-ERR [AUTH] unsupported mechanism\r\n")
		return false
	}
	p.mu.Lock()
	p.authIR, p.authLen = append(p.authIR, len(args) > 1), append(p.authLen, lineLen)
	p.mu.Unlock()
	var resp []byte
	if len(args) > 1 {
		resp = decodeResp(args[1])
	}
	return p.exchange(c, r, srv, resp)
}

func (p *saslPOP3) exchange(c net.Conn, r *bufio.Reader, srv sasl.Server, resp []byte) bool {
	for {
		ch, done, err := srv.Next(resp)
		switch {
		case err != nil:
			fmt.Fprintf(c, "-ERR [AUTH] %v\r\n", err)
			return false
		case done:
			fmt.Fprintf(c, "+OK logged in\r\n")
			return true
		}
		fmt.Fprintf(c, "+ %s\r\n", base64.StdEncoding.EncodeToString(ch))
		line, err := r.ReadString('\n')
		if line = strings.TrimRight(line, "\r\n"); err != nil || line == "*" {
			fmt.Fprintf(c, "-ERR cancelled\r\n")
			return false
		}
		resp = decodeResp(line)
	}
}

func decodeResp(s string) []byte {
	if s == "=" {
		return []byte{}
	}
	b, _ := base64.StdEncoding.DecodeString(s)
	if b == nil {
		b = []byte{}
	}
	return b
}

func (p *saslPOP3) seen() (ir []bool, lens []int, used []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bool(nil), p.authIR...), append([]int(nil), p.authLen...), append([]string(nil), p.used...)
}

var longToken = strings.Repeat("t", 300)

func fixedCheck(user, token string) error {
	if user == "marc@machin.test" && (token == "short-token" || token == longToken) {
		return nil
	}
	return errors.New("unknown token")
}

func TestAuthOAuth2(t *testing.T) {
	tests := []struct {
		name, mechs, token, want string
		ir                       bool
	}{
		{"oauthbearer with IR", "PLAIN XOAUTH2 OAUTHBEARER", "short-token", "OAUTHBEARER", true},
		{"xoauth2 with IR", "PLAIN XOAUTH2", "short-token", "XOAUTH2", true},
		{"long token after an empty challenge", "XOAUTH2", longToken, "XOAUTH2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startSASLPOP3(t, tt.mechs, fixedCheck)
			ctx := context.Background()
			var tr strings.Builder
			c, err := Dial(ctx, p.srv, Options{Transcript: &tr})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.AuthOAuth2(ctx, oauth.SASLOptions{User: "marc@machin.test", Token: tt.token, Host: "127.0.0.1", Port: p.srv.Port}); err != nil {
				t.Fatal(err)
			}
			if n, _, err := c.Stat(ctx); n != 1 || err != nil {
				t.Fatalf("STAT after AUTH: %d, %v", n, err)
			}
			ir, lens, used := p.seen()
			if len(used) != 1 || used[0] != tt.want || ir[0] != tt.ir || lens[0] > maxAuthLine {
				t.Fatalf("used %q, IR on the line %v, line %d octets", used, ir, lens)
			}
			if strings.Contains(tr.String(), tt.token) || !strings.Contains(tr.String(), "C: AUTH "+tt.want) {
				t.Errorf("transcript:\n%s", tr.String())
			}
		})
	}
}

func TestAuthOAuth2Rejected(t *testing.T) {
	for _, mech := range []string{"OAUTHBEARER", "XOAUTH2"} {
		t.Run(mech, func(t *testing.T) {
			p := startSASLPOP3(t, mech, fixedCheck)
			ctx := context.Background()
			c, err := Dial(ctx, p.srv, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.AuthOAuth2(ctx, oauth.SASLOptions{User: "marc@machin.test", Token: "stale"})
			var re *oauth.RejectedError
			if !errors.As(err, &re) || re.Status != "invalid_token" || re.Mechanism != mech || !errors.Is(err, ErrAuth) {
				t.Fatalf("AuthOAuth2 = %v, want a *RejectedError matching ErrAuth", err)
			}
			if err := c.Quit(ctx); err != nil { // the dialogue is still in step
				t.Fatalf("QUIT after the refusal: %v", err)
			}
		})
	}
}

func TestAuthOAuth2NoMechanism(t *testing.T) {
	for _, mechs := range []string{"PLAIN", ""} {
		p := startSASLPOP3(t, mechs, fixedCheck)
		c, err := Dial(context.Background(), p.srv, Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = c.AuthOAuth2(context.Background(), oauth.SASLOptions{User: "marc@machin.test", Token: "short-token"})
		c.Close()
		if !errors.Is(err, oauth.ErrNoMechanism) {
			t.Fatalf("SASL %q: %v, want ErrNoMechanism", mechs, err)
		}
	}
}

// TestCollectOAuth2: the account is authorized against a real OAuth2
// server, its token (refreshed when expired) logs Collect in.
func TestCollectOAuth2(t *testing.T) {
	authSrv := oauthtest.NewServer(t, "facteur-test", "")
	p := startSASLPOP3(t, "XOAUTH2 OAUTHBEARER", authSrv.Check)
	a := account.Account{
		Name: "machin", Identity: account.Identity{Address: "marc@machin.test"}, Protocol: account.POP3,
		Incoming: p.srv, Auth: account.AuthOAuth2,
		OAuth2: authSrv.OAuth2(),
	}
	authSrv.SetExpiresIn(30) // expired for Facteur at once: refreshed before the login
	tk := &oauth.Tokens{Secrets: account.OpenCredentials(t.TempDir(), account.BackendFile)}
	oauthtest.Authorize(t, tk, a, "")
	ctx := context.Background()
	secret, err := tk.LoginSecret(ctx, a)
	if err != nil || authSrv.Refreshes() != 1 {
		t.Fatalf("LoginSecret: %v, %d refreshes", err, authSrv.Refreshes())
	}
	st, err := Collect(ctx, a, secret, CollectOptions{Store: storetest.Open(t), StateDir: t.TempDir()})
	if err != nil || st.New != 1 {
		t.Fatalf("Collect = %+v, %v", st, err)
	}
	if _, _, used := p.seen(); len(used) != 1 || used[0] != "OAUTHBEARER" {
		t.Fatalf("mechanisms %q", used)
	}
}
