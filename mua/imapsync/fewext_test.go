package imapsync

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
	"facteur/mua/imapsync/imaptest"
)

// rev1 is a server with IMAP4rev1 alone: no NAMESPACE, UIDPLUS, MOVE,
// SPECIAL-USE, LIST-EXTENDED, CONDSTORE.
var rev1 = imap.CapSet{imap.CapIMAP4rev1: {}}

// TestNoSpecialUse: without SPECIAL-USE the roles come from the folders'
// usual names, in the user's language; a deletion goes to that Trash.
func TestNoSpecialUse(t *testing.T) {
	l := courier
	l.Caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapNamespace: {}, imap.CapUIDPlus: {}}
	ts := startLayout(t, l, "INBOX.Envoyés", "INBOX.Brouillons", "INBOX.Corbeille", "INBOX.Pourriel",
		"INBOX.Archives", "INBOX.Lists", "INBOX.Lists.Sent", "INBOX.Trash")
	ts.appendMsgs(t, "INBOX", 0, 2)
	f := newFixture(t, ts, nil)
	f.sync(t)
	roles := f.roles(t)
	want := map[string]mailstore.Role{"INBOX": mailstore.RoleInbox, "Envoyés": mailstore.RoleSent,
		"Brouillons": mailstore.RoleDrafts, "Corbeille": mailstore.RoleTrash, "Pourriel": mailstore.RoleJunk,
		"Archives": mailstore.RoleArchive, "Lists/Sent": mailstore.RoleNone, // not a top-level folder
		"Trash": mailstore.RoleNone} // Corbeille came first
	for name, r := range want {
		if roles[name] != r {
			t.Errorf("%s: role %q, want %q", name, roles[name], r)
		}
	}
	if err := f.s.Delete(context.Background(), []int64{f.local(t, "INBOX")["INBOX 0"].ID}); err != nil {
		t.Fatal(err)
	}
	f.sync(t)
	if got, _ := imaptest.Messages(t, ts.addr, "INBOX.Corbeille"); !slices.Equal(got, []string{"INBOX 0"}) {
		t.Errorf("INBOX.Corbeille on the server: %q, want the deleted message", got)
	}
}

