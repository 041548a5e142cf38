package watch

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/imapsync/imaptest"
)

// An action journaled by another Syncer on the same state reaches the
// server with Push, while the account waits in IDLE, without a check.
func TestPushReplaysWithoutACheck(t *testing.T) {
	a, _ := imapServer(t)
	w, store, state, changed := idleWatcher(t, a)
	checked := w.Status()[0].LastCheck

	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	list, err := store.List(context.Background(), inbox, mailstore.ListOptions{Limit: 10})
	if err != nil || len(list) != 2 {
		t.Fatalf("local INBOX = %v, %v", list, err)
	}
	sy := imapsync.New(a, "", imapsync.Options{Store: store, State: state}) // journals, never connects
	if err := sy.SetFlags(context.Background(), []int64{list[0].ID}, mailstore.FlagFlagged, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("Machin"); err != nil {
		t.Fatal(err)
	}
	st := waitStatus(t, changed, "the push", func(s Status) bool { return !s.LastPush.IsZero() })
	if st.Pushed != 1 || st.PushError != nil || !st.LastCheck.Equal(checked) {
		t.Errorf("status after Push = %+v, want one action sent and no check", st)
	}
	addr := net.JoinHostPort(a.Incoming.Host, strconv.Itoa(a.Incoming.Port))
	subjects, flags := imaptest.Messages(t, addr, "INBOX")
	i := slices.Index(subjects, list[0].Subject)
	if i < 0 || !slices.Contains(flags[i], imap.FlagFlagged) {
		t.Errorf("server INBOX %v %v: %q is not flagged", subjects, flags, list[0].Subject)
	}
	waitStatus(t, changed, "IDLE again", func(s Status) bool { return s.State == Waiting && s.Idle })
	if err := w.Push("Nobody"); err != ErrUnknownAccount {
		t.Errorf("Push of an unknown account = %v", err)
	}
}

// idleWatcher appends two messages to a's INBOX and watches a, with a
// state of its own (for a test's journaling Syncer), until it waits in
// IDLE; changed gets every status.
func idleWatcher(t *testing.T, a account.Account) (w *Watcher, store *mailstore.Store, state *imapsync.State, changed chan Status) {
	t.Helper()
	appendIMAP(t, a, 2)
	store = storetest.Open(t)
	profile := t.TempDir()
	state, err := imapsync.OpenState(context.Background(), profile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { state.Close() })
	changed = make(chan Status, 100)
	w = start(t, Options{Store: store, Profile: profile, State: state, Secret: password("secret"), PollInterval: time.Hour,
		OnChange: func(s Status) { changed <- s }}, a)
	waitStatus(t, changed, "waiting in IDLE", func(s Status) bool { return s.State == Waiting && s.Idle })
	return w, store, state, changed
}

// waitStatus reads the statuses OnChange gives until one satisfies cond.
func waitStatus(t *testing.T, changed <-chan Status, what string, cond func(Status) bool) Status {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case s := <-changed:
			if cond(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("never: %s", what)
		}
	}
}

// A keyword that the server does not keep (no \* in PERMANENTFLAGS) is
// told in the account's status, whether a push or a check sent it: the
// actions were sent (no PushError), the keyword stays local.
func TestRefusedKeywordsInTheStatus(t *testing.T) {
	a, _ := imapServer(t)
	a.Incoming = imaptest.StartNoKeywords(t, imaptest.NewUser(t)).Incoming()
	w, store, state, changed := idleWatcher(t, a)
	ctx := context.Background()
	list, err := store.List(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"}, mailstore.ListOptions{Limit: 10})
	if err != nil || len(list) != 2 {
		t.Fatalf("local INBOX = %v, %v", list, err)
	}
	sy := imapsync.New(a, "", imapsync.Options{Store: store, State: state}) // journals, never connects
	for _, step := range []struct {
		keyword string
		send    func() error
	}{
		{"Work", func() error { return w.Push("Machin") }},
		{"$Label2", func() error {
			if r := w.CheckOnly(ctx, []string{"Machin"}); len(r) != 1 || r[0].Err != nil {
				t.Errorf("check = %+v", r)
			}
			return nil
		}},
	} {
		if err := sy.SetKeywords(ctx, []int64{list[0].ID}, []string{step.keyword}, nil); err != nil {
			t.Fatal(err)
		}
		if err := step.send(); err != nil {
			t.Fatal(err)
		}
		st := waitStatus(t, changed, step.keyword+" refused", func(s Status) bool {
			return s.Refused != nil && strings.Contains(s.Refused.Error(), step.keyword)
		})
		var kr *imapsync.KeywordsRefusedError
		if !errors.As(st.Refused, &kr) || st.RefusedAt.IsZero() || st.PushError != nil || st.LastError != nil {
			t.Errorf("status after %s: Refused %v at %v, PushError %v, LastError %v", step.keyword, st.Refused, st.RefusedAt, st.PushError, st.LastError)
		}
	}
}
