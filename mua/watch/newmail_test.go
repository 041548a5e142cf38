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
	go func() {
		Notify(ctx, s, NotifyOptions{Coalesce: 300 * time.Millisecond, Now: func() time.Time { return now }},
			func(m NewMail) { got <- m })
		close(ended)
	}()
	time.Sleep(50 * time.Millisecond) // let it subscribe

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
	select {
	case m := <-got:
		t.Errorf("a second notification: %+v", m)
	case <-time.After(500 * time.Millisecond):
	}
	cancel()
	<-ended
}
