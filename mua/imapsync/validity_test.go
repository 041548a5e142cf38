package imapsync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// Issue 11.2: after a change of UIDVALIDITY the local folder equals the
// server's, matched by content: what the server no longer has goes, a
// message kept under its Message-ID with another body is the new one,
// and the local changes not yet sent are replayed or reported.

// vmsg is a message of the UIDVALIDITY tests: n gives its Message-ID and
// subject, body its text (by default one of n lines).
func vmsg(n int, body string) string {
	if body == "" {
		body = strings.Repeat(fmt.Sprintf("line of message %d\r\n", n), n+1)
	}
	id := fmt.Sprintf("Message-ID: <v%d@truc.fr>\r\n", n)
	if n == 7 {
		id = "" // a message without Message-ID: only its content identifies it
	}
	return fmt.Sprintf("From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: v %d\r\n%s\r\n%s", n, id, body)
}

// recreate deletes a server folder and creates it again (a new
// UIDVALIDITY) with msgs, each with its flags.
func (ts *testServer) recreate(t *testing.T, folder string, msgs []string, flags map[int][]imap.Flag) uint32 {
	t.Helper()
	c := ts.admin(t)
	before, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	c.Unselect().Wait()
	if err := c.Delete(folder).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		ts.appendRaw(t, folder, m, flags[i]...)
	}
	after, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if after.UIDValidity == before.UIDValidity {
		t.Fatalf("UIDVALIDITY %d did not change", after.UIDValidity)
	}
	return after.UIDValidity
}

func vmsgs(ns ...int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = vmsg(n, "")
	}
	return out
}

func TestUIDValidityFewerMoreChanged(t *testing.T) {
	same := "same length body A\r\n"
	other := "same length body B\r\n" // as long: only the whole content tells
	for _, tc := range []struct {
		name  string
		after []string
		flags map[int][]imap.Flag
		// the counts of the sync after the change, headers-first and offline
		headers, offline Stats
	}{
		{name: "fewer", after: vmsgs(0, 2, 4, 6, 7),
			headers: Stats{Matched: 5, Removed: 5}, offline: Stats{Matched: 5, Removed: 5}},
		{name: "more", after: append(append(vmsgs(0, 1, 2, 3, 4, 5, 6, 7, 8), vmsg(9, same)), vmsgs(10, 11, 12)...),
			headers: Stats{Matched: 10, New: 3}, offline: Stats{Matched: 10, New: 3}},
		{name: "changed bodies", after: append(vmsgs(0, 1, 2, 3, 4, 5, 6, 7), vmsg(8, "a longer body than it had\r\n"), vmsg(9, other)),
			headers: Stats{Matched: 9, New: 1, Removed: 1}, offline: Stats{Matched: 8, New: 2, Removed: 2}},
		{name: "all at once, flags changed", after: append(vmsgs(1, 3, 7, 11), vmsg(9, other), vmsg(5, "new body\r\n")),
			flags:   map[int][]imap.Flag{0: {imap.FlagSeen}, 2: {imap.FlagFlagged}, 3: {imap.FlagAnswered}},
			headers: Stats{Matched: 4, New: 2, Removed: 6}, offline: Stats{Matched: 3, New: 3, Removed: 7}},
		{name: "emptied", after: nil, headers: Stats{Removed: 10}, offline: Stats{Removed: 10}},
	} {
		for _, offline := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/offline=%v", tc.name, offline), func(t *testing.T) {
				ts := startServer(t, "Archive")
				before := append(vmsgs(0, 1, 2, 3, 4, 5, 6, 7, 8), vmsg(9, same))
				for _, m := range before {
					ts.appendRaw(t, "Archive", m, imap.FlagSeen)
				}
				f := newFixture(t, ts, nil)
				f.s.acct.Options.Offline = offline
				kind, want := partialCopy, tc.headers
				if offline {
					kind, want = wholeCopy, tc.offline
				}
				f.sync(t)
				f.mirror(t, ts.addr, "Archive", kind, true)
				ts.recreate(t, "Archive", tc.after, tc.flags)
				st := f.sync(t)
				if got := (Stats{Matched: st.Matched, New: st.New, Removed: st.Removed}); got != want {
					t.Errorf("sync after the change %+v, want %+v", st, want)
				}
				f.mirror(t, ts.addr, "Archive", kind, true)
				if st := f.sync(t); st.New+st.Matched+st.Removed+st.Flags != 0 {
					t.Errorf("next sync %+v, want nothing", st)
				}
			})
		}
	}
}

