package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
	"facteur/mua/imapsync/imaptest"
)

// writeScript writes a Sieve script to a temporary file.
func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFilterCheck: a good script is ok; a bad one is told with its line
// and column; reject is for the Local account only.
func TestFilterCheck(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, src string
		args      []string
		code      int
		want      string
	}{
		{"good", "require \"fileinto\";\nif header :contains \"Subject\" \"x\" { fileinto \"X\"; }\n", nil, 0, "good.sieve: ok"},
		{"syntax", "require \"fileinto\";\nif header :contains \"Subject\" { fileinto \"X\"; }\n", nil, 1, "syntax.sieve:2:"},
		{"unknown", "frobnicate;\n", nil, 1, "unknown.sieve:1:1:"},
		{"reject-local", "require \"reject\";\nreject \"no\";\n", nil, 0, "ok"},
		{"reject-remote", "require \"reject\";\nreject \"no\";\n", []string{"--account", "ex"}, 1, "reject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeScript(t, tt.name+".sieve", tt.src)
			code, out, errOut := facteur(t, dir, append(append([]string{"filter", "check"}, tt.args...), path)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("code %d (want %d), out %q, err %q (want %q)", code, tt.code, out, errOut, tt.want)
			}
		})
	}
}

// TestFilterInstallShow: install puts the script in the profile and show
// prints it back; a bad script is refused and not installed.
func TestFilterInstallShow(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := facteur(t, dir, "filter", "show"); code != 1 || !strings.Contains(errOut, "no script") {
		t.Fatalf("show without a script: code %d, %q", code, errOut)
	}
	bad := writeScript(t, "bad.sieve", "if true {\n")
	if code, _, _ := facteur(t, dir, "filter", "install", bad); code != 1 {
		t.Fatalf("install of a bad script: code %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "filters", "Local.sieve")); err == nil {
		t.Fatal("a bad script was installed")
	}
	src := "require \"fileinto\";\nfileinto \"Kept\";\n"
	if code, out, errOut := facteur(t, dir, "filter", "install", writeScript(t, "ok.sieve", src)); code != 0 || !strings.Contains(out, "Local: installed") {
		t.Fatalf("install: code %d, %q %q", code, out, errOut)
	}
	if code, out, _ := facteur(t, dir, "filter", "show"); code != 0 || out != src {
		t.Fatalf("show: code %d, %q", code, out)
	}
	if code, _, errOut := facteur(t, dir, "filter", "install", "--account", "nobody", writeScript(t, "ok.sieve", src)); code != 1 || !strings.Contains(errOut, `no account "nobody"`) {
		t.Fatalf("install for an unknown account: code %d, %q", code, errOut)
	}
}

// storeSnapshot lists every message of the profile's store: folder, id,
// flags, subject.
func storeSnapshot(t *testing.T, dir string) []string {
	t.Helper()
	ctx := context.Background()
	s := profileStore(t, dir)
	defer s.Close()
	folders, err := s.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range folders {
		list, err := s.List(ctx, f.Ref, mailstore.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			out = append(out, fmt.Sprintf("%s %d %v %s", f.Ref, m.ID, m.Flags, m.Subject))
		}
	}
	slices.Sort(out)
	return out
}

const lunchScript = `require ["fileinto", "imap4flags"];
if address :domain "From" "example.net" {
	fileinto "Bob";
} elsif header :contains "Subject" "Lunch" {
	addflag "\\Flagged";
}
`

// TestFilterTestIsADryRun: `filter test` explains each message (the rule,
// the header it matched, the actions) and changes nothing; `filter run`
// then does what it said.
func TestFilterTestIsADryRun(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := facteur(t, dir, "import", "--folder", "INBOX", "testdata/three.mbox"); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	script := writeScript(t, "lunch.sieve", lunchScript)
	before := storeSnapshot(t, dir)
	code, out, errOut := facteur(t, dir, "filter", "test", "--folder", "INBOX", script)
	if code != 0 {
		t.Fatalf("test: code %d, %q", code, errOut)
	}
	for _, want := range []string{
		"Re: Lunch on Friday\n    matched line 2: if address :domain \"From\" \"example.net\" {\n      on from \"example.net\" (key \"example.net\")",
		"-> file into \"Bob\"",
		"Lunch on Friday\n    matched line 4: } elsif header :contains \"Subject\" \"Lunch\" {\n      on Subject \"Lunch on Friday\" (key \"Lunch\")\n    -> keep in INBOX (implicit keep) with flags \\Flagged",
		"Réunion de lundi\n    -> keep in INBOX (implicit keep)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if after := storeSnapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Fatalf("the dry run changed the store:\nbefore %q\nafter  %q", before, after)
	}
	if code, _, errOut := facteur(t, dir, "filter", "install", script); code != 0 {
		t.Fatalf("install: %s", errOut)
	}
	if code, out, errOut := facteur(t, dir, "filter", "run", "--folder", "INBOX"); code != 0 || !strings.Contains(out, "3 filtered: 1 moved") {
		t.Fatalf("run: code %d, %q %q", code, out, errOut)
	}
	if code, out, _ := facteur(t, dir, "search", "--folder", "Bob", "lunch"); code != 0 || !strings.Contains(out, "Re: Lunch on Friday") {
		t.Fatalf("after run, Local/Bob: %q", out)
	}
}

// TestFilterRunIMAP: `filter run` on an IMAP account moves and flags on
// the server, through the journaled Syncer.
func TestFilterRunIMAP(t *testing.T) {
	srv := imaptest.Start(t, imaptest.NewUser(t, "Bob"))
	imaptest.Append(t, srv.Addr, "INBOX",
		"From: Alice <alice@example.org>\r\nSubject: Lunch on Friday\r\nMessage-ID: <1@x>\r\n\r\nhi\r\n",
		"From: Bob <bob@example.net>\r\nSubject: Re: Lunch on Friday\r\nMessage-ID: <2@x>\r\n\r\nyes\r\n",
		"From: Carol <carol@example.com>\r\nSubject: Other\r\nMessage-ID: <3@x>\r\n\r\nno\r\n")
	dir := t.TempDir()
	addIMAPAccount(t, dir, srv.Addr)
	if code, _, errOut := facteur(t, dir, "filter", "install", "--account", "ex", writeScript(t, "s.sieve", lunchScript)); code != 0 {
		t.Fatalf("install: %s", errOut)
	}
	if code, out, errOut := facteur(t, dir, "filter", "run", "--account", "ex", "--folder", "INBOX"); code != 0 || !strings.Contains(out, "ex: 3 filtered: 1 moved, 0 copied, 1 flagged") {
		t.Fatalf("run: code %d, %q %q", code, out, errOut)
	}
	inbox, flags := imaptest.Messages(t, srv.Addr, "INBOX")
	if !reflect.DeepEqual(inbox, []string{"Lunch on Friday", "Other"}) {
		t.Fatalf("server INBOX %q", inbox)
	}
	if !slices.Contains(flags[0], "\\Flagged") || slices.Contains(flags[1], "\\Flagged") {
		t.Errorf("server flags %v", flags)
	}
	if bob, _ := imaptest.Messages(t, srv.Addr, "Bob"); !reflect.DeepEqual(bob, []string{"Re: Lunch on Friday"}) {
		t.Errorf("server Bob %q", bob)
	}
}

// TestSyncRunsFilters: `facteur sync` runs the account's script on the new
// INBOX mail, and its move reaches the server in the same run.
func TestSyncRunsFilters(t *testing.T) {
	srv := imaptest.Start(t, imaptest.NewUser(t, "Bob"))
	dir := t.TempDir()
	addIMAPAccount(t, dir, srv.Addr)
	if code, _, errOut := facteur(t, dir, "sync"); code != 0 {
		t.Fatalf("first sync: %s", errOut)
	}
	if code, _, errOut := facteur(t, dir, "filter", "install", "--account", "ex", writeScript(t, "s.sieve", lunchScript)); code != 0 {
		t.Fatalf("install: %s", errOut)
	}
	imaptest.Append(t, srv.Addr, "INBOX",
		"From: Bob <bob@example.net>\r\nSubject: Re: Lunch on Friday\r\nMessage-ID: <2@x>\r\n\r\nyes\r\n",
		"From: Carol <carol@example.com>\r\nSubject: Other\r\nMessage-ID: <3@x>\r\n\r\nno\r\n")
	code, out, errOut := facteur(t, dir, "sync")
	if code != 0 || !strings.Contains(out, "ex: filters: 2 filtered: 1 moved") {
		t.Fatalf("sync: code %d, %q %q", code, out, errOut)
	}
	if inbox, _ := imaptest.Messages(t, srv.Addr, "INBOX"); !reflect.DeepEqual(inbox, []string{"Other"}) {
		t.Errorf("server INBOX %q", inbox)
	}
	if bob, _ := imaptest.Messages(t, srv.Addr, "Bob"); !reflect.DeepEqual(bob, []string{"Re: Lunch on Friday"}) {
		t.Errorf("server Bob %q", bob)
	}
}
