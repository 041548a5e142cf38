package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/submit/smtptest"
)

// searchJSON is what `facteur search --json QUERY` prints, and its text.
func searchJSON(t *testing.T, dir, query string) ([]jsonHit, string) {
	t.Helper()
	code, out, errOut := facteurIn(t, dir, "", "search", "--json", query)
	if code != 0 {
		t.Fatalf("search: code %d, %q", code, errOut)
	}
	var hits []jsonHit
	if err := json.Unmarshal([]byte(out), &hits); err != nil {
		t.Fatal(err)
	}
	return hits, out
}

// searchIDs are the ids of `facteur search --json QUERY`, by subject.
func searchIDs(t *testing.T, dir, query string) map[string]string {
	t.Helper()
	hits, _ := searchJSON(t, dir, query)
	ids := map[string]string{}
	for _, h := range hits {
		ids[h.Subject] = fmt.Sprint(h.ID)
	}
	return ids
}

// serverFolder is a server folder as "subject flag..." lines, flags
// sorted, \Recent left out.
func serverFolder(t *testing.T, addr, folder string) []string {
	t.Helper()
	subjects, flags := imaptest.Messages(t, addr, folder)
	var out []string
	for i, s := range subjects {
		line := []string{s}
		for _, f := range flags[i] {
			if f != `\Recent` {
				line = append(line, string(f))
			}
		}
		slices.Sort(line[1:])
		out = append(out, strings.Join(line, " "))
	}
	return out
}

// flag, move and delete act on the ids of search --json, and the IMAP
// server has the change when the command ends.
func TestMessageCommandsReachTheServer(t *testing.T) {
	tests := []struct {
		name string
		args func(ids map[string]string) []string
		told string
		want map[string][]string
	}{
		{"flag", func(ids map[string]string) []string {
			return []string{"flag", "--add", "seen", "--add", "flagged", ids["m1"], ids["m2"]}
		}, "+seen +flagged", map[string][]string{"INBOX": {`m0 \Seen`, `m1 \Flagged \Seen`, `m2 \Flagged \Seen`, "m3"}}},
		// imapmemserver writes keywords in lower case (RFC 9051 §2.3.2)
		{"flag keywords", func(ids map[string]string) []string {
			return []string{"flag", "--add", "$Label1", "--add", "Work", "--add", "forwarded", ids["m1"]}
		}, "+forwarded +$Label1 +Work", map[string][]string{"INBOX": {`m0 \Seen`, `m1 $Forwarded $label1 work`, "m2", "m3"}}},
		{"flag remove", func(ids map[string]string) []string {
			return []string{"flag", "--remove", "seen", ids["m0"]}
		}, "-seen", map[string][]string{"INBOX": {"m0", "m1", "m2", "m3"}}},
		{"move", func(ids map[string]string) []string { return []string{"move", ids["m1"], ids["m3"], "Archive"} },
			"moved to ex/Archive", map[string][]string{"INBOX": {`m0 \Seen`, "m2"}, "Archive": {"m1", "m3"}}},
		{"move ACCOUNT/FOLDER", func(ids map[string]string) []string { return []string{"move", ids["m2"], "ex/Archive"} },
			"moved to ex/Archive", map[string][]string{"INBOX": {`m0 \Seen`, "m1", "m3"}, "Archive": {"m2"}}},
		{"delete", func(ids map[string]string) []string { return []string{"delete", ids["m0"]} },
			"moved to the Trash", map[string][]string{"INBOX": {"m1", "m2", "m3"}, "Trash": {`m0 \Seen`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			srv := imaptest.Start(t, imaptest.NewUser(t, "Archive", "Trash"))
			for i := range 4 {
				imaptest.Append(t, srv.Addr, "INBOX", fmt.Sprintf("From: a@b.test\r\nSubject: m%d\r\nMessage-ID: <m%d@b.test>\r\n\r\nbody\r\n", i, i))
			}
			c := imaptest.Login(t, srv.Addr)
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
				t.Fatal(err)
			}
			addIMAPAccount(t, dir, srv.Addr)
			if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
				t.Fatalf("sync: %d %q %q", code, out, errOut)
			}
			code, out, errOut := facteurIn(t, dir, "", tt.args(searchIDs(t, dir, "from:a@b.test"))...)
			if code != 0 || !strings.Contains(out, tt.told) || !strings.Contains(out, "ex: the server took the change") {
				t.Fatalf("code %d, stdout %q, stderr %q; want %q and the server told", code, out, errOut, tt.told)
			}
			for folder, want := range tt.want {
				if got := serverFolder(t, srv.Addr, folder); !slices.Equal(got, want) {
					t.Errorf("server %s = %q, want %q", folder, got, want)
				}
			}
		})
	}
}

