package main

import (
	"context"
	"testing"

	"facteur/localmta/mda"
	"facteur/localmta/pop3d/pop3test"
	"facteur/mua/account"
)

func TestParsePOP3Delete(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want account.Options
		ok   bool
	}{
		{"keep", account.Options{}, true},
		{"downloaded", account.Options{DeleteAfterDownload: true}, true},
		{"days=14", account.Options{DeleteAfterDays: 14}, true},
		{"deleted", account.Options{DeleteWhenDeleted: true}, true},
		{"days=30,deleted", account.Options{DeleteAfterDays: 30, DeleteWhenDeleted: true}, true},
		{"days=0", account.Options{}, false},
		{"days=x", account.Options{}, false},
		{"keep,deleted", account.Options{}, false},
		{"always", account.Options{}, false},
	} {
		got, err := parsePOP3Delete(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parsePOP3Delete(%q) = %+v, %v; want %+v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestPOP3DeleteWhenDeletedHere: a POP3 account added with --pop3-delete
// deleted keeps its mail on the server (Facteur's own POP3 server) until
// `facteur delete` puts a message in the Trash: the next sync removes
// that one from the server, and that one only.
func TestPOP3DeleteWhenDeletedHere(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	for _, s := range []string{"Un", "Deux"} {
		srv.Add(t, "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: "+s+"\r\n\r\n"+s+"\r\n")
	}
	onServer := func() int {
		n, _, err := srv.Store.Count(context.Background(), mda.LocalInbox)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	dir := t.TempDir()
	code, out, errOut := facteurIn(t, dir, pop3test.Password+"\n", "account", "add", "--name", "pop",
		"--address", "marc@machin.com", "--user", pop3test.User, "--pop3", srv.Addr, "--security", "none",
		"--pop3-delete", "deleted", "--password-stdin", "--no-test")
	if code != 0 {
		t.Fatalf("account add: code %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := facteur(t, dir, "sync"); code != 0 || onServer() != 2 {
		t.Fatalf("first sync: code %d, %q %q; %d on the server, want 2", code, out, errOut, onServer())
	}
	ids := searchIDs(t, dir, "subject:Un")
	if code, out, errOut := facteur(t, dir, "delete", ids["Un"]); code != 0 {
		t.Fatalf("delete: code %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := facteur(t, dir, "sync"); code != 0 || onServer() != 1 {
		t.Fatalf("sync after the delete: code %d, %q %q; %d on the server, want 1", code, out, errOut, onServer())
	}
	if code, _, _ := facteurIn(t, dir, "", "account", "add", "--name", "imap", "--address", "marc@machin.com",
		"--imap", srv.Addr, "--pop3-delete", "deleted", "--no-test"); code != 2 {
		t.Errorf("--pop3-delete on an IMAP account: code %d, want a usage error", code)
	}
}
