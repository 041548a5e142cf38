package imapsync

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
	"facteur/mua/imapsync/imaptest"
)

func TestLocalName(t *testing.T) {
	cour := namespace{Prefix: "INBOX.", Delim: '.'}
	cyrusUnix := namespace{Prefix: "INBOX/", Delim: '/'}
	dove := namespace{Delim: '/'}
	tests := []struct {
		remote string
		delim  rune
		ns     namespace
		want   string
		back   bool // remoteFromLocal gives remote back
	}{
		{"INBOX", '.', cour, "INBOX", true},
		{"inbox", '/', dove, "INBOX", false},
		{"INBOX.Work", '.', cour, "Work", true},
		{"Inbox.Work", '.', cour, "Work", false}, // INBOX in any case
		{"INBOX.Lists.golang", '.', cour, "Lists/golang", true},
		{"INBOX.a/b", '.', cour, "a\u2215b", true}, // '/' inside a level
		{"INBOX.Été", '.', cour, "Été", true},
		{"INBOX.INBOX", '.', cour, "INBOX/INBOX", false},               // not the inbox
		{"INBOX.a..b", '.', cour, "a/_/b", false},                      // an empty level
		{"#shared.x.y", '.', cour, "#shared/x/y", false},               // another namespace: the full path
		{"INBOX.Work", '.', namespace{Delim: '.'}, "INBOX/Work", true}, // no NAMESPACE: as the server nests it
		{"INBOX/Child", '/', dove, "INBOX/Child", true},                // Dovecot really nests it
		{"Lists/golang", '/', dove, "Lists/golang", true},
		{"INBOX/Work", '/', cyrusUnix, "Work", true},
		{"a/b", 0, namespace{}, "a\u2215b", false}, // a flat server
	}
	for _, tt := range tests {
		got := localName(tt.remote, tt.delim, tt.ns)
		if got != tt.want {
			t.Errorf("localName(%q, %q, %+v) = %q, want %q", tt.remote, tt.delim, tt.ns, got, tt.want)
		}
		if back := remoteFromLocal(got, tt.ns); tt.back && back != tt.remote {
			t.Errorf("remoteFromLocal(%q, %+v) = %q, want %q", got, tt.ns, back, tt.remote)
		}
	}
}

