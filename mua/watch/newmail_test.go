package watch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"facteur/localmta/mda"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
)

func addMsg(t *testing.T, s *mailstore.Store, ref mailstore.FolderRef, subject string, date time.Time, flags mailstore.Flags) {
	t.Helper()
	raw := fmt.Sprintf("From: Fred <fred@truc.fr>\r\nTo: marc@localhost\r\nDate: %s\r\nSubject: %s\r\n\r\nbody\r\n",
		date.Format(time.RFC1123Z), subject)
	if _, err := s.Add(context.Background(), ref, strings.NewReader(raw), mailstore.AddOptions{Flags: flags}); err != nil {
		t.Fatal(err)
	}
}

func TestNotifyNewUnreadMailInInboxes(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	s := storetest.Open(t)
	archive := mailstore.FolderRef{Account: "Local", Name: "Archive"}
	for _, ref := range []mailstore.FolderRef{mda.LocalInbox, archive} {
		if err := s.CreateFolder(context.Background(), ref, ""); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan NewMail, 10)
	ended := make(chan struct{})
	sub := &subscribed{Store: s, done: make(chan struct{})}
	go func() {
		Notify(ctx, sub, NotifyOptions{Coalesce: 300 * time.Millisecond, Now: func() time.Time { return now }},
			func(m NewMail) { got <- m })
		close(ended)
	}()
	<-sub.done // it follows the store: what comes now is news

	addMsg(t, s, mda.LocalInbox, "old news", now.Add(-30*24*time.Hour), 0) // too old
	addMsg(t, s, mda.LocalInbox, "read already", now.Add(-time.Minute), mailstore.FlagSeen)
	addMsg(t, s, archive, "not an inbox", now.Add(-time.Minute), 0)
	addMsg(t, s, mda.LocalInbox, "first", now.Add(-2*time.Minute), 0)
	addMsg(t, s, mda.LocalInbox, "second", now.Add(-time.Minute), 0)

	select {
	case m := <-got:
		if m.Count != 2 || m.Latest.Subject != "second" || len(m.Accounts) != 1 || m.Accounts[0] != "Local" {
			t.Errorf("notification = count %d, latest %q, accounts %v; want 2, second, [Local]", m.Count, m.Latest.Subject, m.Accounts)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no notification")
	}
	// the next notification is of the next message alone: nothing of the
	// first ones was told twice
	addMsg(t, s, mda.LocalInbox, "third", now.Add(-time.Minute), 0)
	select {
	case m := <-got:
		if m.Count != 1 || m.Latest.Subject != "third" {
			t.Errorf("second notification = count %d, latest %q; want 1, third", m.Count, m.Latest.Subject)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no second notification")
	}
	cancel()
	<-ended
}

// subscribed is a store that tells when Notify subscribed to it.
type subscribed struct {
	*mailstore.Store
	done chan struct{}
}

func (s *subscribed) Subscribe(ctx context.Context) <-chan mailstore.Change {
	ch := s.Store.Subscribe(ctx)
	close(s.done)
	return ch
}