// TestUIDValidityKeepsLocalChanges: the flag changes and moves made
// locally before a change of UIDVALIDITY reach the server under the new
// UIDs; those on a message the server no longer has are reported, and
// the message goes.
func TestUIDValidityKeepsLocalChanges(t *testing.T) {
	ts := startServer(t, "Archive")
	for _, m := range vmsgs(0, 1, 2, 3) {
		ts.appendRaw(t, "INBOX", m)
	}
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	local := f.local(t, "INBOX")
	f.s.Close()
	ts.offline.Store(true) // the changes wait in the journal
	if err := f.s.SetFlags(ctx, []int64{local["v 0"].ID}, mailstore.FlagFlagged|mailstore.FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Move(ctx, []int64{local["v 1"].ID}, "Archive"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetFlags(ctx, []int64{local["v 2"].ID}, mailstore.FlagAnswered, 0); err != nil {
		t.Fatal(err)
	}
	// the server rebuilds INBOX without v 2, v 0 now \Draft there
	ts.recreate(t, "INBOX", vmsgs(3, 1, 0), map[int][]imap.Flag{2: {imap.FlagDraft}})
	ts.offline.Store(false)
	st := f.sync(t)
	if st.Replayed != 2 || st.Unsent != 1 || st.Removed != 1 {
		t.Errorf("sync %+v, want 2 actions replayed, 1 unsent, 1 removed", st)
	}
	if n, _ := f.s.Pending(ctx); n != 0 {
		t.Errorf("%d actions still pending", n)
	}
	inbox := ts.serverFlags(t, "INBOX")
	if fl := inbox["v 0"]; !slices.Contains(fl, imap.FlagFlagged) || !slices.Contains(fl, imap.FlagSeen) || !slices.Contains(fl, imap.FlagDraft) {
		t.Errorf("server v 0 flags %v, want the local \\Flagged \\Seen and the server's \\Draft", fl)
	}
	if _, ok := inbox["v 1"]; ok || len(inbox) != 2 {
		t.Errorf("server INBOX %v, want v 0 and v 3 (v 1 moved)", inbox)
	}
	if _, ok := ts.serverFlags(t, "Archive")["v 1"]; !ok {
		t.Error("v 1 is not in the server's Archive")
	}
	f.mirror(t, ts.addr, "INBOX", partialCopy, true)
	f.mirror(t, ts.addr, "Archive", partialCopy, true)
	if st := f.sync(t); st.New+st.Matched+st.Removed+st.Flags+st.Replayed != 0 {
		t.Errorf("next sync %+v, want nothing", st)
	}
}

// TestRevalidateResumes: a revalidation cut short (the connection lost
// after the matching began) is done again by the next sync, which leaves
// the folder equal to the server's.
func TestRevalidateResumes(t *testing.T) {
	ts := startServer(t, "Archive")
	for _, m := range vmsgs(0, 1, 2, 3, 4, 5) {
		ts.appendRaw(t, "Archive", m)
	}
	f := newFixture(t, ts, nil)
	f.s.acct.Options.Offline = true
	f.sync(t)
	ts.recreate(t, "Archive", append(vmsgs(5, 3, 1, 9), vmsg(0, "changed\r\n")), nil)
	var tr lockedBuffer
	f.s.opt.Transcript, f.s.trace = &tr, &traceOut{w: &tr}
	f.s.Close()
	ts.cutOnce.Store(2200) // in the middle of the bodies fetched to compare
	if _, err := f.s.Sync(context.Background()); err == nil {
		t.Fatal("the cut sync reported no error")
	}
	if !strings.Contains(tr.String(), "BODY.PEEK[HEADER]") {
		t.Fatalf("the cut came before the revalidation:\n%s", tr.String())
	}
	fs, err := f.state.folder(context.Background(), mailstore.FolderRef{Account: "Machin", Name: "Archive"})
	if err != nil || !fs.Revalidate {
		t.Fatalf("folder state %+v (%v): want the revalidation mark", fs, err)
	}
	f.sync(t)
	f.mirror(t, ts.addr, "Archive", wholeCopy, true)
}
