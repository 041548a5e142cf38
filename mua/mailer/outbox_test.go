package mailer

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"facteur/localmta/queue"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"

	"github.com/emersion/go-imap/v2"
)

// TestOutboxSentCopyOnce: a message queued in the outbox (the server could
// not take it then), delivered later by the MTA through Mailer.Outbox: its
// copy reaches the IMAP server's Sent folder once, whether the IMAP server
// answers at delivery time (the journal goes at once) or not (it goes with
// the next sync); no second copy comes back with the syncs after.
func TestOutboxSentCopyOnce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		imapAway bool
	}{
		{"IMAP server answers", false},
		{"IMAP server away at delivery", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, []string{"Sent"})
			f.m.opt.Logger = slog.New(slog.DiscardHandler)
			smtp := f.withSMTP(t)
			ctx := context.Background()
			out, err := f.m.Send(ctx, &f.acct, build(t, f.acct.Identity, "Queued one"), SendOptions{Later: true})
			if err != nil || !out.Queued {
				t.Fatalf("Send later = %+v, %v", out, err)
			}
			real := f.acct
			if tc.imapAway {
				away := f.acct
				away.Incoming.Port = closedPort(t)
				f.setAccount(t, away)
			}
			deliver(t, out.Where.QueueDir, f.m)
			if got := smtp.Messages(); len(got) != 1 {
				t.Fatalf("the SMTP server got %d messages, want 1", len(got))
			}
			if got := f.ids(t, "Machin", "Sent"); len(got) != 1 {
				t.Errorf("local Sent = %v, want the copy", got)
			}
			if tc.imapAway {
				if got := f.server(t, "Sent"); len(got) != 0 {
					t.Fatalf("server Sent = %q while the server was away", got)
				}
				f.setAccount(t, real)
			}
			for i := range 2 {
				if st, err := f.m.Sync(ctx, real, SyncOptions{}); err != nil || st.IMAP.New != 0 {
					t.Errorf("sync %d: %+v, %v; want no second copy", i+1, st.IMAP, err)
				}
			}
			if got := f.server(t, "Sent"); !slices.Equal(got, []string{`Queued one \Seen`}) {
				t.Errorf("server Sent = %q, want the copy once", got)
			}
			if got := f.ids(t, "Machin", "Sent"); len(got) != 1 {
				t.Errorf("local Sent after the syncs = %v, want one copy", got)
			}
		})
	}
}

// setAccount saves new settings of the fixture's account.
func (f *fixture) setAccount(t *testing.T, a account.Account) {
	t.Helper()
	if _, err := f.m.UpdateAccount(context.Background(), a, Secrets{}); err != nil {
		t.Fatal(err)
	}
}

// deliver runs the outbox queue in dir with the mailer's deliverer until
// it is empty, as the MTA does.
func deliver(t *testing.T, dir string, m *Mailer) {
	t.Helper()
	q, err := queue.Open(context.Background(), dir, queue.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- q.Run(ctx, m.Outbox()) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(20 * time.Second); len(q.List()) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the outbox did not empty: %+v", q.List())
		}
	}
}

// closedPort is a loopback port where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

// TestSentCopyOAuth2: the copy in Sent of an OAuth2 IMAP account, filed
// by the outbox's delivery, logs in to the server with the account's
// token from the profile's secrets.
func TestSentCopyOAuth2(t *testing.T) {
	auth := oauthtest.NewServer(t, "facteur-test", "")
	srv := oauthtest.NewIMAPServer(t, "fred@truc.fr", auth.Check, "XOAUTH2")
	if err := srv.User.Create("Sent", nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := Open(ctx, Options{Profile: t.TempDir(), Store: storetest.Open(t), Backend: account.BackendFile, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	a := srv.Account("truc", auth)
	oauthtest.Authorize(t, &oauth.Tokens{Secrets: m.Credentials()}, a, "")
	if _, err := m.AddAccount(ctx, a, Secrets{}); err != nil {
		t.Fatal(err)
	}
	if err := m.Outbox().Sent.SaveSent(ctx, a, []byte(testMsg("Par jeton"))); err != nil {
		t.Fatal(err)
	}
	st, err := srv.User.Status("Sent", &imap.StatusOptions{NumMessages: true})
	if err != nil || st.NumMessages == nil || *st.NumMessages != 1 || !slices.Equal(srv.Mechanisms(), []string{"XOAUTH2"}) {
		t.Fatalf("Sent on the server: %+v, %v; mechanisms %q", st, err, srv.Mechanisms())
	}
}
