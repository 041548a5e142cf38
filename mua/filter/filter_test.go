package filter

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/imapsync/imaptest"
)

// msg is a message with a subject, and the extra header lines given.
func msg(subject string, extra ...string) string {
	h := "From: fred@truc.fr\r\nTo: marc@machin.com\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@truc.fr>\r\n"
	for _, e := range extra {
		h += e + "\r\n"
	}
	return h + "Subject: " + subject + "\r\n\r\nhello " + subject + "\r\n"
}

// options are the filters' options over store, with the scripts in a
// temporary directory.
func options(t *testing.T, store *mailstore.Store) Options {
	return Options{Store: store, Scripts: sieve.OpenScripts(t.TempDir())}
}

// imapSetup is an imapmemserver with the folders given, an IMAP account
// on it and its Syncer over store, synced once.
func imapSetup(t *testing.T, store *mailstore.Store, folders ...string) (account.Account, *imaptest.Server, *imapsync.Syncer) {
	t.Helper()
	srv := imaptest.Start(t, imaptest.NewUser(t, folders...))
	a := account.Account{Name: "Machin", Protocol: account.IMAP,
		Identity: account.Identity{Address: "marc@machin.com"}, Incoming: srv.Incoming()}
	st, err := imapsync.OpenState(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sy := imapsync.New(a, imaptest.Password, imapsync.Options{Store: store, State: st})
	t.Cleanup(func() { sy.Close() })
	if _, err := sy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, srv, sy
}

func install(t *testing.T, opt Options, acct, src string) {
	t.Helper()
	if err := Install(context.Background(), opt, acct, []byte(src)); err != nil {
		t.Fatal(err)
	}
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool { return slices.Contains(flags, f) }

const sortScript = `require ["fileinto", "imap4flags"];
if header :contains "List-Id" "golang-nuts" {
	fileinto "Lists";
	stop;
}
if header :contains "Subject" "urgent" {
	addflag "\\Flagged";
}
`

// TestAfterCheckIMAPReachesServer: after a sync, the account's script moves
// and flags new INBOX messages through the journaled Syncer, and the
// server's folders show it.
func TestAfterCheckIMAPReachesServer(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t)
	a, srv, sy := imapSetup(t, store, "Lists")
	opt := options(t, store)
	install(t, opt, a.Name, sortScript)
	imaptest.Append(t, srv.Addr, "INBOX",
		msg("nuts digest", "List-Id: <golang-nuts.googlegroups.com>"), msg("urgent call"), msg("plain note"))
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := AfterCheck(ctx, opt, a, sy)
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 3 || st.Moved != 1 || st.Flagged != 1 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
	inbox, flags := imaptest.Messages(t, srv.Addr, "INBOX")
	if !reflect.DeepEqual(inbox, []string{"urgent call", "plain note"}) {
		t.Fatalf("server INBOX %q", inbox)
	}
	if !hasFlag(flags[0], imap.FlagFlagged) || hasFlag(flags[1], imap.FlagFlagged) {
		t.Errorf("server INBOX flags %v", flags)
	}
	if lists, _ := imaptest.Messages(t, srv.Addr, "Lists"); !reflect.DeepEqual(lists, []string{"nuts digest"}) {
		t.Errorf("server Lists %q", lists)
	}
	if n, _, _ := store.Count(ctx, mailstore.FolderRef{Account: a.Name, Name: "Lists"}); n != 1 {
		t.Errorf("store Lists has %d messages", n)
	}
	// the mark: the same messages are not filtered twice
	st, err = AfterCheck(ctx, opt, a, sy)
	if err != nil || st.Messages != 0 {
		t.Fatalf("second run: %+v, %v", st, err)
	}
}

// TestAfterCheckIMAPFailingRuleKeeps: a rule that files into a folder the
// server lacks leaves the message in INBOX, on the server too.
func TestAfterCheckIMAPFailingRuleKeeps(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t)
	a, srv, sy := imapSetup(t, store)
	opt := options(t, store)
	install(t, opt, a.Name, "require \"fileinto\";\nfileinto \"Nowhere\";\n")
	imaptest.Append(t, srv.Addr, "INBOX", msg("one"))
	if _, err := sy.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := AfterCheck(ctx, opt, a, sy)
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 1 || st.Failed != 1 || st.Moved != 0 {
		t.Fatalf("stats %+v", st)
	}
	if inbox, _ := imaptest.Messages(t, srv.Addr, "INBOX"); !reflect.DeepEqual(inbox, []string{"one"}) {
		t.Fatalf("server INBOX %q", inbox)
	}
}

