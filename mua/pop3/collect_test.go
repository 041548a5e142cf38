package pop3

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"facteur/internal/filelock"
	"facteur/localmta/mda"
	"facteur/localmta/pop3d/pop3test"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/internal/testtls"
)

// server is Facteur's own POP3 server on 127.0.0.1:0 over its own store.
type server struct{ *pop3test.Server }

// startPop3d serves marc/secret; tlsCfg enables STLS, implicit wraps the
// listener in TLS (POP3S).
func startPop3d(t *testing.T, tlsCfg *tls.Config, implicit bool) *server {
	t.Helper()
	return &server{pop3test.Start(t, pop3test.Options{TLS: tlsCfg, Implicit: implicit})}
}

func (s *server) deliver(t *testing.T, subject, body string) {
	t.Helper()
	s.Add(t, "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: "+subject+"\r\n\r\n"+body+"\r\n")
}

func (s *server) count(t *testing.T) int {
	n, _, err := s.Store.Count(context.Background(), mda.LocalInbox)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testAccount(addr string, sec account.Security) account.Account {
	host, port, _ := net.SplitHostPort(addr)
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	return account.Account{
		Name: "Machin", Protocol: account.POP3,
		Identity: account.Identity{Address: "marc@machin.com"},
		Incoming: account.Server{Host: host, Port: p, Security: sec, User: "marc"},
	}
}

type collectorT struct {
	store *mailstore.Store
	dir   string
	opt   CollectOptions
}

func newCollector(t *testing.T, pki *testtls.PKI) *collectorT {
	c := &collectorT{store: storetest.Open(t), dir: t.TempDir()}
	c.opt = CollectOptions{Store: c.store, StateDir: c.dir}
	if pki != nil {
		c.opt.Dialer = &account.Dialer{RootCAs: pki.Roots}
	}
	return c
}

func (c *collectorT) inbox(t *testing.T) []mailstore.Summary {
	list, err := c.store.List(context.Background(), mailstore.FolderRef{Account: "Machin", Name: "INBOX"}, mailstore.ListOptions{})
	if err != nil && !errors.Is(err, mailstore.ErrNotFound) {
		t.Fatal(err)
	}
	return list
}

func newPKI(t *testing.T) *testtls.PKI {
	pki, err := testtls.New()
	if err != nil {
		t.Fatal(err)
	}
	return pki
}

func TestCollectOnceByUIDL(t *testing.T) {
	pki := newPKI(t)
	srv := startPop3d(t, pki.Server, false)
	srv.deliver(t, "test itineraire", "Bonjour Marc,\r\n.point en tete\r\n..deux")
	srv.deliver(t, "second", "deux")
	cl := newCollector(t, pki)
	var tr bytes.Buffer
	cl.opt.Transcript = &tr
	var last mailstore.Progress
	cl.opt.Progress = func(p mailstore.Progress) { last = p }
	acct := testAccount(srv.Addr, account.SecurityStartTLS)
	ctx := context.Background()

	st, err := Collect(ctx, acct, "secret", cl.opt)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if st.New != 2 || st.Kept != 2 || st.Deleted != 0 || last.Done != 2 || last.Total != 2 {
		t.Errorf("stats %+v, progress %+v", st, last)
	}
	if strings.Contains(tr.String(), "secret") || !strings.Contains(tr.String(), "C: AUTH PLAIN ****") || !strings.Contains(tr.String(), "C: STLS") {
		t.Errorf("transcript:\n%s", tr.String())
	}
	st, err = Collect(ctx, acct, "secret", cl.opt)
	if err != nil || st.New != 0 || st.Kept != 2 {
		t.Fatalf("second Collect = %+v, %v", st, err)
	}
	srv.deliver(t, "third", "trois")
	st, err = Collect(ctx, acct, "secret", cl.opt)
	if err != nil || st.New != 1 {
		t.Fatalf("third Collect = %+v, %v", st, err)
	}
	list := cl.inbox(t)
	if len(list) != 3 || srv.count(t) != 3 {
		t.Fatalf("%d messages collected, %d on server, want 3 and 3", len(list), srv.count(t))
	}
	checkUnstuffed(t, cl.store, list)
}

func checkUnstuffed(t *testing.T, s *mailstore.Store, list []mailstore.Summary) {
	for _, m := range list {
		if m.Subject != "test itineraire" {
			continue
		}
		rc, err := s.Open(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if !strings.Contains(string(data), "\n.point en tete") || !strings.Contains(string(data), "\n..deux") {
			t.Errorf("body not unstuffed:\n%s", data)
		}
		return
	}
	t.Error("message not found")
}

func TestCollectDeleteOptions(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		opts      account.Options
		second    time.Duration
		remaining int
	}{
		{"leave", account.Options{}, 400 * 24 * time.Hour, 2},
		{"after download", account.Options{DeleteAfterDownload: true}, 0, 0},
		{"after 7 days, 3 days later", account.Options{DeleteAfterDays: 7}, 3 * 24 * time.Hour, 2},
		{"after 7 days, 8 days later", account.Options{DeleteAfterDays: 7}, 8 * 24 * time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startPop3d(t, nil, false)
			srv.deliver(t, "un", "1")
			srv.deliver(t, "deux", "2")
			cl := newCollector(t, nil)
			acct := testAccount(srv.Addr, account.SecurityNone)
			acct.Options = tt.opts
			now := t0
			cl.opt.Now = func() time.Time { return now }
			for _, d := range []time.Duration{0, tt.second} {
				now = t0.Add(d)
				if _, err := Collect(context.Background(), acct, "secret", cl.opt); err != nil {
					t.Fatal(err)
				}
			}
			if n := srv.count(t); n != tt.remaining {
				t.Errorf("%d left on server, want %d", n, tt.remaining)
			}
			if n := len(cl.inbox(t)); n != 2 {
				t.Errorf("%d collected, want 2", n)
			}
		})
	}
}

