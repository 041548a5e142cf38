package imapsync

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"facteur/mailstore"
)

// TestRealServerLocalActions runs against the real server of
// FACTEUR_IMAP_SERVER ("HOST:PORT USER PASSWORD CAFILE", as
// interop/servers.sh sets it for Dovecot, Courier-IMAP and Cyrus, filled
// by interop/imapcheck.py): local actions (flags, a move, a deletion to
// the Trash, a copy, a Sent copy, a draft and its next version) reach the
// server, a second sync changes nothing, and a second Facteur that syncs
// the server afresh sees the same folders as the first: counts, flags and
// bodies byte for byte.
func TestRealServerLocalActions(t *testing.T) {
	d := serverFromEnv(t, "FACTEUR_IMAP_SERVER")
	f := newFixture(t, d, func(o *Options) { o.BatchSize = 0 })
	f.s.password = d.pass
	f.s.acct.Options.Offline = true
	f.sync(t)
	ctx := context.Background()
	archive, trash, sent := f.byRole(t, mailstore.RoleArchive), f.byRole(t, mailstore.RoleTrash), f.byRole(t, mailstore.RoleSent)
	in := f.local(t, "INBOX")
	for _, s := range []string{"INBOX 1", "INBOX 2", "INBOX 4", "INBOX 8"} {
		if _, ok := in[s]; !ok {
			t.Fatalf("INBOX has no %q (was the server filled by imapcheck.py?)", s)
		}
	}
	must(t, f.s.SetFlags(ctx, []int64{in["INBOX 1"].ID}, mailstore.FlagFlagged|mailstore.FlagSeen, 0))
	must(t, f.s.Move(ctx, []int64{in["INBOX 2"].ID}, archive))
	must(t, f.s.Delete(ctx, []int64{in["INBOX 4"].ID}))
	if _, err := f.s.Copy(ctx, []int64{in["INBOX 8"].ID}, archive); err != nil {
		t.Fatal(err)
	}
	sentMsg := []byte("From: marc@machin.example\r\nTo: fred@truc.example\r\nSubject: envoi local\r\nMessage-ID: <sent.local@machin.example>\r\n\r\nParti.\r\n")
	if _, err := f.s.Append(ctx, sent, sentMsg, mailstore.FlagSeen); err != nil {
		t.Fatal(err)
	}
	v1 := f.saveDraft(t, "brouillon v1", 0)
	f.push(t, 1)
	f.saveDraft(t, "brouillon v2", v1)
	f.push(t, 1)
	if st := f.sync(t); st.Failed != 0 {
		t.Fatalf("sync after the local actions: %+v", st)
	}
	if st := f.sync(t); st.New != 0 || st.Removed != 0 || st.Flags != 0 || st.Replayed != 0 {
		t.Errorf("second sync %+v, want nothing", st)
	}

	g := newFixture(t, d, func(o *Options) { o.BatchSize = 0 })
	g.s.password = d.pass
	g.s.acct.Options.Offline = true
	g.sync(t)
	for _, folder := range f.localFolders(t) {
		a, b := f.contents(t, folder), g.contents(t, folder)
		if !slices.Equal(a, b) {
			t.Errorf("%s: %d messages here, %d synced afresh from the server; they differ", folder, len(a), len(b))
		}
	}
	if got := g.local(t, archive); got["INBOX 2"].ID == 0 || got["INBOX 8"].ID == 0 {
		t.Errorf("%s on the server lacks the moved or the copied message: %q", archive, subjects(got))
	}
	if _, ok := g.local(t, "INBOX")["INBOX 2"]; ok {
		t.Error("the moved message is still in INBOX on the server")
	}
	if _, ok := g.local(t, trash)["INBOX 4"]; !ok {
		t.Errorf("the deleted message is not in %s on the server", trash)
	}
	if m := g.local(t, "INBOX")["INBOX 1"]; m.Flags&(mailstore.FlagFlagged|mailstore.FlagSeen) != mailstore.FlagFlagged|mailstore.FlagSeen {
		t.Errorf("INBOX 1 on the server: flags %v", m.Flags)
	}
	drafts := g.byRole(t, mailstore.RoleDrafts)
	if got := subjects(g.local(t, drafts)); !slices.Contains(got, "brouillon v2") || slices.Contains(got, "brouillon v1") {
		t.Errorf("%s on the server: %q, want v2 and not v1", drafts, got)
	}
	t.Logf("folders %q; archive %s, trash %s, sent %s, drafts %s", f.localFolders(t), archive, trash, sent, drafts)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// byRole is the local name of the account's folder with that role.
func (f *fixture) byRole(t *testing.T, r mailstore.Role) string {
	t.Helper()
	folders, err := f.store.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, fo := range folders {
		if fo.Ref.Account == f.s.acct.Name && fo.Role == r {
			return fo.Ref.Name
		}
	}
	t.Fatalf("no folder with the role %q", r)
	return ""
}

// contents lists the messages of a local folder as "flags body", sorted.
func (f *fixture) contents(t *testing.T, folder string) []string {
	t.Helper()
	list, err := f.store.List(context.Background(), f.s.ref(folder), mailstore.ListOptions{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range list {
		out = append(out, fmt.Sprintf("%02x %s", m.Flags&syncedFlags, bytes.TrimSpace(f.file(t, m.ID))))
	}
	slices.Sort(out)
	return out
}
