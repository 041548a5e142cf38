package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"facteur/internal/profile"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
)

// Issue 11, item 5: on a fresh profile, `sync` (two of them, of the same
// account), `import` and `rescan` started together as real processes all
// succeed, 20 times over: the index, its folders and the IMAP state are
// created once, whoever comes first, and each message is stored once.
func TestConcurrentFirstUse(t *testing.T) {
	bin := facteurBinary(t)
	srv := imaptest.Start(t, imaptest.NewUser(t, "Archive"))
	const remote = 5
	for i := range remote {
		imaptest.Append(t, srv.Addr, "INBOX", fmt.Sprintf("From: a@example.test\r\nSubject: m%d\r\nMessage-ID: <m%d@example.test>\r\n\r\nbody %d\r\n", i, i, i))
	}
	for round := range 20 {
		dir := t.TempDir()
		writeIMAPAccount(t, dir, "ex", srv.Incoming())
		procs := []*proc{
			startFacteur(t, bin, dir, "sync 1", "sync", "--offline"),
			startFacteur(t, bin, dir, "import", "import", "--quiet", "testdata/three.mbox"),
			startFacteur(t, bin, dir, "rescan", "rescan", "--quiet"),
			startFacteur(t, bin, dir, "sync 2", "sync", "--offline", "ex"),
		}
		for _, p := range procs {
			if err := p.cmd.Wait(); err != nil || strings.Contains(p.stderr.String(), "facteur:") {
				t.Fatalf("round %d: %s: %v\nstdout: %s\nstderr: %s", round, p.name, err, &p.stdout, &p.stderr)
			}
		}
		wantCount(t, dir, mailstore.FolderRef{Account: "Local", Name: "three"}, 3)
		wantCount(t, dir, mailstore.FolderRef{Account: "ex", Name: "INBOX"}, remote)
	}
}

// writeIMAPAccount saves an IMAP account of the imaptest user marc/secret,
// its password in the profile's file.
func writeIMAPAccount(t *testing.T, dir, name string, in account.Server) {
	t.Helper()
	p, err := profile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{Name: name, Identity: account.Identity{Address: "marc@example.test"}, Protocol: account.IMAP, Incoming: in}
	if err := account.OpenBook(p.ConfigFile()).Add(a); err != nil {
		t.Fatal(err)
	}
	if err := account.OpenCredentials(dir, account.BackendFile).Set(account.PasswordKey(name, false), imaptest.Password); err != nil {
		t.Fatal(err)
	}
}

// wantCount checks the number of messages of a folder of the profile dir.
func wantCount(t *testing.T, dir string, ref mailstore.FolderRef, want int) {
	t.Helper()
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, _, err := s.Count(context.Background(), ref)
	if err != nil || n != want {
		t.Fatalf("%s: %d messages (%v), want %d", ref, n, err, want)
	}
}
