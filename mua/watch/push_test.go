package watch

import (
	"context"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/imapsync"
	"facteur/mua/imapsync/imaptest"
)

// An action journaled by another Syncer on the same state reaches the
// server with Push, while the account waits in IDLE, without a check.
func TestPushReplaysWithoutACheck(t *testing.T) {
	a, _ := imapServer(t)
	appendIMAP(t, a, 2)
	store := storetest.Open(t)
	profile := t.TempDir()
	state, err := imapsync.OpenState(context.Background(), profile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { state.Close() })
	changed := make(chan Status, 100)
	w := start(t, Options{Store: store, Profile: profile, State: state, Secret: password("secret"), PollInterval: time.Hour,
		OnChange: func(s Status) { changed <- s }}, a)
	waitStatus(t, changed, "waiting in IDLE", func(s Status) bool { return s.State == Waiting && s.Idle })
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
