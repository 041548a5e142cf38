package imapsync

import (
	"context"
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
)

// sent tells whether one of the command lines starts with prefix.
func sent(cmds []string, prefix string) bool {
	return slices.ContainsFunc(cmds, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

// TestCondstoreResync: against a server with CONDSTORE, a resync where
// nothing changed sends no SEARCH and no FETCH; flags come with FETCH
// CHANGEDSINCE; new messages with UID SEARCH UID UIDNEXT:*; only an
// expunge (the count no longer adds up) costs a UID SEARCH ALL.
func TestCondstoreResync(t *testing.T) {
	ms := startModseqServer(t, "Archive")
	for i := range 6 {
		ms.add("INBOX", testMsg(i))
	}
	ms.add("Archive", testMsg(10), `\Seen`)
	f := newFixture(t, ms, nil)
	if st := f.sync(t); st.New != 7 {
		t.Fatalf("first sync %+v, want 7 new", st)
	}
	if cmds := ms.commands(); !sent(cmds, "UID SEARCH ALL") {
		t.Errorf("first sync did not list the UIDs: %q", cmds)
	}

	if st := f.sync(t); st != (Stats{Folders: 2}) {
		t.Errorf("unchanged sync %+v", st)
	}
	if cmds := ms.commands(); sent(cmds, "UID SEARCH") || sent(cmds, "UID FETCH") {
		t.Errorf("unchanged sync sent %q, want SELECT only", cmds)
	}

	ms.setFlags("INBOX", 2, `\Flagged`, `\Seen`)
	if st := f.sync(t); st.Flags != 1 || st.New != 0 || st.Removed != 0 {
		t.Errorf("sync after a flag change %+v", st)
	}
	cmds := ms.commands()
	if !sent(cmds, "UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 7)") || sent(cmds, "UID SEARCH") {
		t.Errorf("flag sync sent %q, want FETCH CHANGEDSINCE and no SEARCH", cmds)
	}
	if fl := f.local(t, "INBOX")["M 1"].Flags; fl != mailstore.FlagFlagged|mailstore.FlagSeen {
		t.Errorf("M 1 flags %v", fl)
	}

	ms.add("INBOX", testMsg(6))
	if st := f.sync(t); st.New != 1 || st.Removed != 0 {
		t.Errorf("sync after a delivery %+v", st)
	}
	if cmds := ms.commands(); !sent(cmds, "UID SEARCH UID 7:*") || sent(cmds, "UID SEARCH ALL") {
		t.Errorf("sync after a delivery sent %q, want UID SEARCH UID 7:* only", cmds)
	}

	ms.expunge("INBOX", 3)
	ms.add("INBOX", testMsg(7))
	if st := f.sync(t); st.New != 1 || st.Removed != 1 {
		t.Errorf("sync after an expunge and a delivery %+v", st)
	}
	if cmds := ms.commands(); !sent(cmds, "UID SEARCH ALL") {
		t.Errorf("an expunge went unnoticed: %q", cmds)
	}
	local := f.local(t, "INBOX")
	if _, ok := local["M 2"]; ok || len(local) != 7 {
		t.Errorf("INBOX has %d messages (M 2 expunged: %v), want 7", len(local), !ok)
	}
}

// TestCondstoreLocalFlagsDoNotComeBack: a flag change made locally goes to
// the server with UID STORE; the next FETCH CHANGEDSINCE gives it back,
// which is no change.
func TestCondstoreLocalFlagsDoNotComeBack(t *testing.T) {
	ms := startModseqServer(t)
	for i := range 3 {
		ms.add("INBOX", testMsg(i))
	}
	f := newFixture(t, ms, nil)
	f.sync(t)
	id := f.local(t, "INBOX")["M 0"].ID
	if err := f.s.SetFlags(context.Background(), []int64{id}, mailstore.FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.Replayed != 1 || st.Flags != 0 {
		t.Errorf("sync %+v, want 1 replayed and no flag change", st)
	}
	if st := f.sync(t); st.Flags != 0 {
		t.Errorf("next sync %+v", st)
	}
	if cmds := ms.commands(); !sent(cmds, "UID STORE 1 +FLAGS.SILENT (\\Seen)") {
		t.Errorf("no UID STORE: %q", cmds)
	}
}
