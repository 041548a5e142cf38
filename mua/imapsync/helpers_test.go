package imapsync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
)

// specialUse is what LIST says of the test folders (imapmemserver keeps no
// RFC 6154 attributes, so the test session adds them).
var specialUse = map[string]imap.MailboxAttr{
	"Sent": imap.MailboxAttrSent, "Trash": imap.MailboxAttrTrash, "Archive": imap.MailboxAttrArchive,
	"Drafts": imap.MailboxAttrDrafts, "Junk": imap.MailboxAttrJunk,
}

// session is imapmemserver's user session with special-use and
// subscriptions (RFC 5258 RETURN (SUBSCRIBED)) in LIST.
type session struct {
	*imapmemserver.UserSession
	user *imapmemserver.User
	ts   *testServer
}

func (s *session) Subscribe(name string) error   { return s.ts.subscribe(name, true) }
func (s *session) Unsubscribe(name string) error { return s.ts.subscribe(name, false) }

func (s *session) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

// Select is imapmemserver's, but for a server that keeps no keywords:
// PERMANENTFLAGS then lists the system flags alone, without \* (RFC 9051
// §7.1).
func (s *session) Select(name string, opt *imap.SelectOptions) (*imap.SelectData, error) {
	sel, err := s.UserSession.Select(name, opt)
	if err == nil && s.ts != nil && s.ts.noKeywords.Load() {
		sel.PermanentFlags = []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft}
	}
	return sel, err
}

