package watch

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"facteur/internal/sieve"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/imapsync/imaptest"
)

// TestCheckRunsFilters: the background check runs the account's script on
// the new INBOX mail, and its move reaches the server.
func TestCheckRunsFilters(t *testing.T) {
	srv := imaptest.Start(t, imaptest.NewUser(t, "Lists"))
	a := account.Account{Name: "Machin", Protocol: account.IMAP,
		Identity: account.Identity{Address: "marc@machin.com"}, Incoming: srv.Incoming()}
	store := storetest.Open(t)
	prof := t.TempDir()
	opt := filter.Options{Store: store, Scripts: sieve.OpenScripts(filepath.Join(prof, "filters"))}
	script := "require \"fileinto\";\nif header :contains \"List-Id\" \"golang-nuts\" { fileinto \"Lists\"; }\n"
	if err := filter.Install(context.Background(), opt, a.Name, []byte(script)); err != nil {
		t.Fatal(err)
	}
	imaptest.Append(t, srv.Addr, "INBOX",
		"From: fred@truc.fr\r\nList-Id: <golang-nuts.googlegroups.com>\r\nMessage-ID: <1@truc.fr>\r\nSubject: digest\r\n\r\nbody\r\n",
		"From: fred@truc.fr\r\nMessage-ID: <2@truc.fr>\r\nSubject: plain\r\n\r\nbody\r\n")
	start(t, Options{Store: store, Profile: prof, Secret: password(imaptest.Password), PollInterval: time.Hour}, a)
	eventually(t, "the list message moved on the server", func() bool {
		lists, _ := imaptest.Messages(t, srv.Addr, "Lists")
		inbox, _ := imaptest.Messages(t, srv.Addr, "INBOX")
		return reflect.DeepEqual(lists, []string{"digest"}) && reflect.DeepEqual(inbox, []string{"plain"})
	})
}
