package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/mua/imapsync/imaptest"
)

// addIMAPAccount adds the account "ex" of the plaintext IMAP server at
// addr (imaptest's user), without the login test.
func addIMAPAccount(t *testing.T, dir, addr string) {
	t.Helper()
	code, out, errOut := facteurIn(t, dir, imaptest.Password+"\n", "account", "add", "--name", "ex",
		"--address", "marc@machin.test", "--user", imaptest.User, "--imap", addr, "--security", "none",
		"--password-stdin", "--no-test")
	if code != 0 {
		t.Fatalf("account add: code %d, %q %q", code, out, errOut)
	}
}

// syncedIMAPAccount is a profile directory whose account "ex" (addIMAPAccount)
// is on a new imaptest server with these folders besides INBOX, synced once.
func syncedIMAPAccount(t *testing.T, folders ...string) (string, *imaptest.Server) {
	t.Helper()
	dir := t.TempDir()
	srv := imaptest.Start(t, imaptest.NewUser(t, folders...))
	addIMAPAccount(t, dir, srv.Addr)
	if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	return dir, srv
}

// closedTCPAddr is a loopback address where nothing listens.
func closedTCPAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestSyncErrorPrintedOnce: a failed sync tells its error once, in the
// account's words, and exits 1 (issue 11.7).
func TestSyncErrorPrintedOnce(t *testing.T) {
	dir := t.TempDir()
	addIMAPAccount(t, dir, closedTCPAddr(t))
	code, _, errOut := facteur(t, dir, "sync")
	if code != 1 {
		t.Fatalf("sync of an unreachable server: code %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "ex: cannot reach the server") {
		t.Fatalf("stderr %q: want the error once, as \"ex: cannot reach the server...\"", errOut)
	}
}

// TestSyncSummaryCountsWhatWasStored: after an index rebuild the copies in
// the store are matched again, and the summary does not call them new
// (issue 11.7).
func TestSyncSummaryCountsWhatWasStored(t *testing.T) {
	srv := imaptest.Start(t, imaptest.NewUser(t))
	for i := range 3 {
		imaptest.Append(t, srv.Addr, "INBOX", fmt.Sprintf("From: a@b.test\r\nSubject: m%d\r\nMessage-ID: <m%d@b.test>\r\n\r\nbody\r\n", i, i))
	}
	dir := t.TempDir()
	addIMAPAccount(t, dir, srv.Addr)
	if code, out, errOut := facteur(t, dir, "sync"); code != 0 || !strings.Contains(out, "ex: 1 folders, 3 new,") || strings.Contains(out, "already") {
		t.Fatalf("first sync: code %d, %q %q", code, out, errOut)
	}
	for _, ext := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, "index.sqlite"+ext))
	}
	code, out, errOut := facteur(t, dir, "sync")
	if code != 0 || !strings.Contains(out, "ex: 1 folders, 0 new,") || !strings.Contains(out, "3 found already in the store") {
		t.Fatalf("sync after an index rebuild: code %d, %q %q", code, out, errOut)
	}
}

// TestSyncUnknownAccount: `facteur sync NAME` with a name that is no
// account fails and lists the accounts, instead of syncing nothing.
func TestSyncUnknownAccount(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		setup  []string // an `account add` run first, if any
		args   []string
		code   int
		stderr string
	}{
		{"no account at all", nil, []string{"sync", "nope"}, 1, `"nope": there is no account yet`},
		{"an unknown name", []string{"account", "add", "--name", "work", "--address", "marc@example.test",
			"--imap", "127.0.0.1:1", "--smtp", "127.0.0.1:1", "--security", "none", "--allow-plaintext", "--no-test"},
			[]string{"sync", "no-such-account"}, 1, `"no-such-account": the accounts are work`},
		{"two names", nil, []string{"sync", "work", "other"}, 2, "one account name at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				if code, out, errOut := facteur(t, dir, tt.setup...); code != 0 {
					t.Fatalf("%v: code %d, %q %q", tt.setup, code, out, errOut)
				}
			}
			code, out, errOut := facteur(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("%v: code %d, stdout %q, stderr %q; want code %d and %q", tt.args, code, out, errOut, tt.code, tt.stderr)
			}
		})
	}
}
