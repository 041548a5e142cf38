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

// Replay sends the journal without a sync; offline, the actions stay.
func TestReplayWithoutSync(t *testing.T) {
	ts := startServer(t, "Archive")
	ts.appendMsgs(t, "INBOX", 0, 3)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	local := f.local(t, "INBOX")
	if err := f.s.SetFlags(ctx, []int64{local["INBOX 0"].ID}, mailstore.FlagFlagged, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Move(ctx, []int64{local["INBOX 1"].ID}, "Archive"); err != nil {
		t.Fatal(err)
	}
	ts.offline.Store(true)
	f.s.Close()
	if _, err := f.s.Replay(ctx); !errors.Is(err, errOffline) {
		t.Fatalf("offline Replay = %v, want the network's error", err)
	}
	if n, _ := f.s.Pending(ctx); n != 2 {
		t.Fatalf("%d actions pending after an offline Replay, want 2", n)
	}
	ts.offline.Store(false)
	n, err := f.s.Replay(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Replay = %d, %v; want 2 sent", n, err)
	}
	if fl := ts.serverFlags(t, "INBOX")["INBOX 0"]; !slices.Contains(fl, imap.FlagFlagged) {
		t.Errorf("server flags of INBOX 0: %v, want \\Flagged", fl)
	}
	if _, ok := ts.serverFlags(t, "Archive")["INBOX 1"]; !ok {
		t.Error("the server's Archive lacks the moved message")
	}
	if n, err := f.s.Replay(ctx); n != 0 || err != nil {
		t.Errorf("second Replay = %d, %v; want nothing to send", n, err)
	}
	if st := f.sync(t); st.Replayed != 0 || st.New != 0 || st.Flags != 0 {
		t.Errorf("the sync after Replay did %+v, want nothing", st)
	}
}

// Add keeps the message locally at once and APPENDs it with the replay,
// into a folder the server creates when it has none; the next sync finds
// no second copy.
func TestAddAppendsOnReplay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		folders []string
	}{{"existing Sent", []string{"Sent"}}, {"no Sent on the server", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, tc.folders...)
			f := newFixture(t, ts, nil)
			f.sync(t)
			ctx := context.Background()
			if err := f.store.CreateFolder(ctx, f.s.ref("Sent"), mailstore.RoleSent); err != nil {
				t.Fatal(err)
			}
			sum, err := f.s.Add(ctx, "Sent", []byte(msg(1, "Sent")), mailstore.FlagSeen)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.local(t, "Sent"); len(got) != 1 || got["Sent 1"].ID != sum.ID {
				t.Fatalf("local Sent = %v, want the message at once", got)
			}
			// the APPEND, then its flags again (servers that ignore them)
			if n, err := f.s.Replay(ctx); n != 2 || err != nil {
				t.Fatalf("Replay = %d, %v; want the APPEND and its flags", n, err)
			}
			if n, _ := f.s.Pending(ctx); n != 0 {
				t.Fatalf("%d actions left after the Replay, want none", n)
			}
			fl, ok := ts.serverFlags(t, "Sent")["Sent 1"]
			if !ok || !slices.Contains(fl, imap.FlagSeen) {
				t.Fatalf("server Sent = %v, want the message with \\Seen", ts.serverFlags(t, "Sent"))
			}
			st := f.sync(t)
			if st.New != 0 || len(f.local(t, "Sent")) != 1 || len(ts.serverFlags(t, "Sent")) != 1 {
				t.Errorf("after a sync: %+v, local %d, server %d; want one copy each side", st, len(f.local(t, "Sent")), len(ts.serverFlags(t, "Sent")))
			}
		})
	}
}

// A message deleted for good, or moved to another account, before the
// replay does not go up; one that the server got before a crash (its
// APPEND done, not its mapping) is not sent twice.
func TestAppendReplayedAsTheMessageIsNow(t *testing.T) {
	ts := startServer(t, "Sent")
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	gone, err := f.s.Add(ctx, "Sent", []byte(msg(1, "Sent")), mailstore.FlagSeen)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Purge(ctx, []int64{gone.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Add(ctx, "Sent", []byte(msg(2, "Sent")), mailstore.FlagSeen); err != nil {
		t.Fatal(err)
	}
	away, err := f.s.Add(ctx, "Sent", []byte(msg(3, "Sent")), mailstore.FlagSeen)
	if err != nil {
		t.Fatal(err)
	}
	kept := mailstore.FolderRef{Account: "Local", Name: "Kept"}
	if err := f.store.CreateFolder(ctx, kept, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Move(ctx, []int64{away.ID}, kept); err != nil {
		t.Fatal(err)
	}
	ts.appendMsgs(t, "Sent", 2, 3, imap.FlagSeen) // the APPEND of a replay cut before its mapping
	if _, err := f.s.Replay(ctx); err != nil {
		t.Fatal(err)
	}
	if subjects, _ := imaptest.Messages(t, ts.addr, "Sent"); !slices.Equal(subjects, []string{"Sent 2"}) {
		t.Errorf("server Sent = %v, want Sent 2 once, and neither the deleted Sent 1 nor Sent 3 moved away", subjects)
	}
	if _, err := ts.admin(t).Select("Kept", nil).Wait(); err == nil {
		t.Error("the message moved to another account went up into a folder Kept of this one")
	}
	if st := f.sync(t); st.New != 0 {
		t.Errorf("the sync downloaded %d messages, want the copy mapped", st.New)
	}
}

// Messages move between accounts: MoveIn APPENDs, MoveOut removes from the
// server; Expunge removes for good.
func TestMoveInOutAndExpunge(t *testing.T) {
	ts := startServer(t, "Archive")
	ts.appendMsgs(t, "INBOX", 0, 3)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	other := mailstore.FolderRef{Account: "Local", Name: "Kept"}
	if err := f.store.CreateFolder(ctx, other, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	in, err := f.store.Add(ctx, other, strings.NewReader(msg(9, "Local")), mailstore.AddOptions{Flags: mailstore.FlagFlagged})
	if err != nil {
		t.Fatal(err)
	}
	local := f.local(t, "INBOX")
	if err := f.s.MoveIn(ctx, []int64{in.ID}, "Archive"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.MoveOut(ctx, []int64{local["INBOX 0"].ID}, other); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Expunge(ctx, []int64{local["INBOX 1"].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Replay(ctx); err != nil {
		t.Fatal(err)
	}
	if fl, ok := ts.serverFlags(t, "Archive")["Local 9"]; !ok || !slices.Contains(fl, imap.FlagFlagged) {
		t.Errorf("server Archive = %v, want the moved-in message, flagged", ts.serverFlags(t, "Archive"))
	}
	if subjects, _ := imaptest.Messages(t, ts.addr, "INBOX"); !slices.Equal(subjects, []string{"INBOX 2"}) {
		t.Errorf("server INBOX = %v, want INBOX 2 alone", subjects)
	}
	if got, err := f.store.Get(ctx, local["INBOX 0"].ID); err != nil || got.Folder != other {
		t.Errorf("the moved-out message is in %v (%v), want %v", got.Folder, err, other)
	}
	if _, err := f.store.Get(ctx, local["INBOX 1"].ID); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("the expunged message is still in the store: %v", err)
	}
	if st := f.sync(t); st.New != 0 || st.Removed != 0 {
		t.Errorf("the next sync did %+v, want nothing new or removed", st)
	}
}