func TestCollectSecurity(t *testing.T) {
	pki := newPKI(t)
	plain := startPop3d(t, nil, false)
	self := startPop3d(t, pki.SelfSigned, true)
	pin := account.Fingerprint(pki.SelfDER)
	tests := []struct {
		name    string
		addr    string
		sec     account.Security
		pin     string
		pass    string
		wantErr error
	}{
		{"starttls not offered", plain.Addr, account.SecurityStartTLS, "", "secret", account.ErrNoStartTLS},
		{"self-signed", self.Addr, account.SecurityTLS, "", "secret", account.ErrUntrusted},
		{"self-signed pinned", self.Addr, account.SecurityTLS, pin, "secret", nil},
		{"bad password", self.Addr, account.SecurityTLS, pin, "wrong", ErrAuth},
		{"plaintext chosen", plain.Addr, account.SecurityNone, "", "secret", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := newCollector(t, pki)
			acct := testAccount(tt.addr, tt.sec)
			acct.Incoming.Fingerprint = tt.pin
			_, err := Collect(context.Background(), acct, tt.pass, cl.opt)
			if tt.wantErr == nil && err != nil || !errors.Is(err, tt.wantErr) {
				t.Fatalf("Collect = %v, want %v", err, tt.wantErr)
			}
			var ce *account.CertificateError
			if errors.As(err, &ce) && ce.Fingerprint != pin {
				t.Errorf("fingerprint %s, want %s", ce.Fingerprint, pin)
			}
		})
	}
}

func TestOneCollectionOfAnAccountAtATime(t *testing.T) {
	pki := newPKI(t)
	srv := startPop3d(t, pki.Server, false)
	srv.deliver(t, "one", "un")
	cl := newCollector(t, pki)
	waited := make(chan struct{})
	cl.opt.Waiting = func() { close(waited) }
	acct := testAccount(srv.Addr, account.SecurityStartTLS)
	// another collection (another process, say) holds the account
	other, err := filelock.TryLock(strings.TrimSuffix(statePath(cl.opt.StateDir, acct.Name), ".uidl") + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan CollectStats, 1)
	go func() {
		st, err := Collect(context.Background(), acct, "secret", cl.opt)
		if err != nil {
			t.Error(err)
		}
		done <- st
	}()
	<-waited
	select {
	case st := <-done:
		t.Fatalf("Collect ran beside the other one: %+v", st)
	default:
	}
	other.Unlock()
	if st := <-done; st.New != 1 {
		t.Fatalf("after the other collection: %+v", st)
	}
}

// TestCollectDeleteWhenDeleted: with DeleteWhenDeleted, the messages the
// user deleted in Facteur (to the Trash, or removed) leave the server at
// the next collection, the others stay; without it, or when the store's
// index was rebuilt since (its ids name other messages), nothing leaves.
func TestCollectDeleteWhenDeleted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     account.Options
		rebuilt  bool
		onServer int
	}{
		{"kept on the server", account.Options{}, false, 3},
		{"until deleted here", account.Options{DeleteWhenDeleted: true}, false, 1},
		{"until deleted here, index rebuilt", account.Options{DeleteWhenDeleted: true}, true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := startPop3d(t, nil, false)
			for _, s := range []string{"un", "deux", "trois"} {
				srv.deliver(t, s, s)
			}
			cl := newCollector(t, nil)
			acct := testAccount(srv.Addr, account.SecurityNone)
			acct.Options = tc.opts
			if _, err := Collect(ctx, acct, "secret", cl.opt); err != nil {
				t.Fatal(err)
			}
			ids := map[string]int64{}
			for _, s := range cl.inbox(t) {
				ids[s.Subject] = s.ID
			}
			if err := cl.store.Delete(ctx, []int64{ids["un"]}); err != nil { // to the Trash
				t.Fatal(err)
			}
			if err := cl.store.Purge(ctx, []int64{ids["deux"]}); err != nil {
				t.Fatal(err)
			}
			if tc.rebuilt {
				path := statePath(cl.dir, acct.Name)
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				_, rest, ok := strings.Cut(string(data), "\n") // the first line names the index
				if !ok || !strings.HasPrefix(string(data), "index ") {
					t.Fatalf("state file %q", data)
				}
				os.WriteFile(path, []byte("index another\n"+rest), 0o600)
			}
			if n := srv.count(t); n != 3 {
				t.Fatalf("%d on the server before the second collection, want 3", n)
			}
			st, err := Collect(ctx, acct, "secret", cl.opt)
			if err != nil {
				t.Fatal(err)
			}
			if n := srv.count(t); n != tc.onServer || st.Deleted != 3-tc.onServer {
				t.Errorf("%d left on the server (%+v), want %d", n, st, tc.onServer)
			}
			if list := cl.inbox(t); len(list) != 1 || list[0].Subject != "trois" {
				t.Errorf("inbox %+v, want trois alone", list)
			}
		})
	}
}
