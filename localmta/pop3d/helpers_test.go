package pop3d

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"facteur/internal/linetest"
	"facteur/localmta/mda"
	"facteur/localmta/mtatls"
	"facteur/localmta/mtausers"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
)

// testServer is a POP3 server on 127.0.0.1:0 over a temporary store.
type testServer struct {
	addr  string
	store *mailstore.Store
	srv   *Server
	done  chan error
	stop  context.CancelFunc
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// startServer serves a new store (or cfg.Store) on loopback until the end
// of the test; mod adjusts the configuration.
func startServer(t *testing.T, mod func(*Config)) *testServer {
	t.Helper()
	cfg := Config{
		Users:            mtausers.Users{"marc": "{plain}secret", "fred": "{plain}mot de passe"},
		Hostname:         "pop.machin.com",
		AuthFailureDelay: -1,
		Logger:           testLogger(t),
	}
	if mod != nil {
		mod(&cfg)
	}
	if cfg.Store == nil {
		cfg.Store = storetest.Open(t)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{addr: ln.Addr().String(), store: cfg.Store, srv: srv, done: make(chan error, 1), stop: cancel}
	go func() { ts.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ts.done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

// add delivers a message into Local/INBOX, in order of arrival.
func (ts *testServer) add(t *testing.T, raw string) mailstore.Summary {
	t.Helper()
	sum, err := ts.store.Add(context.Background(), mda.LocalInbox, strings.NewReader(raw), mailstore.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// inbox lists the ids of Local/INBOX.
func (ts *testServer) inbox(t *testing.T) []int64 {
	t.Helper()
	return folderIDs(t, ts.store, mda.LocalInbox)
}

func folderIDs(t *testing.T, s *mailstore.Store, ref mailstore.FolderRef) []int64 {
	t.Helper()
	list, err := s.List(context.Background(), ref, mailstore.ListOptions{})
	if errors.Is(err, mailstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	return ids
}

// conn is a line-by-line POP3 dialogue, as maddy's tests do.
type conn struct{ *linetest.Conn }

func dial(t *testing.T, addr string) *conn { return &conn{linetest.Dial(t, addr)} }

// greeted dials and reads the greeting.
func greeted(t *testing.T, addr string) *conn {
	t.Helper()
	c := dial(t, addr)
	c.Expect("+OK pop.machin.com Facteur POP3 server ready")
	return c
}

// login dials, reads the greeting and logs in as marc with USER/PASS.
func login(t *testing.T, addr string) *conn {
	t.Helper()
	c := greeted(t, addr)
	c.Writeln("USER marc")
	c.Expect("+OK*")
	c.Writeln("PASS secret")
	c.Expect("+OK marc's maildrop has *")
	return c
}

// Expect reads one line and matches it with a pattern such as "+OK *",
// where only '*' is special (any text).
func (c *conn) Expect(pat string) string {
	c.T.Helper()
	line := c.Readln()
	if !match(pat, line) {
		c.T.Fatalf("got %q, want %q", line, pat)
	}
	return line
}

// match reports whether s matches pat, where '*' stands for any text.
func match(pat, s string) bool {
	parts := strings.Split(pat, "*")
	if len(parts) == 1 {
		return pat == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// ReadMulti reads the lines of a multi-line response up to ".", raw:
// still byte-stuffed, each with its CRLF.
func (c *conn) ReadMulti() string {
	c.T.Helper()
	var b strings.Builder
	for {
		line, err := c.BR.ReadString('\n')
		if err != nil {
			c.T.Fatalf("read: %v (after %q)", err, b.String())
		}
		if line == ".\r\n" {
			return b.String()
		}
		b.WriteString(line)
	}
}

// StartTLS upgrades the connection after "+OK" to STLS, trusting roots.
func (c *conn) StartTLS(roots *x509.CertPool) {
	c.T.Helper()
	c.Conn.StartTLS(&tls.Config{ServerName: "localhost", RootCAs: roots})
}

// testTLS returns the server side of STLS, with the MTA's self-signed
// certificate, and a pool that trusts it.
func testTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	cfg, err := mtatls.ServerConfig(t.TempDir(), "pop.machin.com")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return cfg, pool
}

// waitFor polls cond until it holds, for at most 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
