package imapd

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"facteur/mailstore"
)

// TestTwoSessionsSeeEachOther: what one session does, the other is told
// at its next command: new mail, flags, expunges; and the window's (the
// store's) changes too.
func TestTwoSessionsSeeEachOther(t *testing.T) {
	ts := startServer(t)
	ts.deliver(t, inboxRef, testMessage("one", "1"))
	ub := newUpdates()
	a, b := ts.login(t, nil), ts.login(t, ub)
	for _, c := range []*imapclient.Client{a, b} {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	appendMsg(t, a, "INBOX", testMessage("two", "2"), nil)
	if err := a.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	ub.wait(t, "EXISTS 2 and \\Flagged on 1", func(u *updates) bool {
		return u.exists == 2 && slices.Contains(u.flags[1], imap.FlagFlagged)
	})
	// The window marks message 2 read, through the store, while B idles.
	idle, err := b.Idle()
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := ts.store.FolderIDs(context.Background(), inboxRef)
	if err := ts.store.SetFlags(context.Background(), ids[1:], mailstore.FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	ub.wait(t, "\\Seen on 2", func(u *updates) bool { return slices.Contains(u.flags[2], imap.FlagSeen) })
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := a.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Expunge().Collect(); err != nil {
		t.Fatal(err)
	}
	if err := b.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	ub.wait(t, "EXPUNGE 1", func(u *updates) bool { return slices.Equal(u.expunged, []uint32{1}) })
	msgs, err := b.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].UID != 2 || !slices.Contains(msgs[0].Flags, imap.FlagSeen) {
		t.Fatalf("B's view after the expunge: %+v, %v", msgs, err)
	}
}

// TestIdleWokenByDelivery: a session in IDLE is told of mail the moment
// the store has it.
func TestIdleWokenByDelivery(t *testing.T) {
	ts := startServer(t)
	u := newUpdates()
	c := ts.login(t, u)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idleUntilExists(t, c, u, 1, func() { ts.deliver(t, inboxRef, testMessage("pushed", "now")) })
}

// idleUntilExists enters IDLE, runs during, waits until the server has
// told of n messages, and leaves IDLE.
func idleUntilExists(t *testing.T, c *imapclient.Client, u *updates, n uint32, during func()) {
	t.Helper()
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	during()
	u.wait(t, fmt.Sprintf("EXISTS %d during IDLE", n), func(u *updates) bool { return u.exists == n })
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestIdleTellsWhatCameBeforeItListened: mail that reaches the mailbox
// after the server said "+ idling" but before the session listens for
// changes is told at once, not at the next change (a race that made
// clients miss new mail until another came).
func TestIdleTellsWhatCameBeforeItListened(t *testing.T) {
	ts := startServer(t)
	ts.srv.beforeIdle = func(ctx context.Context, m *mailbox) {
		ts.deliver(t, inboxRef, testMessage("early", "came while IDLE began"))
		if err := m.syncAll(ctx, nil); err != nil { // queued for the session now
			t.Error(err)
		}
	}
	u := newUpdates()
	c := ts.login(t, u)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idleUntilExists(t, c, u, 1, func() {})
}

// TestKeywordGivenByAnotherProgram: a keyword that another program gives
// a message while the server runs (facteur flag, the window's mailer, an
// IMAP sync: a letter new to the server) shows in FETCH and is found by
// SEARCH KEYWORD, without a restart.
func TestKeywordGivenByAnotherProgram(t *testing.T) {
	ts := startServer(t)
	id := ts.deliver(t, inboxRef, testMessage("tagged", "later"))
	u := newUpdates()
	c := ts.login(t, u)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	other, err := mailstore.OpenUIDIndex(context.Background(), ts.store)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.SetKeywords(context.Background(), inboxRef.Account, []int64{id}, []string{"Work"}, nil); err != nil {
		t.Fatal(err)
	}
	var flags []imap.Flag
	for deadline := time.Now().Add(10 * time.Second); !slices.Contains(flags, "Work"); {
		if time.Now().After(deadline) {
			t.Fatalf("FETCH FLAGS after the keyword was given: %v", flags)
		}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
		if err != nil || len(msgs) != 1 {
			t.Fatalf("FETCH: %v, %v", msgs, err)
		}
		flags = msgs[0].Flags
	}
	crit := &imap.SearchCriteria{Flag: []imap.Flag{"work"}}
	if data, err := c.UIDSearch(crit, nil).Wait(); err != nil || len(data.AllUIDs()) != 1 {
		t.Fatalf("UID SEARCH KEYWORD work: %v, %v", data, err)
	}
}

// TestLoginNeedsTLSOffLoopback: a client outside the trusted networks
// sees LOGINDISABLED and is refused until STARTTLS; implicit TLS works;
// bad passwords are refused.
func TestLoginNeedsTLSOffLoopback(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.PlaintextNets = []netip.Prefix{} })
	c, err := imapclient.DialInsecure(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		t.Fatal(err)
	}
	if caps := c.Caps(); !caps.Has(imap.CapLoginDisabled) || !caps.Has(imap.CapStartTLS) {
		t.Fatalf("capabilities in clear: %v", caps)
	}
	if err := c.Login("marc", "secret").Wait(); err == nil || !strings.Contains(err.Error(), "PRIVACYREQUIRED") {
		t.Fatalf("LOGIN in clear: %v", err)
	}
	tlsCfg := &tls.Config{RootCAs: ts.roots, ServerName: "localhost"}
	st, err := imapclient.DialStartTLS(ts.addr, &imapclient.Options{TLSConfig: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Login("marc", "wrong").Wait(); err == nil {
		t.Fatal("LOGIN with a wrong password succeeded")
	}
	if err := st.Authenticate(sasl.NewPlainClient("", "marc", "secret")); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN after STARTTLS: %v", err)
	}
	it, err := imapclient.DialTLS(ts.tlsAddr, &imapclient.Options{TLSConfig: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if err := it.Login("marc", "secret").Wait(); err != nil {
		t.Fatalf("LOGIN under implicit TLS: %v", err)
	}
	infos := ts.srv.Sessions()
	var tlsLogins int
	for _, i := range infos {
		if i.Login == "marc" && i.TLS {
			tlsLogins++
		}
	}
	if tlsLogins != 2 {
		t.Fatalf("sessions = %+v", infos)
	}
}

// TestUIDsSurviveOtherPrograms: mutt marks a message read on disk and
// another program delivers into new/: the session sees both at its next
// command, the message keeps its UID, and a new server keeps them all.
func TestUIDsSurviveOtherPrograms(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.CheckInterval = 1 })
	id := ts.deliver(t, inboxRef, testMessage("mutt", "reads me"))
	u := newUpdates()
	c := ts.login(t, u)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ts.store.Path(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(filepath.Dir(p))
	key := strings.SplitN(filepath.Base(p), ":2,", 2)[0]
	if err := os.Rename(p, filepath.Join(dir, "cur", key+":2,S")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new", "1767000000.M1P1Q1.mutt"), []byte(testMessage("from mutt", "x")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	u.wait(t, "mutt's changes", func(u *updates) bool { return u.exists == 2 && slices.Contains(u.flags[1], imap.FlagSeen) })
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{UID: true}).Collect()
	if err != nil || msgs[0].UID != 1 || msgs[1].UID != 2 {
		t.Fatalf("UIDs after mutt: %+v, %v", msgs, err)
	}
	c.Logout().Wait()

	again := startServerOn(t, ts.store)
	c2 := again.login(t, nil)
	sel2, err := c2.Select("INBOX", nil).Wait()
	if err != nil || sel2.UIDValidity != sel.UIDValidity || sel2.UIDNext != 3 {
		t.Fatalf("a new server: %+v, before %+v, %v", sel2, sel, err)
	}
}