// msgsIn lists the subjects of a local folder, sorted.
func (f *fixture) msgsIn(t *testing.T, folder string) []string {
	t.Helper()
	var out []string
	for s := range f.local(t, folder) {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// roles gives the role of each local folder of the account.
func (f *fixture) roles(t *testing.T) map[string]mailstore.Role {
	t.Helper()
	folders, err := f.store.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]mailstore.Role{}
	for _, fo := range folders {
		if fo.Ref.Account == f.s.acct.Name {
			roles[fo.Ref.Name] = fo.Role
		}
	}
	return roles
}

// localFolders lists the names of the account's local folders, sorted.
func (f *fixture) localFolders(t *testing.T) []string {
	t.Helper()
	folders, err := f.store.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fo := range folders {
		if fo.Ref.Account == f.s.acct.Name {
			out = append(out, fo.Ref.Name)
		}
	}
	slices.Sort(out)
	return out
}

// TestCourierLayout: a server that keeps every folder under "INBOX." with
// '.' between levels (Courier-IMAP, Dovecot's Maildir++ layout) is synced
// folder for folder under the local names without the prefix, and local
// actions go back to the server's names.
func TestCourierLayout(t *testing.T) {
	remote := []string{"INBOX.Work", "INBOX.Lists", "INBOX.Lists.golang", "INBOX.a/b", "INBOX.Été"}
	ts := startLayout(t, courier, remote...)
	ts.appendMsgs(t, "INBOX", 0, 3)
	for i, r := range remote {
		ts.appendMsgs(t, r, 0, i+1)
	}
	f := newFixture(t, ts, nil)
	st := f.sync(t)
	if st.Folders != 6 || st.New != 3+1+2+3+4+5 || st.Failed != 0 {
		t.Errorf("first sync %+v, want 18 new in 6 folders", st)
	}
	want := []string{"INBOX", "Lists", "Lists/golang", "Work", "a\u2215b", "Été"}
	if got := f.localFolders(t); !slices.Equal(got, want) {
		t.Errorf("local folders %q, want %q", got, want)
	}
	for i, r := range remote {
		if n := len(f.local(t, want[map[int]int{0: 3, 1: 1, 2: 2, 3: 4, 4: 5}[i]])); n != i+1 {
			t.Errorf("local folder of %s holds %d messages, want %d", r, n, i+1)
		}
	}
	if st := f.sync(t); st.New != 0 || st.Flags != 0 || st.Removed != 0 || st.Folders != 6 {
		t.Errorf("second sync %+v, want nothing new", st)
	}

	// local actions: flag in "a/b", move from INBOX to Work, copy to Été
	ctx := context.Background()
	ab := f.local(t, "a\u2215b")["INBOX.a/b 0"]
	if err := f.s.SetFlags(ctx, []int64{ab.ID}, mailstore.FlagFlagged, 0); err != nil {
		t.Fatal(err)
	}
	in := f.local(t, "INBOX")["INBOX 0"]
	if err := f.s.Move(ctx, []int64{in.ID}, "Work"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Copy(ctx, []int64{f.local(t, "INBOX")["INBOX 1"].ID}, "Été"); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.Replayed != 3 || st.New != 0 {
		t.Errorf("sync after local actions %+v, want 3 replayed and nothing new", st)
	}
	if fl := ts.serverFlags(t, "INBOX.a/b")["INBOX.a/b 0"]; !slices.Contains(fl, imap.FlagFlagged) {
		t.Errorf("INBOX.a/b 0 on the server: flags %v, want \\Flagged", fl)
	}
	if _, ok := ts.serverFlags(t, "INBOX.Work")["INBOX 0"]; !ok {
		t.Errorf("INBOX 0 was not moved to INBOX.Work on the server")
	}
	if _, ok := ts.serverFlags(t, "INBOX.Été")["INBOX 1"]; !ok {
		t.Errorf("INBOX 1 was not copied to INBOX.Été on the server")
	}
	if got := f.msgsIn(t, "Work"); !slices.Equal(got, []string{"INBOX 0", "INBOX.Work 0"}) {
		t.Errorf("Work after the move: %q", got)
	}
}

// TestCourierLayoutNoNamespace: without NAMESPACE the folders stay where
// the server puts them, under INBOX.
func TestCourierLayoutNoNamespace(t *testing.T) {
	ts := startLayout(t, layout{Prefix: "INBOX.", Delim: '.', Caps: imap.CapSet{imap.CapIMAP4rev1: {}}}, "INBOX.Work", "INBOX.Lists.golang")
	ts.appendMsgs(t, "INBOX.Work", 0, 2)
	ts.appendMsgs(t, "INBOX.Lists.golang", 0, 1)
	f := newFixture(t, ts, nil)
	if st := f.sync(t); st.New != 3 || st.Folders != 3 {
		t.Errorf("sync %+v, want 3 new in 3 folders", st)
	}
	want := []string{"INBOX", "INBOX/Lists/golang", "INBOX/Work"}
	if got := f.localFolders(t); !slices.Equal(got, want) {
		t.Errorf("local folders %q, want %q", got, want)
	}
}

// TestLegacyFolderNames: a profile synced before remote names were kept
// has its folders under the old local names ('/' for the server's
// delimiter, the prefix kept). A folder that holds messages keeps its name
// and its UID map (nothing downloaded again); an empty folder left behind
// by an older sync that could not open it gives way to the new name.
func TestLegacyFolderNames(t *testing.T) {
	ts := startLayout(t, courier, "INBOX.Work", "INBOX.Sent")
	ts.appendMsgs(t, "INBOX.Work", 0, 2)
	ts.appendMsgs(t, "INBOX.Sent", 0, 1)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	// make it look like an old profile: Work's messages and UID map under
	// "INBOX/Work", no remote names; an empty "INBOX/Sent" and no row for
	// it (an old sync created it, then failed)
	legacy := mailstore.FolderRef{Account: "Machin", Name: "INBOX/Work"}
	if err := f.store.CreateFolder(ctx, legacy, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range f.local(t, "Work") {
		ids = append(ids, m.ID)
	}
	if err := f.store.Move(ctx, ids, legacy); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE folders SET name = 'INBOX/Work' WHERE name = 'Work'`,
		`UPDATE fids SET folder = 'INBOX/Work' WHERE folder = 'Work'`,
		`UPDATE folders SET remote = NULL`,
		`DELETE FROM folders WHERE name = 'Sent'`,
		`DELETE FROM uidmap WHERE fuid >> 32 = (SELECT fid FROM fids WHERE folder = 'Sent')`,
		`DELETE FROM fids WHERE folder = 'Sent'`,
	} {
		if _, err := f.state.db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	if err := f.store.Purge(ctx, idsOf(f.local(t, "Sent"))); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Work", "Sent"} {
		if err := f.store.RemoveFolder(ctx, mailstore.FolderRef{Account: "Machin", Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.CreateFolder(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX/Sent"}, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}

	st := f.sync(t)
	if st.New != 1 || st.Failed != 0 {
		t.Errorf("sync of the old profile %+v, want Sent's 1 message new, Work's kept", st)
	}
	want := []string{"INBOX", "INBOX/Work", "Sent"}
	if got := f.localFolders(t); !slices.Equal(got, want) {
		t.Errorf("local folders %q, want %q", got, want)
	}
	if got := f.msgsIn(t, "INBOX/Work"); !slices.Equal(got, []string{"INBOX.Work 0", "INBOX.Work 1"}) {
		t.Errorf("INBOX/Work holds %q", got)
	}
	if r, _ := f.s.remoteOf(ctx, "INBOX/Work"); r != "INBOX.Work" {
		t.Errorf("remote name of INBOX/Work: %q", r)
	}
	// and it works both ways: a local flag reaches INBOX.Work
	m := f.local(t, "INBOX/Work")["INBOX.Work 1"]
	if err := f.s.SetFlags(ctx, []int64{m.ID}, mailstore.FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.Replayed != 1 || st.New != 0 {
		t.Errorf("sync %+v, want 1 replayed", st)
	}
	if fl := ts.serverFlags(t, "INBOX.Work")["INBOX.Work 1"]; !slices.Contains(fl, imap.FlagSeen) {
		t.Errorf("server flags %v", fl)
	}
}

func idsOf(m map[string]mailstore.Summary) []int64 {
	var out []int64
	for _, s := range m {
		out = append(out, s.ID)
	}
	return out
}

// TestFailingFolder: a folder the server refuses does not stop the
// others; the error names it with the server's words; no empty local
// folder is left for it.
func TestFailingFolder(t *testing.T) {
	refused := &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Mailbox is locked by another process"}
	l := courier
	l.Refuse = map[string]*imap.Error{"INBOX.Broken": refused}
	l.RefuseSearch = map[string]*imap.Error{"INBOX.Half": {Type: imap.StatusResponseTypeNo, Text: "Search backend down"}}
	ts := startLayout(t, l, "INBOX.Broken", "INBOX.Half", "INBOX.Work")
	ts.appendMsgs(t, "INBOX", 0, 2)
	ts.appendMsgs(t, "INBOX.Half", 0, 1)
	ts.appendMsgs(t, "INBOX.Work", 0, 3)
	f := newFixture(t, ts, nil)
	st, err := f.s.Sync(context.Background())
	var fe *FoldersError
	if !errors.As(err, &fe) || len(fe.Folders) != 2 {
		t.Fatalf("Sync: %v, want a *FoldersError for two folders", err)
	}
	if st.Folders != 2 || st.Failed != 2 || st.New != 5 {
		t.Errorf("stats %+v, want INBOX and Work synced (5 new), 2 failed", st)
	}
	var one *FolderError
	if !errors.As(err, &one) || one.Remote != "INBOX.Broken" {
		t.Errorf("first failure %+v", one)
	}
	var se *ServerError
	if !errors.As(err, &se) || se.Err.Text != refused.Text {
		t.Errorf("the server's reply is not in %v", err)
	}
	for _, words := range []string{`"INBOX.Broken"`, "SELECT", "Mailbox is locked by another process", `"INBOX.Half"`, "Search backend down"} {
		if !strings.Contains(err.Error(), words) {
			t.Errorf("error %q does not say %q", err, words)
		}
	}
	if got := f.localFolders(t); !slices.Equal(got, []string{"INBOX", "Work"}) {
		t.Errorf("local folders %q, want only those synced", got)
	}
	// the refused folders are tried again, and synced once the server agrees
	ts.agree()
	if st := f.sync(t); st.New != 1 || st.Folders != 4 {
		t.Errorf("sync once the server agrees: %+v", st)
	}
}

// TestCourierDrafts: on a server that keeps every folder under "INBOX.",
// a Drafts folder is created as "INBOX.Drafts" (top-level names are
// refused there), the draft goes into it, and the local folder is Drafts.
func TestCourierDrafts(t *testing.T) {
	ts := startLayout(t, courier, "INBOX.Work")
	f := newFixture(t, ts, nil)
	f.sync(t)
	v1 := f.saveDraft(t, "v1", 0)
	f.push(t, 1)
	if got, _ := imaptest.Messages(t, ts.addr, "INBOX.Drafts"); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("server INBOX.Drafts %q", got)
	}
	f.saveDraft(t, "v2", v1)
	f.push(t, 1)
	if got, flags := imaptest.Messages(t, ts.addr, "INBOX.Drafts"); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("server INBOX.Drafts after v2: %q %v", got, flags)
	}
	if st := f.sync(t); st.New != 0 || st.Folders != 3 {
		t.Errorf("sync %+v, want the 3 folders and nothing new", st)
	}
	if got := f.localFolders(t); !slices.Equal(got, []string{"Drafts", "INBOX", "Work"}) {
		t.Errorf("local folders %q", got)
	}
	if got := subjects(f.local(t, "Drafts")); !slices.Equal(got, []string{"v2"}) {
		t.Errorf("local Drafts %q", got)
	}
}
