package imapsync

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// sameKeys compares keywords without case (imapmemserver writes them in
// lower case, RFC 9051 §2.3.2 lets it).
func sameKeyList(a, b []string) bool { return slices.EqualFunc(a, b, strings.EqualFold) }

// hasKey tells whether flags hold a keyword, without case.
func hasKey(flags []imap.Flag, kw string) bool {
	return slices.ContainsFunc(flags, func(f imap.Flag) bool { return strings.EqualFold(string(f), kw) })
}

// keywords returns the keywords of a local message.
func (f *fixture) keywords(t *testing.T, id int64) []string {
	t.Helper()
	sum, err := f.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	kws, err := f.store.KeywordsOf(context.Background(), []mailstore.Summary{sum})
	if err != nil {
		t.Fatal(err)
	}
	return kws[id]
}

// TestKeywordsBothWays: keywords set and removed on the server reach the
// local messages (new ones and known ones); keywords set and removed
// locally reach the server (UID STORE), and the next sync finds nothing
// to change.
func TestKeywordsBothWays(t *testing.T) {
	ctx := context.Background()
	ts := startServer(t, "Archive")
	ts.appendMsgs(t, "INBOX", 0, 3)
	ts.appendMsgs(t, "INBOX", 3, 4, "Project")
	f := newFixture(t, ts, nil)
	f.sync(t)
	local := f.local(t, "INBOX")
	if got := f.keywords(t, local["INBOX 3"].ID); !sameKeyList(got, []string{"Project"}) {
		t.Errorf("new message's keywords %q, want Project", got)
	}
	// server -> local
	c := ts.admin(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	adminStore(t, c, 2, imap.StoreFlagsAdd, "$Label1")
	adminStore(t, c, 3, imap.StoreFlagsAdd, "Work", "$Label2")
	adminStore(t, c, 4, imap.StoreFlagsDel, "Project")
	if st := f.sync(t); st.Flags != 3 {
		t.Errorf("sync %+v, want 3 flag changes", st)
	}
	for subj, want := range map[string][]string{"INBOX 1": {"$Label1"}, "INBOX 2": {"$Label2", "Work"}, "INBOX 3": nil} {
		if got := f.keywords(t, local[subj].ID); !sameKeyList(got, want) {
			t.Errorf("%s: local keywords %q, want %q", subj, got, want)
		}
	}
	adminStore(t, c, 3, imap.StoreFlagsDel, "work")
	f.sync(t)
	if got := f.keywords(t, local["INBOX 2"].ID); !sameKeyList(got, []string{"$Label2"}) {
		t.Errorf("INBOX 2 after the server took Work away: %q", got)
	}
	// local -> server
	if err := f.s.SetKeywords(ctx, []int64{local["INBOX 0"].ID}, []string{"Todo", "$Label1"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetKeywords(ctx, []int64{local["INBOX 1"].ID}, nil, []string{"$label1"}); err != nil {
		t.Fatal(err)
	}
	if got := f.keywords(t, local["INBOX 0"].ID); !sameKeyList(got, []string{"$Label1", "Todo"}) {
		t.Errorf("INBOX 0 locally at once: %q", got)
	}
	if st := f.sync(t); st.Replayed != 2 || st.Flags != 0 || st.Refused != nil {
		t.Errorf("sync %+v, want 2 replayed and no flag coming back", st)
	}
	sf := ts.serverFlags(t, "INBOX")
	if !hasKey(sf["INBOX 0"], "Todo") || !hasKey(sf["INBOX 0"], "$Label1") || hasKey(sf["INBOX 1"], "$Label1") {
		t.Errorf("server flags %v", sf)
	}
	if st := f.sync(t); st.Flags != 0 || st.Replayed != 0 {
		t.Errorf("third sync %+v, want nothing to do", st)
	}
	if got := f.keywords(t, local["INBOX 0"].ID); !sameKeyList(got, []string{"$Label1", "Todo"}) {
		t.Errorf("INBOX 0 after the syncs: %q", got)
	}
	// a copy keeps them, on both sides
	cps, err := f.s.Copy(ctx, []int64{local["INBOX 0"].ID}, "Archive")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.keywords(t, cps[0]); !sameKeyList(got, []string{"$Label1", "Todo"}) {
		t.Errorf("local copy's keywords: %q", got)
	}
	if st := f.sync(t); st.Replayed != 1 || st.Flags != 0 {
		t.Errorf("sync after the copy %+v, want 1 replayed, no flag change", st)
	}
	if sf := ts.serverFlags(t, "Archive"); !hasKey(sf["INBOX 0"], "Todo") {
		t.Errorf("server Archive %v: want the copy with Todo", sf)
	}
}

// adminStore changes the flags of message seq of the selected folder from
// another client.
func adminStore(t *testing.T, c *imapclient.Client, seq uint32, op imap.StoreFlagsOp, flags ...imap.Flag) {
	t.Helper()
	if err := c.Store(imap.SeqSetNum(seq), &imap.StoreFlags{Op: op, Silent: true, Flags: flags}, nil).Close(); err != nil {
		t.Fatal(err)
	}
}

// TestKeywordRefused: a server that keeps no keywords (PERMANENTFLAGS
// without \*) gets the flags of an action but not its keyword; the sync
// says so (a *KeywordsRefusedError), the keyword stays on the local
// message, and the next syncs neither take it away nor send it again.
func TestKeywordRefused(t *testing.T) {
	ctx := context.Background()
	ts := startServer(t)
	ts.noKeywords.Store(true)
	ts.appendMsgs(t, "INBOX", 0, 2)
	f := newFixture(t, ts, nil)
	f.sync(t)
	id := f.local(t, "INBOX")["INBOX 0"].ID
	if err := f.s.SetFlags(ctx, []int64{id}, mailstore.FlagFlagged, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetKeywords(ctx, []int64{id}, []string{"Work"}, nil); err != nil {
		t.Fatal(err)
	}
	st := f.sync(t)
	var kr *KeywordsRefusedError
	if !errors.As(st.Refused, &kr) || !errors.Is(st.Refused, ErrKeywordRefused) || len(kr.Keywords["Work"]) != 1 {
		t.Fatalf("sync %+v: want Work refused", st)
	}
	sf := ts.serverFlags(t, "INBOX")
	if !slices.Contains(sf["INBOX 0"], imap.FlagFlagged) || hasKey(sf["INBOX 0"], "Work") {
		t.Errorf("server flags %v: want \\Flagged and no Work", sf)
	}
	for range 2 {
		if st := f.sync(t); st.Flags != 0 || st.Replayed != 0 || st.Refused != nil {
			t.Errorf("next sync %+v, want nothing to do", st)
		}
		if got := f.keywords(t, id); !sameKeyList(got, []string{"Work"}) {
			t.Errorf("local keywords %q after a sync, want Work kept", got)
		}
	}
	// Replay says it too
	if err := f.s.SetKeywords(ctx, []int64{id}, []string{"$Label3"}, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.Replay(ctx); n != 1 || !errors.Is(err, ErrKeywordRefused) {
		t.Errorf("Replay = %d, %v; want 1 and the refusal", n, err)
	}
}

// TestForwardedIsPassed: $Forwarded (RFC 5788) is Maildir's P both ways.
func TestForwardedIsPassed(t *testing.T) {
	ctx := context.Background()
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 2)
	f := newFixture(t, ts, nil)
	f.sync(t)
	local := f.local(t, "INBOX")
	if err := f.s.SetFlags(ctx, []int64{local["INBOX 0"].ID}, mailstore.FlagPassed, 0); err != nil {
		t.Fatal(err)
	}
	c := ts.admin(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	adminStore(t, c, 2, imap.StoreFlagsAdd, imap.FlagForwarded)
	if st := f.sync(t); st.Replayed != 1 || st.Flags != 1 {
		t.Errorf("sync %+v, want 1 replayed, 1 flag change", st)
	}
	if sf := ts.serverFlags(t, "INBOX"); !hasKey(sf["INBOX 0"], "$Forwarded") {
		t.Errorf("server flags %v: want $Forwarded on INBOX 0", sf)
	}
	local = f.local(t, "INBOX")
	if local["INBOX 1"].Flags&mailstore.FlagPassed == 0 {
		t.Errorf("INBOX 1 flags %v, want P", local["INBOX 1"].Flags)
	}
	if got := f.keywords(t, local["INBOX 1"].ID); got != nil {
		t.Errorf("INBOX 1 keywords %q: $Forwarded is a flag, not a keyword letter", got)
	}
}

// TestAdoptedKeywordsGoUp: a message with the keywords Work and $Label1
// that comes into the account from another one (MoveIn: its letters
// translated by the store, the account's letter a being another keyword)
// goes up with them in its APPEND when the server keeps keywords, the UID
// map saying so: the next syncs neither take them away nor send them
// again. A server without \* in PERMANENTFLAGS, or one that answers NO to
// an APPEND with keywords, gets the message with its flags alone: the
// keywords stay local, are reported (KeywordsRefusedError), and nothing
// loops.
func TestAdoptedKeywordsGoUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mode    func(ts *testServer)
		onServe bool // the server has the keywords
		appends int64
	}{
		{name: "the server keeps keywords", mode: func(*testServer) {}, onServe: true},
		{name: "no \\* in PERMANENTFLAGS", mode: func(ts *testServer) { ts.noKeywords.Store(true) }},
		{name: "NO to an APPEND with keywords", mode: func(ts *testServer) { ts.noAppendKeywords.Store(true) }, appends: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ts := startServer(t)
			tc.mode(ts)
			f := newFixture(t, ts, nil)
			f.sync(t)
			id := localWithKeywords(t, f.store, "Work", "$Label1")
			if err := f.s.SetKeywords(ctx, nil, []string{"Other"}, nil); err != nil {
				t.Fatal(err) // no message: gives Other the account's letter a
			}
			if err := f.s.MoveIn(ctx, []int64{id}, "INBOX"); err != nil {
				t.Fatal(err)
			}
			want := []string{"$Label1", "Work"}
			st := f.sync(t) // the UID map's row has what the APPEND gave: no flag comes back
			var kr *KeywordsRefusedError
			switch {
			case st.Replayed != 1 || st.Flags != 0 || st.New != 0:
				t.Errorf("sync %+v; want the APPEND, nothing back", st)
			case tc.onServe && st.Refused != nil:
				t.Errorf("sync: %v", st.Refused)
			case !tc.onServe && (!errors.As(st.Refused, &kr) || len(kr.Keywords["Work"]) != 1 || len(kr.Keywords["$Label1"]) != 1):
				t.Errorf("sync: %v; want Work and $Label1 refused", st.Refused)
			}
			sf := ts.serverFlags(t, "INBOX")
			fl, ok := sf["Local 1"]
			if !ok || len(sf) != 1 || !slices.Contains(fl, imap.FlagSeen) {
				t.Fatalf("server INBOX %v: want the message once, \\Seen", sf)
			}
			if hasKey(fl, "Work") != tc.onServe || hasKey(fl, "$Label1") != tc.onServe || hasKey(fl, "Other") {
				t.Errorf("server flags %v; want the keywords: %v", fl, tc.onServe)
			}
			if got := ts.appendsRefused.Load(); got != tc.appends {
				t.Errorf("%d APPENDs refused, want %d", got, tc.appends)
			}
			for i := range 2 { // the first sends the flags of the APPEND again (mapAppended)
				if st := f.sync(t); st.Flags != 0 || st.Replayed != 1-i || st.New != 0 || st.Refused != nil {
					t.Errorf("next sync %+v, want nothing to do", st)
				}
				if got := f.keywords(t, id); !sameKeyList(got, want) {
					t.Errorf("local keywords %q after a sync, want %q", got, want)
				}
			}
			if fl := ts.serverFlags(t, "INBOX")["Local 1"]; hasKey(fl, "Work") != tc.onServe {
				t.Errorf("server flags after the syncs %v", fl)
			}
		})
	}
}

// localWithKeywords stores a message of the Local account, \Seen, with
// keywords (the first ones of the Local account's letters: a, b...).
func localWithKeywords(t *testing.T, store *mailstore.Store, kws ...string) int64 {
	t.Helper()
	ctx := context.Background()
	ref := mailstore.FolderRef{Account: "Local", Name: "Kept"}
	if err := store.CreateFolder(ctx, ref, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	sum, err := store.Add(ctx, ref, strings.NewReader(msg(1, "Local")), mailstore.AddOptions{Flags: mailstore.FlagSeen})
	if err != nil {
		t.Fatal(err)
	}
	u, err := mailstore.OpenUIDIndex(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := u.SetKeywords(ctx, "Local", []int64{sum.ID}, kws, nil); err != nil {
		t.Fatal(err)
	}
	return sum.ID
}
