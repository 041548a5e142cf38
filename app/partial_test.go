package app

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"facteur/mailstore"
	"facteur/mua/account"
)

// imapRemote is an imapmemserver with marc/secret on 127.0.0.1:0 holding
// one message in INBOX.
func imapRemote(t *testing.T, subject, body string) account.Account {
	t.Helper()
	user := imapmemserver.NewUser("marc", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	t.Cleanup(func() { srv.Close(); <-done })
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("marc", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprintf("From: Fred <fred@truc.test>\r\nTo: marc@machin.test\r\nMessage-ID: <1@truc.test>\r\nSubject: %s\r\n\r\n%s\r\n", subject, body)
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	io.WriteString(cmd, raw)
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"},
		Incoming: account.Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: account.SecurityNone, User: "marc"}}
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