// TestNoUIDPlusNoMove: without MOVE a move is COPY then the removal of
// the original; without UIDPLUS that removal is an EXPUNGE, which must not
// take away the messages that another program marked \Deleted.
func TestNoUIDPlusNoMove(t *testing.T) {
	ts := startLayout(t, layout{Delim: '/', Caps: rev1, Hide: []imap.Cap{imap.CapUIDPlus, imap.CapMove}}, "Archive", "Trash")
	ts.appendMsgs(t, "INBOX", 0, 4)
	f := newFixture(t, ts, nil)
	f.sync(t)
	// the user's other program marks INBOX 3 \Deleted, and keeps it
	c := ts.admin(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := storeFlag(c, imap.UIDSetNum(4), imap.StoreFlagsAdd, imap.FlagDeleted); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in := f.local(t, "INBOX")
	if err := f.s.Move(ctx, []int64{in["INBOX 0"].ID}, "Archive"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Delete(ctx, []int64{in["INBOX 1"].ID}); err != nil { // to Trash
		t.Fatal(err)
	}
	if st := f.sync(t); st.Replayed != 2 {
		t.Errorf("sync %+v, want 2 replayed", st)
	}
	if err := f.s.Delete(ctx, []int64{f.local(t, "Trash")["INBOX 1"].ID}); err != nil { // for good
		t.Fatal(err)
	}
	f.sync(t)
	subjects, flags := imaptest.Messages(t, ts.addr, "INBOX")
	if !slices.Equal(subjects, []string{"INBOX 2", "INBOX 3"}) || !slices.Contains(flags[1], imap.FlagDeleted) {
		t.Errorf("INBOX on the server: %q %v; want INBOX 2, and INBOX 3 still there, still \\Deleted", subjects, flags)
	}
	for folder, want := range map[string][]string{"Archive": {"INBOX 0"}, "Trash": nil} {
		if got, _ := imaptest.Messages(t, ts.addr, folder); !slices.Equal(got, want) {
			t.Errorf("%s on the server: %q, want %q", folder, got, want)
		}
	}
	for _, cmd := range []string{"MOVE", "UID MOVE", "UID EXPUNGE"} {
		if ts.filter.sent(cmd) {
			t.Errorf("the client sent %s to a server without it", cmd)
		}
	}
	if st := f.sync(t); st.New != 0 || st.Removed != 0 {
		t.Errorf("sync after: %+v, want nothing", st)
	}
	if got := f.msgsIn(t, "Archive"); !slices.Equal(got, []string{"INBOX 0"}) {
		t.Errorf("local Archive %q", got)
	}
}

// TestNoIDLEPolls: without IDLE, Run polls.
func TestNoIDLEPolls(t *testing.T) {
	ts := startLayout(t, layout{Delim: '/', Caps: rev1, Hide: []imap.Cap{imap.CapIdle}})
	f := newFixture(t, ts, func(o *Options) { o.PollInterval = 20 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.s.Run(ctx, nil) }()
	ts.appendMsgs(t, "INBOX", 0, 1)
	deadline := time.Now().Add(10 * time.Second)
	for len(f.local(t, "INBOX")) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if len(f.local(t, "INBOX")) != 1 {
		t.Fatal("the new message never came")
	}
	if ts.filter.sent("IDLE") {
		t.Error("IDLE sent to a server without it")
	}
}

// TestNoLiteralPlus: without LITERAL+ (and LITERAL-) an APPEND waits for
// the server's continuation: synchronizing literals only.
func TestNoLiteralPlus(t *testing.T) {
	ts := startLayout(t, layout{Delim: '/', Caps: rev1, Hide: []imap.Cap{imap.CapLiteralPlus, imap.CapLiteralMinus}}, "Sent")
	f := newFixture(t, ts, nil)
	f.sync(t)
	m := []byte("From: marc@machin.com\r\nSubject: sent\r\nMessage-ID: <lit@machin.com>\r\n\r\nBonjour.\r\n")
	if _, err := f.s.Append(context.Background(), "Sent", m, mailstore.FlagSeen); err != nil {
		t.Fatal(err)
	}
	if got, _ := imaptest.Messages(t, ts.addr, "Sent"); !slices.Equal(got, []string{"sent"}) {
		t.Errorf("Sent on the server: %q", got)
	}
	sync := regexp.MustCompile(`\{\d+\}$`)
	found := false
	for _, l := range ts.filter.clientLines() {
		if strings.Contains(l, " APPEND ") {
			found = true
			if !sync.MatchString(l) {
				t.Errorf("APPEND line %q: want a synchronizing literal", l)
			}
		}
	}
	if !found {
		t.Error("no APPEND seen")
	}
}

// TestAppendFlagsIgnored: a server that drops the flags of APPEND gets
// them by UID STORE, and the next sync does not take them away locally.
func TestAppendFlagsIgnored(t *testing.T) {
	l := courier
	l.IgnoreAppendFlags = true
	ts := startLayout(t, l, "INBOX.Sent", "INBOX.Drafts")
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	m := []byte("From: marc@machin.com\r\nSubject: sent\r\nMessage-ID: <ign@machin.com>\r\n\r\nBonjour.\r\n")
	if _, err := f.s.Append(ctx, "Sent", m, mailstore.FlagSeen); err != nil {
		t.Fatal(err)
	}
	f.saveDraft(t, "draft", 0)
	f.push(t, 1)
	if st := f.sync(t); st.Flags != 0 {
		t.Errorf("sync %+v: flags changed", st)
	}
	for remote, want := range map[string][]imap.Flag{"INBOX.Sent": {imap.FlagSeen}, "INBOX.Drafts": {imap.FlagDraft, imap.FlagSeen}} {
		_, flags := imaptest.Messages(t, ts.addr, remote)
		if len(flags) != 1 || !containsAll(flags[0], want) {
			t.Errorf("%s on the server: flags %v, want %v", remote, flags, want)
		}
	}
	if s := f.local(t, "Sent")["sent"]; s.Flags != mailstore.FlagSeen {
		t.Errorf("local Sent copy: flags %v", s.Flags)
	}
	if d := f.local(t, "Drafts")["draft"]; d.Flags != mailstore.FlagDraft|mailstore.FlagSeen {
		t.Errorf("local draft: flags %v", d.Flags)
	}
}

func containsAll(have, want []imap.Flag) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// TestNoKeywords: a server that refuses keywords (no \* in
// PERMANENTFLAGS) is only ever sent system flags.
func TestNoKeywords(t *testing.T) {
	l := courier
	l.NoKeywords = true
	ts := startLayout(t, l)
	ts.appendMsgs(t, "INBOX", 0, 2)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	in := f.local(t, "INBOX")
	all := mailstore.FlagSeen | mailstore.FlagFlagged | mailstore.FlagAnswered | mailstore.FlagPassed
	if err := f.s.SetFlags(ctx, []int64{in["INBOX 0"].ID}, all, 0); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.Replayed != 1 {
		t.Errorf("sync %+v, want 1 replayed", st)
	}
	if fl := ts.serverFlags(t, "INBOX")["INBOX 0"]; !containsAll(fl, []imap.Flag{imap.FlagSeen, imap.FlagFlagged, imap.FlagAnswered}) {
		t.Errorf("server flags %v", fl)
	}
	for _, line := range ts.filter.clientLines() {
		if strings.Contains(line, "STORE") && strings.Contains(line, "$") {
			t.Errorf("a keyword was sent: %q", line)
		}
	}
}
