package main

import (
	"slices"
	"strings"
	"testing"

	"facteur/mua/imapsync/imaptest"
)

// folder create, rename and delete change the IMAP server's folders and
// the store's; a folder with messages is deleted only with --force.
func TestFolderCommands(t *testing.T) {
	dir, srv := syncedIMAPAccount(t)
	steps := []struct {
		args   []string
		code   int
		told   string
		server []string
	}{
		{[]string{"folder", "create", "ex", "Projets"}, 0, "folder ex/Projets created", []string{"INBOX", "Projets"}},
		{[]string{"folder", "create", "ex", "projets"}, 1, "exists already", []string{"INBOX", "Projets"}},
		{[]string{"folder", "rename", "ex", "Projets", "Travaux"}, 0, "renamed ex/Travaux", []string{"INBOX", "Travaux"}},
		{[]string{"folder", "delete", "nope", "Travaux"}, 1, "nope", []string{"INBOX", "Travaux"}},
		{[]string{"folder", "delete", "ex", "Travaux"}, 0, "folder ex/Travaux deleted", []string{"INBOX"}},
		{[]string{"folder", "create", "Local", "Notes/2026"}, 0, "created", []string{"INBOX"}},
	}
	for _, st := range steps {
		code, out, errOut := facteurIn(t, dir, "", st.args...)
		if code != st.code || !strings.Contains(out+errOut, st.told) {
			t.Fatalf("%q: code %d, %q %q; want %d and %q", st.args, code, out, errOut, st.code, st.told)
		}
		if got := imaptest.Mailboxes(t, srv.Addr); !slices.Equal(got, st.server) {
			t.Fatalf("after %q the server has %q, want %q", st.args, got, st.server)
		}
	}
	imaptest.Append(t, srv.Addr, "INBOX", "From: a@b.test\r\nSubject: m0\r\nMessage-ID: <m0@b.test>\r\n\r\nbody\r\n")
	if code, _, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := facteurIn(t, dir, "", "folder", "create", "ex", "Old"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := facteurIn(t, dir, "", "move", searchIDs(t, dir, "from:a@b.test")["m0"], "ex/Old"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := facteurIn(t, dir, "", "folder", "delete", "ex", "Old")
	if code == 0 || !strings.Contains(errOut, "holds 1 messages") {
		t.Fatalf("delete of a folder with a message: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := facteurIn(t, dir, "", "folder", "delete", "--force", "ex", "Old"); code != 0 {
		t.Fatal(errOut)
	}
	if got := imaptest.Mailboxes(t, srv.Addr); !slices.Equal(got, []string{"INBOX"}) {
		t.Errorf("server after delete --force: %q", got)
	}
}