// delete of a message in the Trash already removes it for good, on the
// server too, and says so instead of telling it went to the Trash.
func TestDeleteInTrashSaysRemovedForGood(t *testing.T) {
	dir := t.TempDir()
	srv := imaptest.Start(t, imaptest.NewUser(t, "Trash"))
	imaptest.Append(t, srv.Addr, "INBOX", "From: a@b.test\r\nSubject: m0\r\nMessage-ID: <m0@b.test>\r\n\r\nbody\r\n")
	imaptest.Append(t, srv.Addr, "Trash", "From: a@b.test\r\nSubject: m1\r\nMessage-ID: <m1@b.test>\r\n\r\nbody\r\n")
	addIMAPAccount(t, dir, srv.Addr)
	if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	ids := searchIDs(t, dir, "from:a@b.test")
	code, out, errOut := facteurIn(t, dir, "", "delete", ids["m0"], ids["m1"])
	const told = "2 messages deleted: 1 moved to the Trash, 1 removed for good (in the Trash already)"
	if code != 0 || !strings.Contains(out, told) || !strings.Contains(out, "ex: the server took the change") {
		t.Fatalf("code %d, stdout %q, stderr %q; want %q and the server told", code, out, errOut, told)
	}
	if got, want := serverFolder(t, srv.Addr, "Trash"), []string{"m0"}; !slices.Equal(got, want) {
		t.Errorf("server Trash = %q, want %q", got, want)
	}
	if got := serverFolder(t, srv.Addr, "INBOX"); len(got) != 0 {
		t.Errorf("server INBOX = %q, want nothing", got)
	}
}

// With the server down the change is made in the store and waits in the
// journal; the next sync sends it.
func TestMessageCommandOffline(t *testing.T) {
	dir := t.TempDir()
	u := imaptest.NewUser(t)
	srv := imaptest.Start(t, u)
	imaptest.Append(t, srv.Addr, "INBOX", "From: a@b.test\r\nSubject: m0\r\nMessage-ID: <m0@b.test>\r\n\r\nbody\r\n")
	addIMAPAccount(t, dir, srv.Addr)
	if code, _, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatal(errOut)
	}
	id := searchIDs(t, dir, "from:a@b.test")["m0"]
	srv.Close()
	code, out, errOut := facteurIn(t, dir, "", "flag", "--add", "flagged", id)
	if code != 0 || !strings.Contains(out, "1 changes wait for the next sync") {
		t.Fatalf("offline flag: code %d, %q %q", code, out, errOut)
	}
	if got := searchIDs(t, dir, "from:a@b.test"); got["m0"] != id {
		t.Fatalf("search after: %v", got)
	}
}

// Bad input gets a clear error and changes nothing.
func TestMessageCommandsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		told string
	}{
		{[]string{"flag", "--add", "two words", "1"}, 2, "nor an IMAP keyword"},
		{[]string{"flag", "--add", `\Foo`, "1"}, 2, "nor an IMAP keyword"},
		{[]string{"flag", "--remove", "a(b", "1"}, 2, "nor an IMAP keyword"},
		{[]string{"flag", "--add", "a,b", "1"}, 2, "nor an IMAP keyword"},
		{[]string{"flag", "--add", "été", "1"}, 2, "nor an IMAP keyword"},
		{[]string{"flag", "--add", "Work", "--remove", "work", "1"}, 2, "both added and removed"},
		{[]string{"flag", "1"}, 2, "give --add or --remove"},
		{[]string{"flag", "--add", "seen", "--remove", "seen", "1"}, 2, "both added and removed"},
		{[]string{"flag", "--add", "seen", "x1"}, 2, `"x1" is no message id`},
		{[]string{"move", "1"}, 2, "give message ids and a folder"},
		{[]string{"delete"}, 2, "no message id"},
		{[]string{"delete", "999"}, 1, "no message 999 in the store"},
	} {
		code, out, errOut := facteurIn(t, dir, "", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.told) {
			t.Errorf("%v: code %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out, errOut, tt.code, tt.told)
		}
	}
}

