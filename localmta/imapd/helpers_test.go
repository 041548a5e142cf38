package imapd

import (
	"context"
	"crypto/x509"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/localmta/mtatls"
	"facteur/localmta/mtausers"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
)

// testServer is an IMAP server on loopback over a temporary store.
type testServer struct {
	srv     *Server
	store   *mailstore.Store
	addr    string // plain, STARTTLS
	tlsAddr string // implicit TLS
	roots   *x509.CertPool
}

var inboxRef = mailstore.FolderRef{Account: "Local", Name: "INBOX"}

func startServer(t testing.TB, tune ...func(*Config)) *testServer {
	t.Helper()
	store := storetest.Open(t)
	if err := store.CreateFolder(context.Background(), inboxRef, mailstore.RoleInbox); err != nil {
		t.Fatal(err)
	}
	return startServerOn(t, store, tune...)
}

func startServerOn(t testing.TB, store *mailstore.Store, tune ...func(*Config)) *testServer {
	t.Helper()
	tlsCfg, err := mtatls.ServerConfig(t.TempDir(), "imap.machin.com")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: store, Users: mtausers.Users{"marc": "{plain}secret"}, TLS: tlsCfg,
		AuthFailureDelay: -1, Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	for _, fn := range tune {
		fn(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{srv: srv, store: store, roots: x509.NewCertPool()}
	leaf, _ := x509.ParseCertificate(tlsCfg.Certificates[0].Certificate[0])
	ts.roots.AddCert(leaf)
	var wg sync.WaitGroup
	for _, implicit := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if implicit {
			ts.tlsAddr = ln.Addr().String()
			wg.Go(func() { srv.ServeTLS(ctx, ln) })
		} else {
			ts.addr = ln.Addr().String()
			wg.Go(func() { srv.Serve(ctx, ln) })
		}
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		srv.Close()
	})
	return ts
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// updates collects what a client is told without asking.
type updates struct {
	mu       sync.Mutex
	exists   uint32
	expunged []uint32
	flags    map[uint32][]imap.Flag
	changed  chan struct{}
}

func newUpdates() *updates {
	return &updates{flags: map[uint32][]imap.Flag{}, changed: make(chan struct{}, 1)}
}

func (u *updates) handler() *imapclient.UnilateralDataHandler {
	return &imapclient.UnilateralDataHandler{
		Expunge: func(seq uint32) { u.note(func() { u.expunged = append(u.expunged, seq) }) },
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				u.note(func() { u.exists = *d.NumMessages })
			}
		},
		Fetch: func(msg *imapclient.FetchMessageData) {
			buf, err := msg.Collect()
			if err == nil && buf.Flags != nil {
				u.note(func() { u.flags[msg.SeqNum] = buf.Flags })
			}
		},
	}
}

func (u *updates) note(fn func()) {
	u.mu.Lock()
	fn()
	u.mu.Unlock()
	select {
	case u.changed <- struct{}{}:
	default:
	}
}

// wait waits until cond holds on the updates, or fails the test.
func (u *updates) wait(t testing.TB, what string, cond func(u *updates) bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		u.mu.Lock()
		ok := cond(u)
		u.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-u.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// login dials the plain port and logs in as marc.
func (ts *testServer) login(t testing.TB, u *updates) *imapclient.Client {
	t.Helper()
	opts := &imapclient.Options{}
	if u != nil {
		opts.UnilateralDataHandler = u.handler()
	}
	c, err := imapclient.DialInsecure(ts.addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("marc", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// deliver adds a message to a folder as the MDA does.
func (ts *testServer) deliver(t testing.TB, ref mailstore.FolderRef, msg string) int64 {
	t.Helper()
	res := ts.store.AddBatch(context.Background(), []mailstore.AddItem{{Folder: ref, Data: []byte(msg)}})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	return res[0].ID
}

func testMessage(subject, body string) string {
	return "From: Fred <fred@truc.fr>\r\nTo: Marc <marc@machin.com>\r\nSubject: " + subject +
		"\r\nDate: Mon, 02 Mar 2026 10:00:00 +0100\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") +
		"@truc.fr>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
}
