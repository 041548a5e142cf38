package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"facteur/localmta/pop3d/pop3test"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/account/accounttest"
	"facteur/mua/imapsync"
	"facteur/mua/imapsync/imaptest"
)

// imapServer is an imapmemserver (IMAP4rev2, so IDLE) on 127.0.0.1:0 with
// marc/secret.
func imapServer(t *testing.T) (account.Account, *imapmemserver.User) {
	t.Helper()
	user := imaptest.NewUser(t)
	srv := imaptest.Start(t, user)
	return account.Account{
		Name: "Machin", Protocol: account.IMAP,
		Identity: account.Identity{Address: "marc@machin.com"},
		Incoming: srv.Incoming(),
	}, user
}

func appendIMAP(t *testing.T, a account.Account, n int) {
	t.Helper()
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("From: fred@truc.fr\r\nTo: marc@machin.com\r\nMessage-ID: <%d.%d@truc.fr>\r\nSubject: n%d\r\n\r\nbody\r\n", time.Now().UnixNano(), i, i)
	}
	imaptest.Append(t, net.JoinHostPort(a.Incoming.Host, strconv.Itoa(a.Incoming.Port)), "INBOX", msgs...)
}

func count(t *testing.T, s *mailstore.Store, ref mailstore.FolderRef) int {
	t.Helper()
	n, _, err := s.Count(context.Background(), ref)
	if err != nil {
		return 0
	}
	return n
}

// eventually waits for cond, failing after a generous deadline (a
// condition, not a speed goal).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func password(pw string) func(account.Account) (string, error) {
	return func(account.Account) (string, error) { return pw, nil }
}

func start(t *testing.T, opt Options, accts ...account.Account) *Watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Start(ctx, opt, accts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); w.Wait() })
	return w
}

func TestIMAPSyncThenIdlePush(t *testing.T) {
	a, _ := imapServer(t)
	appendIMAP(t, a, 3)
	store := storetest.Open(t)
	w := start(t, Options{Store: store, Profile: t.TempDir(), Secret: password("secret"), PollInterval: time.Hour}, a)
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	eventually(t, "the first sync", func() bool { return count(t, store, inbox) == 3 })
	eventually(t, "waiting in IDLE", func() bool {
		st := w.Status()
		return len(st) == 1 && st[0].State == Waiting && st[0].Idle
	})

	appendIMAP(t, a, 2) // no Check: the IDLE must bring them
	eventually(t, "the pushed messages", func() bool { return count(t, store, inbox) == 5 })

	res := w.Check(context.Background())
	if len(res) != 1 || res[0].Err != nil || res[0].New != 0 {
		t.Fatalf("Check = %+v, want one result, nothing new", res)
	}
	tr, err := w.Transcript("Machin")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- ", "LOGIN", "IDLE", "DONE"} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	if strings.Contains(tr, "secret") {
		t.Errorf("transcript shows the password:\n%s", tr)
	}
}

// pop3Server is Facteur's own POP3 server with marc/secret on 127.0.0.1:0.
func pop3Server(t *testing.T) (account.Account, *pop3test.Server) {
	t.Helper()
	srv := pop3test.Start(t, pop3test.Options{})
	return account.Account{
		Name: "Truc", Protocol: account.POP3,
		Identity: account.Identity{Address: "marc@truc.fr"},
		Incoming: accounttest.Plain(t, srv.Addr, pop3test.User),
	}, srv
}

func deliver(t *testing.T, srv *pop3test.Server, subject string) {
	t.Helper()
	srv.Add(t, "From: fred@truc.fr\r\nTo: marc@truc.fr\r\nSubject: "+subject+"\r\n\r\nbody\r\n")
}