// `facteur send` through an IMAP account files its copy in the server's
// Sent folder at once (an APPEND), as the window does.
func TestSendCopiesIntoTheIMAPSent(t *testing.T) {
	dir := t.TempDir()
	srv := imaptest.Start(t, imaptest.NewUser(t, "Sent"))
	sink := smtptest.Start(t, nil)
	code, out, errOut := facteurIn(t, dir, imaptest.Password+"\n", "account", "add", "--name", "ex",
		"--address", "marc@machin.test", "--user", imaptest.User, "--imap", srv.Addr, "--smtp", sink.Addr,
		"--security", "none", "--allow-plaintext", "--password-stdin", "--no-test")
	if code != 0 {
		t.Fatalf("account add: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	code, out, errOut = facteurIn(t, dir, "Bonjour.\n", "send", "--account", "ex", "--to", "fred@truc.test", "--subject", "Copie")
	if code != 0 || !strings.Contains(out, "sent through") || !strings.Contains(out, "ex: the server took the change") {
		t.Fatalf("send: %d %q %q", code, out, errOut)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("the SMTP server got %d messages", n)
	}
	if got := serverFolder(t, srv.Addr, "Sent"); !slices.Equal(got, []string{`Copie \Seen`}) {
		t.Errorf("server Sent = %q", got)
	}
	if code, out, _ := facteurIn(t, dir, "", "sync"); code != 0 || !strings.Contains(out, " 0 new") {
		t.Errorf("the sync after: %q, want no second copy", out)
	}
}

// `facteur import --folder ACCOUNT/FOLDER` into an IMAP account's folder
// puts the messages on its server (before, they stayed on this computer
// alone, where no sync would ever send them).
func TestImportIntoAnIMAPFolderReachesTheServer(t *testing.T) {
	dir, srv := syncedIMAPAccount(t, "Archive")
	mbox := filepath.Join(t.TempDir(), "old.mbox")
	data := "From a@b.test Mon Nov  2 10:00:00 2026\nFrom: a@b.test\nSubject: old1\nMessage-ID: <old1@b.test>\n\nbody\n\n" +
		"From a@b.test Mon Nov  2 10:00:00 2026\nFrom: a@b.test\nSubject: old2\nMessage-ID: <old2@b.test>\n\nbody\n"
	if err := os.WriteFile(mbox, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := facteurIn(t, dir, "", "import", "--quiet", "--folder", "ex/Archive", mbox)
	if code != 0 || !strings.Contains(out, "ex: the server took the change") {
		t.Fatalf("import: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got := serverFolder(t, srv.Addr, "Archive"); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"old1", "old2"}) {
		t.Errorf("server Archive = %q, want old1 and old2", got)
	}
	if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatalf("sync after the import: %d %q %q", code, out, errOut)
	}
	if _, out, _ := facteurIn(t, dir, "", "search", "--json", "from:a@b.test"); strings.Count(out, `"id"`) != 2 {
		t.Errorf("after the sync, the store holds %d copies of the 2 messages: %s", strings.Count(out, `"id"`), out)
	}
}

// `facteur import --folder ACCOUNT/NEW` with a folder the account does not
// have yet creates it on the server and puts the messages there (before,
// the import went into a Local folder named "ACCOUNT/NEW", which the
// Dovecot interop found); Local/NAME and a plain NAME stay Local.
func TestImportIntoANewIMAPFolder(t *testing.T) {
	dir, srv := syncedIMAPAccount(t)
	mbox := filepath.Join(t.TempDir(), "old.mbox")
	data := "From a@b.test Mon Nov  2 10:00:00 2026\nFrom: a@b.test\nSubject: new1\nMessage-ID: <new1@b.test>\n\nbody\n"
	if err := os.WriteFile(mbox, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ folder, into string }{
		{"ex/Nouveau", "ex/Nouveau"},
		{"Local/ex/Copie", "Local/ex/Copie"},
		{"Archives", "Local/Archives"},
	}
	for _, tt := range tests {
		code, out, errOut := facteurIn(t, dir, "", "import", "--quiet", "--folder", tt.folder, mbox)
		if code != 0 || !strings.Contains(out, "imported 1 messages") || !strings.Contains(out, "into "+tt.into) {
			t.Fatalf("import --folder %s: code %d, stdout %q, stderr %q; want into %s", tt.folder, code, out, errOut, tt.into)
		}
	}
	if got := serverFolder(t, srv.Addr, "Nouveau"); !slices.Equal(got, []string{"new1"}) {
		t.Errorf("server Nouveau = %q, want new1", got)
	}
	if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 || !strings.Contains(out, " 0 new") {
		t.Fatalf("sync after the import: %d %q %q, want nothing new", code, out, errOut)
	}
}

// keywordsOf are the keywords that `facteur search --json` gives, by
// subject.
func keywordsOf(t *testing.T, dir, query string) map[string][]string {
	t.Helper()
	hits, out := searchJSON(t, dir, query)
	kws := map[string][]string{}
	for _, h := range hits {
		if h.Keywords == nil {
			t.Fatalf("search --json: %s has no keywords array: %s", h.Subject, out)
		}
		kws[h.Subject] = h.Keywords
	}
	return kws
}

// A keyword set on the server comes with the sync and shows in search
// --json; `facteur flag --remove` takes it away on the server, `--add`
// gives one.
func TestFlagKeywordsBothWays(t *testing.T) {
	dir := t.TempDir()
	srv := imaptest.Start(t, imaptest.NewUser(t))
	for i := range 2 {
		imaptest.Append(t, srv.Addr, "INBOX", fmt.Sprintf("From: a@b.test\r\nSubject: m%d\r\nMessage-ID: <m%d@b.test>\r\n\r\nbody\r\n", i, i))
	}
	c := imaptest.Login(t, srv.Addr)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{"Work"}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	addIMAPAccount(t, dir, srv.Addr)
	if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	if got := keywordsOf(t, dir, "from:a@b.test"); !slices.Equal(got["m0"], []string{"work"}) || len(got["m1"]) != 0 {
		t.Fatalf("keywords after the sync: %q, want m0 work", got)
	}
	ids := searchIDs(t, dir, "from:a@b.test")
	code, out, errOut := facteurIn(t, dir, "", "flag", "--remove", "Work", "--add", "$Label2", ids["m0"])
	if code != 0 || !strings.Contains(out, "+$Label2 -Work") || !strings.Contains(out, "ex: the server took the change") {
		t.Fatalf("flag: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got, want := serverFolder(t, srv.Addr, "INBOX"), []string{"m0 $label2", "m1"}; !slices.Equal(got, want) {
		t.Errorf("server INBOX = %q, want %q", got, want)
	}
	if got := keywordsOf(t, dir, "from:a@b.test"); !slices.Equal(got["m0"], []string{"$Label2"}) {
		t.Errorf("keywords after flag: %q, want m0 $Label2", got)
	}
}

// A server that keeps no keywords (PERMANENTFLAGS without \\*): the
// command says so, the keyword stays local, and the next sync neither
// takes it away nor sends it again.
func TestFlagKeywordRefused(t *testing.T) {
	dir := t.TempDir()
	srv := imaptest.StartNoKeywords(t, imaptest.NewUser(t))
	imaptest.Append(t, srv.Addr, "INBOX", "From: a@b.test\r\nSubject: m0\r\nMessage-ID: <m0@b.test>\r\n\r\nbody\r\n")
	addIMAPAccount(t, dir, srv.Addr)
	if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	id := searchIDs(t, dir, "from:a@b.test")["m0"]
	code, out, errOut := facteurIn(t, dir, "", "flag", "--add", "Work", "--add", "seen", id)
	if code != 0 || !strings.Contains(errOut, "does not keep the keywords Work") {
		t.Fatalf("flag: code %d, stdout %q, stderr %q; want the refusal told", code, out, errOut)
	}
	if got, want := serverFolder(t, srv.Addr, "INBOX"), []string{`m0 \Seen`}; !slices.Equal(got, want) {
		t.Errorf("server INBOX = %q, want %q", got, want)
	}
	for range 2 {
		if code, out, errOut := facteurIn(t, dir, "", "sync"); code != 0 {
			t.Fatalf("sync: %d %q %q", code, out, errOut)
		}
		if got := keywordsOf(t, dir, "from:a@b.test"); !slices.Equal(got["m0"], []string{"Work"}) {
			t.Errorf("keywords after a sync: %q, want Work kept locally", got)
		}
	}
}

// TestMoveIntoAFullAccountWarns: `facteur move` of a Local message with
// the keywords Work and $Label1 into an IMAP account that has a letter
// for 26 keywords already (Work among them) moves it, says so, warns that
// $Label1 was left out, exits 0 and sends the message up with Work.
func TestMoveIntoAFullAccountWarns(t *testing.T) {
	dir, srv := syncedIMAPAccount(t, "Archive")
	ctx := context.Background()
	s := profileStore(t, dir)
	kept := mailstore.FolderRef{Account: "Local", Name: "Kept"}
	if err := s.CreateFolder(ctx, kept, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Add(ctx, kept, strings.NewReader("From: a@b.test\r\nSubject: full\r\nMessage-ID: <full@b.test>\r\n\r\nbody\r\n"), mailstore.AddOptions{Flags: mailstore.FlagSeen})
	if err != nil {
		t.Fatal(err)
	}
	u, err := mailstore.OpenUIDIndex(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.SetKeywords(ctx, "Local", []int64{sum.ID}, []string{"Work", "$Label1"}, nil); err != nil {
		t.Fatal(err)
	}
	u.Close()
	storetest.FullKeywords(t, s, "ex", "Work")
	s.Close()
	code, out, errOut := facteurIn(t, dir, "", "move", fmt.Sprint(sum.ID), "ex/Archive")
	if code != 0 || !strings.Contains(out, "1 messages moved to ex/Archive") ||
		!strings.Contains(errOut, "warning: moved without some keywords") || !strings.Contains(errOut, "$Label1") {
		t.Fatalf("move: code %d, stdout %q, stderr %q; want the move done and $Label1 told", code, out, errOut)
	}
	if got, want := serverFolder(t, srv.Addr, "Archive"), []string{`full \Seen work`}; !slices.Equal(got, want) {
		t.Errorf("server Archive = %q, want %q", got, want)
	}
}