// addLocal adds messages to a folder of a store-only account.
func addLocal(t *testing.T, store *mailstore.Store, acct, folder string, msgs ...string) []int64 {
	t.Helper()
	ref := mailstore.FolderRef{Account: acct, Name: folder}
	if err := store.CreateFolder(context.Background(), ref, mailstore.RoleNone); err != nil && !errors.Is(err, mailstore.ErrFolderExists) {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range msgs {
		sum, err := store.Add(context.Background(), ref, strings.NewReader(m), mailstore.AddOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sum.ID)
	}
	return ids
}

// snapshot is every message of the store: folder, id, flags, subject.
func snapshot(t *testing.T, store *mailstore.Store) []string {
	t.Helper()
	ctx := context.Background()
	folders, err := store.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range folders {
		list, err := store.List(ctx, f.Ref, mailstore.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			out = append(out, fmt.Sprintf("%s/%s %d %v %s", f.Ref.Account, f.Ref.Name, m.ID, m.Flags, m.Subject))
		}
	}
	slices.Sort(out)
	return out
}

// TestAfterSyncLocal: a POP3 account's script files (moving, copying,
// creating the folder), flags and discards in the store; messages there
// before Install are left alone until Apply.
func TestAfterSyncLocal(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t)
	opt := options(t, store)
	a := account.Account{Name: "Pop", Protocol: account.POP3, Identity: account.Identity{Address: "marc@machin.com"}}
	addLocal(t, store, a.Name, Inbox, msg("old spam", "X-Spam-Flag: YES"))
	install(t, opt, a.Name, `require ["fileinto", "copy", "imap4flags"];
if header :is "X-Spam-Flag" "YES" { discard; stop; }
if header :contains "Subject" "invoice" { fileinto :copy "Paperwork"; addflag "\\Seen"; }
if header :contains "Subject" "report" { fileinto "Reports"; }
`)
	addLocal(t, store, a.Name, Inbox, msg("invoice 12"), msg("weekly report"), msg("new spam", "X-Spam-Flag: YES"))
	st, err := AfterCheck(ctx, opt, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 3 || st.Copied != 1 || st.Moved != 1 || st.Deleted != 1 || st.Flagged != 1 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
	subjects := func(folder string) []string {
		list, err := store.List(ctx, mailstore.FolderRef{Account: a.Name, Name: folder}, mailstore.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, m := range list {
			s = append(s, m.Subject)
		}
		slices.Sort(s)
		return s
	}
	for folder, want := range map[string][]string{
		Inbox:       {"invoice 12", "old spam"},
		"Paperwork": {"invoice 12"},
		"Reports":   {"weekly report"},
	} {
		if got := subjects(folder); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q, want %q", folder, got, want)
		}
	}
	// old mail only when asked
	st, err = Apply(ctx, opt, a, Local(store, a.Name), Inbox, nil)
	if err != nil || st.Deleted != 1 {
		t.Fatalf("apply: %+v, %v", st, err)
	}
	if got := subjects(Inbox); slices.Contains(got, "old spam") {
		t.Errorf("apply left the old spam in INBOX: %q", got)
	}
}

// TestAfterSyncFailingRuleKeeps: a redirect that cannot be sent (no
// Sender) leaves the message in INBOX, counted as failed.
func TestAfterSyncFailingRuleKeeps(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t)
	opt := options(t, store)
	a := account.Account{Name: "Pop", Protocol: account.POP3}
	install(t, opt, a.Name, "redirect \"boss@truc.fr\";\n")
	ids := addLocal(t, store, a.Name, Inbox, msg("one"))
	st, err := AfterCheck(ctx, opt, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 1 || st.Deleted != 0 {
		t.Fatalf("stats %+v", st)
	}
	sum, err := store.Get(ctx, ids[0])
	if err != nil || sum.Folder.Name != Inbox {
		t.Fatalf("message: %+v, %v", sum.Folder, err)
	}
}

// TestExplainChangesNothing: the dry run reports the matching rule and the
// actions of every message, and the store is the same after it.
func TestExplainChangesNothing(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t)
	opt := options(t, store)
	a := account.Account{Name: "Pop", Protocol: account.POP3}
	addLocal(t, store, a.Name, Inbox, msg("nuts digest", "List-Id: <golang-nuts.googlegroups.com>"), msg("urgent call"), msg("plain"))
	install(t, opt, a.Name, sortScript)
	before := snapshot(t, store)
	got := map[string]string{}
	err := Explain(ctx, opt, a, Inbox, nil, 0, nil, func(r Report) {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Message.Subject, r.Err)
			return
		}
		var parts []string
		for _, rule := range r.Explain.Rules {
			for _, m := range rule.Matched {
				parts = append(parts, fmt.Sprintf("line %d %s", rule.Line, m.Field))
			}
		}
		for _, act := range r.Explain.Actions {
			parts = append(parts, act.String())
		}
		got[r.Message.Subject] = strings.Join(parts, "; ")
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"nuts digest": `line 2 List-Id; file into "Lists"`,
		"urgent call": `line 6 Subject; keep in INBOX (implicit keep) with flags \Flagged`,
		"plain":       "keep in INBOX (implicit keep)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dry run:\n got %q\nwant %q", got, want)
	}
	if after := snapshot(t, store); !reflect.DeepEqual(before, after) {
		t.Errorf("the dry run changed the store:\nbefore %q\nafter  %q", before, after)
	}
}

// TestNoScript: without a script, sync filters nothing and Apply says so.
func TestNoScript(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t)
	opt := options(t, store)
	a := account.Account{Name: "Pop", Protocol: account.POP3}
	addLocal(t, store, a.Name, Inbox, msg("one"))
	if st, err := AfterCheck(ctx, opt, a, nil); err != nil || st.Messages != 0 {
		t.Fatalf("after check: %+v, %v", st, err)
	}
	if _, err := Apply(ctx, opt, a, Local(store, a.Name), Inbox, nil); !errors.Is(err, ErrNoScript) {
		t.Fatalf("apply: %v, want ErrNoScript", err)
	}
}