func TestPOP3CheckAndFailure(t *testing.T) {
	a, remote := pop3Server(t)
	deliver(t, remote, "one")
	store := storetest.Open(t)
	pw := "secret"
	secret := func(account.Account) (string, error) { return pw, nil }
	var changes []Status
	changed := make(chan Status, 100)
	w := start(t, Options{Store: store, Profile: t.TempDir(), Secret: secret, PollInterval: time.Hour,
		OnChange: func(s Status) { changed <- s }}, a)
	eventually(t, "the first collection", func() bool {
		st := w.Status()
		return len(st) == 1 && st[0].State == Waiting
	})
	if st := w.Status()[0]; st.LastNew != 1 || st.Idle || st.LastCheck.IsZero() {
		t.Errorf("status after the first collection = %+v", st)
	}
	deliver(t, remote, "two")
	if res := w.Check(context.Background()); len(res) != 1 || res[0].New != 1 || res[0].Err != nil {
		t.Fatalf("Check = %+v, want one new message", res)
	}
	inbox := mailstore.FolderRef{Account: "Truc", Name: "INBOX"}
	if n := count(t, store, inbox); n != 2 {
		t.Fatalf("%d messages collected, want 2", n)
	}

	pw = "wrong" // the user changed it on the server side, say
	res := w.Check(context.Background())
	if len(res) != 1 || res[0].Err == nil {
		t.Fatalf("Check with a wrong password = %+v, want an error", res)
	}
	st := w.Status()[0]
	if st.State != Failed || st.LastError == nil || st.LastErrorAt.IsZero() {
		t.Errorf("status after the failure = %+v", st)
	}
	tr, _ := w.Transcript("Truc")
	if !strings.Contains(tr, "--- error:") || strings.Contains(tr, "wrong") || strings.Contains(tr, "secret") {
		t.Errorf("transcript:\n%s", tr)
	}
	for len(changed) > 0 {
		changes = append(changes, <-changed)
	}
	if len(changes) == 0 {
		t.Error("OnChange was never called")
	}
}

func TestUpdateStopsAndStarts(t *testing.T) {
	a, remote := pop3Server(t)
	deliver(t, remote, "one")
	store := storetest.Open(t)
	w := start(t, Options{Store: store, Profile: t.TempDir(), Secret: password("secret"), PollInterval: time.Hour}, a)
	w.Update(nil)
	if st := w.Status(); len(st) != 0 {
		t.Fatalf("after Update(nil): %+v", st)
	}
	if res := w.Check(context.Background()); len(res) != 0 {
		t.Fatalf("Check with no account = %+v", res)
	}
	if _, err := w.Transcript("Truc"); err != ErrUnknownAccount {
		t.Fatalf("Transcript of a removed account: %v", err)
	}
	w.Update([]account.Account{a})
	if res := w.Check(context.Background()); len(res) != 1 || res[0].Err != nil {
		t.Fatalf("Check after adding it back = %+v", res)
	}
}

func TestTranscriptKeepsTheLastLines(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"fits", []string{"a\n", "b\n"}, "a\nb\n"},
		{"drops whole old lines", []string{strings.Repeat("x", 1000) + "\n", "hello\n", strings.Repeat("y", 30) + "\n"}, "hello\n" + strings.Repeat("y", 30) + "\n"},
		{"one huge line is cut", []string{strings.Repeat("z", 3000)}, strings.Repeat("z", 1024)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTranscript(1024)
			for _, w := range tt.writes {
				tr.Write([]byte(w))
			}
			if got := tr.String(); got != tt.want {
				t.Errorf("kept %d bytes %q..., want %d bytes", len(got), got[:min(len(got), 20)], len(tt.want))
			}
		})
	}
}

func TestIMAPDraftsSavedOfflineGoUp(t *testing.T) {
	a, user := imapServer(t)
	if err := user.Create("Drafts", nil); err != nil {
		t.Fatal(err)
	}
	store := storetest.Open(t)
	profileDir := t.TempDir()
	st, err := imapsync.OpenState(context.Background(), profileDir)
	if err != nil {
		t.Fatal(err)
	}
	sy := imapsync.New(a, "secret", imapsync.Options{Store: store, State: st})
	raw := "From: marc@machin.com\r\nTo: fred@truc.fr\r\nMessage-ID: <draft1@machin.com>\r\nSubject: brouillon\r\n\r\nà finir\r\n"
	if _, err := sy.SaveDraft(context.Background(), []byte(raw), 0); err != nil { // no connection needed
		t.Fatal(err)
	}
	sy.Close()
	st.Close()

	start(t, Options{Store: store, Profile: profileDir, Secret: password("secret"), PollInterval: time.Hour}, a)
	eventually(t, "the draft on the server", func() bool {
		s, err := user.Status("Drafts", &imap.StatusOptions{NumMessages: true})
		return err == nil && s.NumMessages != nil && *s.NumMessages == 1
	})
}

