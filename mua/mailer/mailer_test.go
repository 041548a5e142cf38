package mailer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
)

// fixture is a Mailer over a new profile with the IMAP account Machin on
// an imapmemserver, synced.
type fixture struct {
	m     *Mailer
	store *mailstore.Store
	srv   *imaptest.Server
	acct  account.Account
	dir   string
}

func newFixture(t *testing.T, folders []string, inbox ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{srv: imaptest.Start(t, imaptest.NewUser(t, folders...)), store: storetest.Open(t), dir: t.TempDir()}
	var msgs []string
	for _, s := range inbox {
		msgs = append(msgs, testMsg(s))
	}
	if len(msgs) > 0 {
		imaptest.Append(t, f.srv.Addr, "INBOX", msgs...)
	}
	m, err := Open(ctx, Options{Profile: f.dir, Store: f.store, Backend: account.BackendFile, LocalAddress: "moi@localhost"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	f.m = m
	f.acct = account.Account{Name: "Machin", Identity: account.Identity{Address: "marc@machin.test"},
		Protocol: account.IMAP, Incoming: f.srv.Incoming()}
	if _, err := m.AddAccount(ctx, f.acct, Secrets{Password: imaptest.Password}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Sync(ctx, f.acct, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	return f
}

func testMsg(subject string) string {
	id := strings.ReplaceAll(strings.ToLower(subject), " ", "-")
	return "From: Fred <fred@truc.test>\r\nTo: marc@machin.test\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + id + "@truc.test>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nBody of " + subject + ".\r\n"
}

// ids are the local ids of an account folder's messages, by subject.
func (f *fixture) ids(t *testing.T, account, folder string) map[string]int64 {
	t.Helper()
	list, err := f.store.List(context.Background(), mailstore.FolderRef{Account: account, Name: folder}, mailstore.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, s := range list {
		out[s.Subject] = s.ID
	}
	return out
}

// server is a server folder as "subject flag flag" lines, in UID order;
// \Recent is left out.
func (f *fixture) server(t *testing.T, folder string) []string {
	t.Helper()
	subjects, flags := imaptest.Messages(t, f.srv.Addr, folder)
	var out []string
	for i, s := range subjects {
		line := s
		for _, fl := range flags[i] {
			if fl != "\\Recent" {
				line += " " + string(fl)
			}
		}
		out = append(out, line)
	}
	return out
}

// replay sends the journals the change names, and checks they are empty.
func (f *fixture) replay(t *testing.T, ch Change) {
	t.Helper()
	if !slices.Contains(ch.Journaled, "Machin") {
		t.Fatalf("change %+v does not name the IMAP account", ch)
	}
	for _, r := range f.m.Replay(context.Background(), ch.Journaled) {
		if r.Err != nil || r.Pending != 0 {
			t.Fatalf("replay of %s: %+v", r.Account, r)
		}
	}
}

// Each action on an IMAP account's messages reaches the server's state.
func TestActionsReachTheServer(t *testing.T) {
	tests := []struct {
		name string
		do   func(ctx context.Context, m *Mailer, ids map[string]int64) (Change, error)
		want map[string][]string // server folder: messages
	}{
		{"mark read and flag", func(ctx context.Context, m *Mailer, ids map[string]int64) (Change, error) {
			if _, err := m.SetFlags(ctx, []int64{ids["One"], ids["Two"]}, mailstore.FlagSeen, 0); err != nil {
				return Change{}, err
			}
			return m.SetFlags(ctx, []int64{ids["Two"]}, mailstore.FlagFlagged, mailstore.FlagSeen)
		}, map[string][]string{"INBOX": {`One \Seen`, `Two \Flagged`, "Three"}}},
		// imapmemserver writes keywords in lower case (RFC 9051 §2.3.2)
		{"keywords and forwarded", func(ctx context.Context, m *Mailer, ids map[string]int64) (Change, error) {
			if _, err := m.SetKeywords(ctx, []int64{ids["One"]}, []string{"$Label1"}, nil); err != nil {
				return Change{}, err
			}
			if _, err := m.SetKeywords(ctx, []int64{ids["One"], ids["Two"]}, []string{"Work"}, nil); err != nil {
				return Change{}, err
			}
			if _, err := m.SetKeywords(ctx, []int64{ids["One"]}, nil, []string{"work"}); err != nil {
				return Change{}, err
			}
			return m.SetFlags(ctx, []int64{ids["Three"]}, mailstore.FlagPassed, 0)
		}, map[string][]string{"INBOX": {"One $label1", "Two work", "Three $Forwarded"}}},
		{"delete to Trash", func(ctx context.Context, m *Mailer, ids map[string]int64) (Change, error) {
			return m.Delete(ctx, []int64{ids["Two"]})
		}, map[string][]string{"INBOX": {"One", "Three"}, "Trash": {"Two"}}},
		{"move", func(ctx context.Context, m *Mailer, ids map[string]int64) (Change, error) {
			return m.Move(ctx, []int64{ids["One"], ids["Three"]}, mailstore.FolderRef{Account: "Machin", Name: "Archive"})
		}, map[string][]string{"INBOX": {"Two"}, "Archive": {"One", "Three"}}},
		{"copy", func(ctx context.Context, m *Mailer, ids map[string]int64) (Change, error) {
			_, ch, err := m.Copy(ctx, []int64{ids["Three"]}, mailstore.FolderRef{Account: "Machin", Name: "Archive"})
			return ch, err
		}, map[string][]string{"INBOX": {"One", "Two", "Three"}, "Archive": {"Three"}}},
		{"purge", func(ctx context.Context, m *Mailer, ids map[string]int64) (Change, error) {
			return m.Purge(ctx, []int64{ids["One"]})
		}, map[string][]string{"INBOX": {"Two", "Three"}, "Trash": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, []string{"Archive", "Trash"}, "One", "Two", "Three")
			ctx := context.Background()
			ch, err := tt.do(ctx, f.m, f.ids(t, "Machin", "INBOX"))
			if err != nil {
				t.Fatal(err)
			}
			f.replay(t, ch)
			for folder, want := range tt.want {
				if got := f.server(t, folder); !slices.Equal(got, want) {
					t.Errorf("server %s = %q, want %q", folder, got, want)
				}
			}
			if st, err := f.m.Sync(ctx, f.acct, SyncOptions{}); err != nil || st.IMAP.New != 0 {
				t.Errorf("the sync after the replay: %+v, %v; want nothing new", st, err)
			}
		})
	}
}

// Offline, an action changes the store at once and waits in the journal;
// the next sync sends it.
func TestActionWaitsForTheServer(t *testing.T) {
	f := newFixture(t, nil, "One")
	ctx := context.Background()
	f.srv.Close()
	ch, err := f.m.SetFlags(ctx, []int64{f.ids(t, "Machin", "INBOX")["One"]}, mailstore.FlagFlagged, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := f.m.Replay(ctx, ch.Journaled)
	if len(r) != 1 || r[0].Err == nil || r[0].Pending != 1 {
		t.Fatalf("Replay with the server down = %+v, want an error and the action pending", r)
	}
	sum, err := f.store.Get(ctx, f.ids(t, "Machin", "INBOX")["One"])
	if err != nil || sum.Flags&mailstore.FlagFlagged == 0 {
		t.Errorf("local message %+v, %v: not flagged at once", sum, err)
	}
}

// The Local account's messages, and those of an account no longer
// configured, live in the store alone: the actions change it, and name no
// journal.
func TestLocalActions(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	inbox := mailstore.FolderRef{Account: LocalAccount, Name: "INBOX"}
	if err := f.store.CreateFolder(ctx, inbox, mailstore.RoleInbox); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"One", "Two"} {
		if _, err := f.store.Add(ctx, inbox, strings.NewReader(testMsg(s)), mailstore.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ids := f.ids(t, LocalAccount, "INBOX")
	ch, err := f.m.SetFlags(ctx, []int64{ids["One"]}, mailstore.FlagSeen|mailstore.FlagFlagged, 0)
	if err != nil || len(ch.Journaled) != 0 {
		t.Fatalf("SetFlags = %+v, %v", ch, err)
	}
	if sum, _ := f.store.Get(ctx, ids["One"]); sum.Flags&(mailstore.FlagSeen|mailstore.FlagFlagged) != mailstore.FlagSeen|mailstore.FlagFlagged {
		t.Errorf("flags of One = %v", sum.Flags)
	}
	ch, err = f.m.SetKeywords(ctx, []int64{ids["One"]}, []string{"Work", "$Label1"}, nil)
	if err != nil || len(ch.Journaled) != 0 {
		t.Fatalf("SetKeywords = %+v, %v", ch, err)
	}
	if _, err := f.m.SetKeywords(ctx, []int64{ids["One"]}, nil, []string{"WORK"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.SetKeywords(ctx, []int64{ids["One"]}, []string{"Bad word"}, nil); !errors.Is(err, ErrBadKeyword) {
		t.Errorf("SetKeywords(\"Bad word\") = %v, want ErrBadKeyword", err)
	}
	one, _ := f.store.Get(ctx, ids["One"])
	if kws, err := f.store.KeywordsOf(ctx, []mailstore.Summary{one}); err != nil || !slices.Equal(kws[one.ID], []string{"$Label1"}) {
		t.Errorf("keywords of One = %q, %v; want $Label1", kws[one.ID], err)
	}
	if _, err := f.m.Delete(ctx, []int64{ids["Two"]}); err != nil {
		t.Fatal(err)
	}
	if got := f.ids(t, LocalAccount, "INBOX"); len(got) != 1 {
		t.Errorf("Local INBOX after Delete: %v", got)
	}
}

// Moving a Local message into an IMAP account APPENDs it to the server.
func TestMoveIntoIMAPAccount(t *testing.T) {
	f := newFixture(t, []string{"Archive"})
	ctx := context.Background()
	kept := mailstore.FolderRef{Account: LocalAccount, Name: "Kept"}
	if err := f.store.CreateFolder(ctx, kept, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	sum, err := f.store.Add(ctx, kept, strings.NewReader(testMsg("Local one")), mailstore.AddOptions{Flags: mailstore.FlagSeen})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := f.m.Move(ctx, []int64{sum.ID}, mailstore.FolderRef{Account: "Machin", Name: "Archive"})
	if err != nil {
		t.Fatal(err)
	}
	f.replay(t, ch)
	if got := f.server(t, "Archive"); !slices.Equal(got, []string{`Local one \Seen`}) {
		t.Errorf("server Archive = %q", got)
	}
	if got := f.ids(t, LocalAccount, "Kept"); len(got) != 0 {
		t.Errorf("Local Kept after the move: %v", got)
	}
}

// RemoveAccount forgets every secret of the account, and only its own.
func TestRemoveAccountForgetsEverySecret(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	other := account.Account{Name: "Autre", Protocol: account.POP3, Incoming: account.Server{Host: "127.0.0.1", Port: 1}}
	if _, err := f.m.AddAccount(ctx, other, Secrets{Password: "autre"}); err != nil {
		t.Fatal(err)
	}
	creds := f.m.Credentials()
	for _, key := range account.SecretKeys("Machin") {
		if err := creds.Set(key, "secret of "+key); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.m.RemoveAccount(ctx, "Machin"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{account.PasswordKey("Machin", false), account.PasswordKey("Machin", true),
		account.TokenKey("Machin"), account.ClientSecretKey("Machin")} {
		if v, err := creds.Get(key); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("secret %s left after the removal: %q, %v", key, v, err)
		}
	}
	if v, err := creds.Get(account.PasswordKey("Autre", false)); v != "autre" || err != nil {
		t.Errorf("the other account's password = %q, %v", v, err)
	}
	if _, err := f.m.Account("Machin"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("the account is still configured: %v", err)
	}
	if err := f.m.RemoveAccount(ctx, "Machin"); err == nil {
		t.Error("removing it again succeeded")
	}
}
