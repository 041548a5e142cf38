package localmta

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"facteur/internal/dnsmx/dnstest"
	"facteur/internal/eol"
	"facteur/internal/linetest"
	"facteur/localmta/queue"
	"facteur/mailstore"

	"github.com/miekg/dns"
)

// zone is an in-process DNS server on loopback for the tests; records
// added without a TTL get 1 s, so that changes show at once.
type zone struct {
	*dnstest.Zone
	addr string
}

func newZone(t testing.TB, rrs ...string) *zone {
	t.Helper()
	z := &zone{Zone: dnstest.New(t)}
	for _, s := range rrs {
		z.add(t, s)
	}
	z.addr = z.Start(t)
	return z
}

func (z *zone) add(t testing.TB, s string) {
	t.Helper()
	rr, err := dns.NewRR("$TTL 1\n" + s)
	if err != nil {
		t.Fatal(err)
	}
	z.AddRR(rr)
}

// freePort returns a port free on every given loopback address.
func freePort(t *testing.T, ips ...string) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", ips[0]+":0")
		if err != nil {
			t.Skipf("loopback address %s not usable: %v", ips[0], err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		ok := true
		var ls []net.Listener
		for _, ip := range ips[1:] {
			l2, err := net.Listen("tcp", fmt.Sprintf("%s:%d", ip, port))
			if err != nil {
				ok = false
				break
			}
			ls = append(ls, l2)
		}
		l.Close()
		for _, l2 := range ls {
			l2.Close()
		}
		if ok {
			return port
		}
	}
	t.Skip("no common free port")
	return 0
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, nil))
	}
	return slog.New(slog.DiscardHandler)
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// fastQueue retries quickly in tests.
func fastQueue() queue.Options {
	return queue.Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond}
}

// startMTA starts an MTA in a temporary directory (or dir) and stops it at
// the end of the test.
func startMTA(t testing.TB, cfg Config) *MTA {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t).With("mta", cfg.Hostname)
	}
	if cfg.Queue.MinBackoff == 0 {
		cfg.Queue = fastQueue()
	}
	if cfg.DNSTimeout == 0 {
		cfg.DNSTimeout = time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = func(context.Context, time.Duration) {} // no test waits for real
	}
	m, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Start(context.Background())
	t.Cleanup(func() { m.Close() })
	return m
}

// conn is a line-by-line SMTP dialogue, as maddy's tests do.
type conn struct{ *linetest.Conn }

func dial(t *testing.T, addr string) *conn { return &conn{linetest.Dial(t, addr)} }

// ExpectPattern reads reply lines up to the last one of a reply and
// matches it with a path.Match pattern such as "250 *".
func (c *conn) ExpectPattern(pat string) string {
	c.T.Helper()
	for {
		line := c.Readln()
		if len(line) >= 4 && line[3] == '-' {
			continue
		}
		if ok, _ := path.Match(pat, line); !ok {
			c.T.Fatalf("got %q, want %q", line, pat)
		}
		return line
	}
}

// hello reads the greeting and says EHLO.
func (c *conn) hello(name string) {
	c.T.Helper()
	c.ExpectPattern("220 *")
	c.Writeln("EHLO " + name)
	c.ExpectPattern("250 *")
}

// waitFor polls cond until it holds, for at most 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inbox lists Local/INBOX of a store.
func inbox(t *testing.T, s *mailstore.Store) []mailstore.Summary {
	list, err := s.List(context.Background(), mailstore.FolderRef{Account: "Local", Name: "INBOX"}, mailstore.ListOptions{})
	if err != nil {
		return nil
	}
	return list
}

// readMessage reads a stored message in the CRLF form of the wire (the
// store keeps LF files).
func readMessage(t *testing.T, s *mailstore.Store, id int64) string {
	t.Helper()
	rc, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(eol.ToCRLF(b))
}

func readSpool(t *testing.T, m *MTA, login string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(m.cfg.Dir, "mail", login))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
