package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
)

// imapRemote is an imapmemserver with marc/secret on 127.0.0.1:0 holding
// one message in INBOX.
func imapRemote(t *testing.T, subject, body string) account.Account {
	t.Helper()
	srv := imaptest.Start(t, imaptest.NewUser(t))
	imaptest.Append(t, srv.Addr, "INBOX",
		fmt.Sprintf("From: Fred <fred@truc.test>\r\nTo: marc@machin.test\r\nMessage-ID: <1@truc.test>\r\nSubject: %s\r\n\r\n%s\r\n", subject, body))
	return account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"},
		Incoming: srv.Incoming()}
}

func TestReaderDownloadsThePartialBody(t *testing.T) {
	h := newHarness(t)
	h.addAccount(imapRemote(t, "headers first", "le corps arrive à l'ouverture"), "secret")
	h.c.reloadAccounts()
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	h.waitFor("the headers-first sync", func() bool {
		n, _, _ := h.store.Count(context.Background(), inbox)
		return n == 1
	})
	list, _ := h.store.List(context.Background(), inbox, mailstore.ListOptions{Limit: 1})
	if len(list) != 1 || !list[0].Partial {
		t.Fatalf("want one partial message, got %+v", list)
	}
	h.c.openFolder(inbox)
	h.settle()
	h.open("headers first")
	h.waitFor("the body", func() bool { return strings.Contains(h.c.ui.reader.body.Text, "le corps arrive") })
	if h.c.ui.reader.sum.Partial {
		t.Error("the reader still holds the partial summary")
	}
	if s, err := h.store.Get(context.Background(), list[0].ID); err != nil || s.Partial {
		t.Errorf("in the store after opening: %+v, %v", s, err)
	}
}

func TestSubscribedOnly(t *testing.T) {
	f := func(acct, name string, role mailstore.Role) mailstore.Folder {
		return mailstore.Folder{Ref: mailstore.FolderRef{Account: acct, Name: name}, Role: role}
	}
	folders := []mailstore.Folder{
		f("Machin", "INBOX", mailstore.RoleInbox), f("Machin", "Lists/golang", ""), f("Machin", "Old", ""),
		f("Machin", "Local only", ""), f("Local", "INBOX", mailstore.RoleInbox), f("Truc", "Archive", ""),
	}
	subs := map[string]map[string]bool{
		"Machin": {"INBOX": false, "Lists/golang": true, "Old": false}, // an INBOX stays, whatever the server says
		"Truc":   nil,                                                  // a server that does not tell
	}
	var names []string
	for _, x := range subscribedOnly(folders, func(a string) map[string]bool { return subs[a] }) {
		names = append(names, x.Ref.String())
	}
	want := "Machin/INBOX Machin/Lists/golang Machin/Local only Local/INBOX Truc/Archive"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("kept %q, want %q", got, want)
	}
}

func TestAccountsWindowCountsBodiesOnTheServer(t *testing.T) {
	h := newHarness(t)
	h.addAccount(imapRemote(t, "headers first", "corps"), "secret")
	h.c.reloadAccounts()
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	h.waitFor("the headers-first sync", func() bool {
		n, _, _ := h.store.Count(context.Background(), inbox)
		return n == 1
	})
	aw := h.c.showAccounts()
	h.waitFor("the counts", func() bool { return strings.Contains(aw.stored.Text, "1 in ") })
	if !strings.Contains(aw.stored.Text, "1 with their body still on the server") {
		t.Errorf("stored: %q", aw.stored.Text)
	}
}