// Store is imapmemserver's, but a server that keeps no keywords ignores
// them (RFC 9051 §7.1 lets it).
func (s *session) Store(w *imapserver.FetchWriter, set imap.NumSet, flags *imap.StoreFlags, opt *imap.StoreOptions) error {
	if s.ts != nil && s.ts.noKeywords.Load() {
		kept := *flags
		kept.Flags = nil
		for _, f := range flags.Flags {
			if strings.HasPrefix(string(f), `\`) {
				kept.Flags = append(kept.Flags, f)
			}
		}
		flags = &kept
	}
	return s.UserSession.Store(w, set, flags, opt)
}

// Append is imapmemserver's, but a server that refuses the keywords of an
// APPEND (noAppendKeywords) answers NO to one that has some.
func (s *session) Append(mailbox string, r imap.LiteralReader, opt *imap.AppendOptions) (*imap.AppendData, error) {
	if s.ts != nil && s.ts.noAppendKeywords.Load() && opt != nil &&
		slices.ContainsFunc(opt.Flags, func(f imap.Flag) bool { return !strings.HasPrefix(string(f), `\`) }) {
		s.ts.appendsRefused.Add(1)
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "test: no keywords in APPEND"}
	}
	return s.UserSession.Append(mailbox, r, opt)
}

func (s *session) Close() error {
	if s.UserSession == nil {
		return nil
	}
	return s.UserSession.Close()
}

func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, opt *imap.ListOptions) error {
	for _, name := range []string{"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive", "Lists/golang"} {
		if _, err := s.user.Status(name, &imap.StatusOptions{}); err != nil {
			continue
		}
		d := &imap.ListData{Mailbox: name, Delim: '/'}
		if a, ok := specialUse[name]; ok {
			d.Attrs = []imap.MailboxAttr{a}
		}
		if opt != nil && opt.ReturnSubscribed && s.ts.subscribed(name) {
			d.Attrs = append(d.Attrs, imap.MailboxAttrSubscribed)
		}
		if err := w.WriteList(d); err != nil {
			return err
		}
	}
	return nil
}

// testServer is an imapmemserver on 127.0.0.1:0.
type testServer struct {
	addr    string
	user    *imapmemserver.User
	cutOnce atomic.Int64 // >0: the next connection is cut after so many bytes written
	offline atomic.Bool  // refuse connections (the Dialer of the tests)
	// noKeywords makes a server that keeps no keywords (see session.Select)
	noKeywords atomic.Bool
	// noAppendKeywords makes a server that answers NO to an APPEND with
	// keywords (see session.Append), counted in appendsRefused
	noAppendKeywords atomic.Bool
	appendsRefused   atomic.Int64
	mu               sync.Mutex
	conns            []net.Conn
	subs             map[string]bool // subscribed folders
}

func (ts *testServer) subscribe(name string, on bool) error {
	if _, err := ts.user.Status(name, &imap.StatusOptions{}); err != nil {
		return err
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.subs[name] = on
	return nil
}

func (ts *testServer) subscribed(name string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.subs[name]
}

func startServer(t testing.TB, folders ...string) *testServer {
	t.Helper()
	ts := &testServer{user: imaptest.NewUser(t, folders...), subs: map[string]bool{}}
	ln := imaptest.Listen(t)
	ts.addr = ln.Addr().String()
	imaptest.Serve(t, &cutListener{Listener: ln, ts: ts}, imaptest.Options(func() imapserver.Session {
		return &session{user: ts.user, ts: ts}
	}))
	return ts
}

// cutListener can cut a connection after n bytes written by the server.
type cutListener struct {
	net.Listener
	ts *testServer
}

func (l *cutListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if n := l.ts.cutOnce.Swap(0); n > 0 {
		return &cutConn{Conn: c, left: n}, nil
	}
	return c, nil
}

type cutConn struct {
	net.Conn
	left int64
}

func (c *cutConn) Write(p []byte) (int, error) {
	if c.left <= 0 {
		c.Conn.Close()
		return 0, net.ErrClosed
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	c.left -= int64(len(p))
	return c.Conn.Write(p)
}

var errOffline = errors.New("test: network down")

func (ts *testServer) dialer() *account.Dialer {
	return &account.Dialer{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if ts.offline.Load() {
			return nil, errOffline
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

func (ts *testServer) account() account.Account {
	host, port, _ := net.SplitHostPort(ts.addr)
	var p int
	fmt.Sscan(port, &p)
	return account.Account{
		Name: "Machin", Protocol: account.IMAP,
		Identity: account.Identity{Address: "marc@machin.com"},
		Incoming: account.Server{Host: host, Port: p, Security: account.SecurityNone, User: "marc"},
	}
}

// admin is a second client, the user's other mail program.
func (ts *testServer) admin(t testing.TB) *imapclient.Client {
	t.Helper()
	return imaptest.Login(t, ts.addr)
}

func msg(i int, folder string) string {
	return fmt.Sprintf("From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: %s %d\r\nMessage-ID: <%s.%d@truc.fr>\r\n\r\nBody %d\r\n",
		folder, i, strings.ReplaceAll(folder, "/", "."), i, i)
}

func (ts *testServer) appendMsgs(t *testing.T, folder string, from, to int, flags ...imap.Flag) {
	t.Helper()
	c := ts.admin(t)
	for i := from; i < to; i++ {
		m := msg(i, folder)
		cmd := c.Append(folder, int64(len(m)), &imap.AppendOptions{Flags: flags})
		cmd.Write([]byte(m))
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// serverFlags returns the flags per subject of a server folder.
func (ts *testServer) serverFlags(t *testing.T, folder string) map[string][]imap.Flag {
	t.Helper()
	subjects, flags := imaptest.Messages(t, ts.addr, folder)
	out := map[string][]imap.Flag{}
	for i, s := range subjects {
		out[s] = flags[i]
	}
	return out
}

type fixture struct {
	ts    *testServer
	store *mailstore.Store
	state *State
	s     *Syncer
}

// server is a test server the Syncer can reach.
type server interface {
	account() account.Account
	dialer() *account.Dialer
}

func newFixture(t testing.TB, ts server, mod func(*Options)) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := mailstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	state, err := OpenState(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { state.Close() })
	opt := Options{Store: store, State: state, Dialer: ts.dialer(), BatchSize: 4}
	if mod != nil {
		mod(&opt)
	}
	s := New(ts.account(), "secret", opt)
	t.Cleanup(func() { s.Close() })
	f := &fixture{store: store, state: state, s: s}
	f.ts, _ = ts.(*testServer)
	return f
}

func (f *fixture) sync(t *testing.T) Stats {
	t.Helper()
	st, err := f.s.Sync(context.Background())
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return st
}

// local lists a local folder: subject -> summary; duplicates fail the test.
func (f *fixture) local(t *testing.T, folder string) map[string]mailstore.Summary {
	t.Helper()
	list, err := f.store.List(context.Background(), f.s.ref(folder), mailstore.ListOptions{Limit: 1000})
	if err != nil && !errors.Is(err, mailstore.ErrNotFound) {
		t.Fatal(err)
	}
	out := map[string]mailstore.Summary{}
	for _, m := range list {
		if _, dup := out[m.Subject]; dup {
			t.Errorf("%s: duplicate %q", folder, m.Subject)
		}
		out[m.Subject] = m
	}
	return out
}