func TestFetchBodyOfAHeadersFirstMessage(t *testing.T) {
	a, _ := imapServer(t)
	appendIMAP(t, a, 1)
	store := storetest.Open(t)
	w := start(t, Options{Store: store, Profile: t.TempDir(), Secret: password("secret"), PollInterval: time.Hour}, a)
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	eventually(t, "the first sync", func() bool { return count(t, store, inbox) == 1 })
	list, err := store.List(context.Background(), inbox, mailstore.ListOptions{Limit: 10})
	if err != nil || len(list) != 1 || !list[0].Partial {
		t.Fatalf("after a headers-first sync: %+v, %v; want one partial message", list, err)
	}
	sum, err := w.FetchBody(context.Background(), "Machin", list[0].ID)
	if err != nil || sum.Partial || sum.ID != list[0].ID {
		t.Fatalf("FetchBody = %+v, %v", sum, err)
	}
	rc, err := store.Open(context.Background(), sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	if !strings.HasSuffix(string(data), "\n\nbody\n") || strings.Contains(string(data), mailstore.PartialField) {
		t.Errorf("the stored message after FetchBody:\n%s", data)
	}
	if _, err := w.FetchBody(context.Background(), "Nobody", 1); err != ErrUnknownAccount {
		t.Errorf("FetchBody of an unknown account: %v", err)
	}
}

func TestCheckCancelledStopsTheCheck(t *testing.T) {
	a := account.Account{Name: "Muet", Protocol: account.POP3, Identity: account.Identity{Address: "marc@muet.test"},
		Incoming: accounttest.Mute(t, pop3test.User)}
	w := start(t, Options{Store: storetest.Open(t), Profile: t.TempDir(), Secret: password("secret"), PollInterval: time.Hour}, a)
	eventually(t, "the first check under way", func() bool {
		st := w.Status()
		return len(st) == 1 && st[0].State == Checking
	})
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan []Result, 1)
	go func() { res <- w.Check(ctx) }()
	cancel()
	got := <-res
	if len(got) != 1 || !errors.Is(got[0].Err, ErrCancelled) {
		t.Fatalf("Check after cancel = %+v, want ErrCancelled", got)
	}
	eventually(t, "the stalled check to stop", func() bool {
		st := w.Status()
		return len(st) == 1 && st[0].State == Waiting && st[0].LastError == nil
	})
	if tr, _ := w.Transcript("Muet"); !strings.Contains(tr, "--- cancelled ---") {
		t.Errorf("transcript:\n%s", tr)
	}
}

func TestCheckOnlyTheAccountsNamed(t *testing.T) {
	a, srvA := pop3Server(t)
	b, srvB := pop3Server(t)
	b.Name = "Bidule"
	store := storetest.Open(t)
	w := start(t, Options{Store: store, Profile: t.TempDir(), Secret: password("secret"), PollInterval: time.Hour}, a, b)
	eventually(t, "the first checks", func() bool {
		st := w.Status()
		return len(st) == 2 && st[0].State == Waiting && st[1].State == Waiting
	})
	deliver(t, srvA, "pour Truc")
	deliver(t, srvB, "pour Bidule")
	res := w.CheckOnly(context.Background(), []string{"Bidule"})
	if len(res) != 1 || res[0].Account != "Bidule" || res[0].New != 1 || res[0].Err != nil {
		t.Fatalf("CheckOnly(Bidule) = %+v", res)
	}
	if n := count(t, store, mailstore.FolderRef{Account: "Truc", Name: "INBOX"}); n != 0 {
		t.Errorf("Truc was checked too: %d messages", n)
	}
}
