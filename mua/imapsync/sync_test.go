package imapsync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

func TestInitialSyncAndIncremental(t *testing.T) {
	ts := startServer(t, "Sent", "Trash", "Archive", "Lists/golang")
	ts.appendMsgs(t, "INBOX", 0, 6)
	ts.appendMsgs(t, "Sent", 0, 2, imap.FlagSeen)
	ts.appendMsgs(t, "Lists/golang", 0, 1, imap.FlagFlagged, imap.FlagAnswered)
	var progress []Progress
	f := newFixture(t, ts, func(o *Options) { o.Progress = func(p Progress) { progress = append(progress, p) } })
	st := f.sync(t)
	if st.New != 9 || st.Folders != 5 {
		t.Errorf("first sync %+v, want 9 new in 5 folders", st)
	}
	roles := f.roles(t)
	want := map[string]mailstore.Role{"INBOX": "inbox", "Sent": "sent", "Trash": "trash", "Archive": "archive", "Lists/golang": ""}
	for name, r := range want {
		if got, ok := roles[name]; !ok || got != r {
			t.Errorf("folder %s role %q (present %v), want %q", name, got, ok, r)
		}
	}
	if n := len(f.local(t, "INBOX")); n != 6 {
		t.Errorf("INBOX has %d, want 6", n)
	}
	if m := f.local(t, "Sent")["Sent 0"]; m.Flags != mailstore.FlagSeen {
		t.Errorf("Sent 0 flags %v", m.Flags)
	}
	if m := f.local(t, "Lists/golang")["Lists/golang 0"]; m.Flags != mailstore.FlagFlagged|mailstore.FlagAnswered {
		t.Errorf("golang flags %v", m.Flags)
	}
	if last := progress[len(progress)-1]; last.Done != last.Total {
		t.Errorf("last progress %+v", last)
	}
	if st := f.sync(t); st.New != 0 || st.Removed != 0 || st.Flags != 0 {
		t.Errorf("second sync %+v, want nothing", st)
	}
	ts.appendMsgs(t, "INBOX", 6, 7)
	if st := f.sync(t); st.New != 1 {
		t.Errorf("third sync %+v, want 1 new", st)
	}
	if n := len(f.local(t, "INBOX")); n != 7 {
		t.Errorf("INBOX has %d, want 7", n)
	}
}

func TestFlagsBothWays(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 3)
	f := newFixture(t, ts, nil)
	f.sync(t)
	// server -> local: another client flags message 1 and reads message 2
	c := ts.admin(t)
	c.Select("INBOX", nil).Wait()
	c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close()
	c.Store(imap.SeqSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	if st := f.sync(t); st.Flags != 2 {
		t.Errorf("sync %+v, want 2 flag changes", st)
	}
	local := f.local(t, "INBOX")
	if local["INBOX 1"].Flags != mailstore.FlagFlagged || local["INBOX 2"].Flags != mailstore.FlagSeen {
		t.Fatalf("local flags %v %v", local["INBOX 1"].Flags, local["INBOX 2"].Flags)
	}
	// local -> server: read message 0, unflag message 1
	ctx := context.Background()
	if err := f.s.SetFlags(ctx, []int64{local["INBOX 0"].ID}, mailstore.FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetFlags(ctx, []int64{local["INBOX 1"].ID}, 0, mailstore.FlagFlagged); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.Replayed != 2 || st.Flags != 0 {
		t.Errorf("sync %+v, want 2 replayed and no flag coming back", st)
	}
	sf := ts.serverFlags(t, "INBOX")
	if !slices.Contains(sf["INBOX 0"], imap.FlagSeen) || slices.Contains(sf["INBOX 1"], imap.FlagFlagged) {
		t.Errorf("server flags %v", sf)
	}
}

func TestUIDValidityChange(t *testing.T) {
	for _, offline := range []bool{false, true} {
		t.Run(map[bool]string{false: "headers", true: "offline"}[offline], func(t *testing.T) {
			testUIDValidityChange(t, offline)
		})
	}
}

func testUIDValidityChange(t *testing.T, offline bool) {
	ts := startServer(t, "Archive")
	ts.appendMsgs(t, "Archive", 0, 5)
	f := newFixture(t, ts, nil)
	f.s.acct.Options.Offline = offline
	f.sync(t)
	// the server rebuilds the folder: same messages, new UIDVALIDITY, one more
	c := ts.admin(t)
	if err := c.Delete("Archive").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Archive", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	ts.appendMsgs(t, "Archive", 0, 6)
	st := f.sync(t)
	if st.New != 1 || st.Matched != 5 {
		t.Errorf("sync %+v, want 1 new and 5 matched", st)
	}
	if n := len(f.local(t, "Archive")); n != 6 {
		t.Errorf("Archive has %d, want 6 (no duplicates)", n)
	}
	if st := f.sync(t); st.New != 0 {
		t.Errorf("sync after %+v", st)
	}
}

func TestMoveDeleteCopyReplayed(t *testing.T) {
	ts := startServer(t, "Trash", "Archive")
	ts.appendMsgs(t, "INBOX", 0, 4)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	local := f.local(t, "INBOX")
	if err := f.s.Move(ctx, []int64{local["INBOX 0"].ID}, "Archive"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Delete(ctx, []int64{local["INBOX 1"].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Copy(ctx, []int64{local["INBOX 2"].ID}, "Archive"); err != nil {
		t.Fatal(err)
	}
	st := f.sync(t)
	if st.Replayed != 3 || st.New != 0 || st.Removed != 0 {
		t.Errorf("sync %+v, want 3 replayed, nothing new or removed", st)
	}
	for folder, want := range map[string]int{"INBOX": 2, "Archive": 2, "Trash": 1} {
		if n := len(ts.serverFlags(t, folder)); n != want {
			t.Errorf("server %s has %d, want %d", folder, n, want)
		}
		if n := len(f.local(t, folder)); n != want {
			t.Errorf("local %s has %d, want %d", folder, n, want)
		}
	}
	// deleting from the Trash expunges for good
	if err := f.s.Delete(ctx, []int64{f.local(t, "Trash")["INBOX 1"].ID}); err != nil {
		t.Fatal(err)
	}
	f.sync(t)
	if n := len(ts.serverFlags(t, "Trash")); n != 0 {
		t.Errorf("server Trash has %d", n)
	}
	if st := f.sync(t); st.New != 0 || st.Replayed != 0 {
		t.Errorf("last sync %+v", st)
	}
}

func TestOfflineQueueReplay(t *testing.T) {
	ts := startServer(t, "Archive")
	ts.appendMsgs(t, "INBOX", 0, 3)
	f := newFixture(t, ts, nil)
	f.sync(t)
	f.s.Close()
	ts.offline.Store(true)
	ctx := context.Background()
	local := f.local(t, "INBOX")
	f.s.SetFlags(ctx, []int64{local["INBOX 0"].ID}, mailstore.FlagSeen|mailstore.FlagFlagged, 0)
	f.s.Move(ctx, []int64{local["INBOX 0"].ID}, "Archive")
	f.s.SetFlags(ctx, []int64{local["INBOX 1"].ID}, mailstore.FlagAnswered, 0)
	if _, err := f.s.Sync(ctx); !errors.Is(err, errOffline) {
		t.Fatalf("offline Sync = %v", err)
	}
	if n, _ := f.s.Pending(ctx); n != 3 {
		t.Fatalf("pending %d, want 3", n)
	}
	ts.offline.Store(false)
	if st := f.sync(t); st.Replayed != 3 {
		t.Errorf("sync %+v", st)
	}
	if n, _ := f.s.Pending(ctx); n != 0 {
		t.Errorf("pending %d after replay", n)
	}
	arch := ts.serverFlags(t, "Archive")
	if fl := arch["INBOX 0"]; !slices.Contains(fl, imap.FlagSeen) || !slices.Contains(fl, imap.FlagFlagged) {
		t.Errorf("server Archive %v", arch)
	}
	if fl := ts.serverFlags(t, "INBOX")["INBOX 1"]; !slices.Contains(fl, imap.FlagAnswered) {
		t.Errorf("server INBOX 1 flags %v", fl)
	}
	if n := len(f.local(t, "Archive")); n != 1 {
		t.Errorf("local Archive %d", n)
	}
}

func TestDropMidSyncResumes(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 20)
	f := newFixture(t, ts, nil)
	ts.cutOnce.Store(3000)
	if _, err := f.s.Sync(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("cut Sync = %v, want ErrClosed", err)
	}
	got := len(f.local(t, "INBOX"))
	if got == 20 {
		t.Fatalf("the cut came after the whole sync")
	}
	t.Logf("cut after %d messages", got)
	st := f.sync(t)
	if st.New != 20-got {
		t.Errorf("resumed sync %+v after %d, want %d new", st, got, 20-got)
	}
	if n := len(f.local(t, "INBOX")); n != 20 {
		t.Errorf("INBOX has %d, want 20", n)
	}
}

func TestAppendAndTranscript(t *testing.T) {
	ts := startServer(t, "Sent")
	var tr lockedBuffer
	f := newFixture(t, ts, func(o *Options) { o.Transcript = &tr })
	f.sync(t)
	sum, err := f.s.Append(context.Background(), "Sent", []byte(msg(1, "Sent")), mailstore.FlagSeen)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Folder.Name != "Sent" {
		t.Errorf("appended to %v", sum.Folder)
	}
	if st := f.sync(t); st.New != 0 {
		t.Errorf("sync after append %+v", st)
	}
	if n := len(f.local(t, "Sent")); n != 1 {
		t.Errorf("local Sent %d", n)
	}
	if strings.Contains(tr.String(), "secret") || !strings.Contains(tr.String(), "LOGIN") {
		t.Errorf("transcript shows the password or misses LOGIN")
	}
}

// TestRunIdle: a message that comes while Run is in IDLE wakes it up (the
// server's EXISTS, RFC 2177), and Run syncs it. The append waits until
// the transcript shows the IDLE under way (no sleep), so the mail cannot
// come before it (Run's check of UIDNEXT before IDLE would then find it);
// the polling and the IDLE restart are an hour away, so nothing but the
// EXISTS during IDLE ends it: the transcript must show DONE after it.
func TestRunIdle(t *testing.T) {
	ts := startServer(t)
	var tr lockedBuffer
	f := newFixture(t, ts, func(o *Options) {
		o.Transcript, o.PollInterval, o.IdleRestart = &tr, time.Hour, time.Hour
	})
	ctx, cancel := context.WithCancel(context.Background())
	changes := f.store.Subscribe(ctx)
	done := make(chan error, 1)
	go func() { done <- f.s.Run(ctx, func(err error) { t.Logf("Run: %v", err) }) }()
	stop := sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() { stop() }) // a failed test's Run ends before the fixture closes
	waitTranscript(t, &tr, "Run in IDLE", idleRE)
	if strings.Contains(tr.String(), "C: DONE") {
		t.Fatalf("IDLE ended before any mail came:\n%s", tr.String())
	}
	ts.appendMsgs(t, "INBOX", 0, 1)
	timeout := time.After(10 * time.Second)
	for added := false; !added; {
		select {
		case ch := <-changes:
			added = ch.Kind == mailstore.ChangeAdded || ch.Kind == mailstore.ChangeReset
		case <-timeout:
			t.Fatalf("new message not synced by IDLE; transcript:\n%s", tr.String())
		}
	}
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	if !existsThenDone.MatchString(tr.String()) {
		t.Errorf("the sync did not follow an EXISTS during IDLE; transcript:\n%s", tr.String())
	}
}

var (
	idleRE = regexp.MustCompile(`(?m)^C: \S+ IDLE\r?$`)
	// the IDLE, the server's EXISTS during it, then the client's DONE
	existsThenDone = regexp.MustCompile(`(?s)C: \S+ IDLE\r?\n(?:S: [^\n]*\n)*?S: \* \d+ EXISTS[^\n]*\n.*?C: DONE`)
)

// waitTranscript waits until the transcript matches re.
func waitTranscript(t *testing.T, tr *lockedBuffer, what string, re *regexp.Regexp) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !re.MatchString(tr.String()); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s; transcript:\n%s", what, tr.String())
		}
	}
}

func TestLoginRefused(t *testing.T) {
	ts := startServer(t)
	f := newFixture(t, ts, nil)
	f.s.password = "wrong"
	if _, err := f.s.Sync(context.Background()); !errors.Is(err, ErrAuth) {
		t.Errorf("Sync = %v, want ErrAuth", err)
	}
}

// lockedBuffer is a transcript that the test can read while the
// connection's goroutines still write to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCrashBetweenStoreAndState: a batch is durable in the mailstore but
// its UID map rows were never written (the program died in between). The
// next sync, by a new Syncer on the same store and state, adopts those
// messages by Message-ID: nothing lost, nothing twice, flags taken from
// the server.
func TestCrashBetweenStoreAndState(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 10)
	f := newFixture(t, ts, nil) // batches of 4
	f.s.storers = 1             // one after the other: the crash comes after 2 batches
	crash := errors.New("test: crash")
	batches := 0
	f.s.crashBeforeState = func() error {
		if batches++; batches == 2 {
			return crash
		}
		return nil
	}
	if _, err := f.s.Sync(context.Background()); !errors.Is(err, crash) {
		t.Fatalf("Sync = %v, want the crash", err)
	}
	if n := len(f.local(t, "INBOX")); n != 8 {
		t.Fatalf("INBOX has %d after the crash, want 8 (2 batches stored)", n)
	}
	ctx := context.Background()
	known, err := f.state.uids(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"})
	if err != nil || len(known) != 4 {
		t.Fatalf("%d UIDs mapped after the crash (%v), want 4", len(known), err)
	}
	// meanwhile another client flags one of the unmapped messages
	c := ts.admin(t)
	c.Select("INBOX", nil).Wait()
	c.Store(imap.SeqSetNum(6), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close()

	s2 := New(ts.account(), "secret", Options{Store: f.store, State: f.state, Dialer: ts.dialer(), BatchSize: 4})
	t.Cleanup(func() { s2.Close() })
	st, err := s2.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.New != 2 || st.Matched != 4 {
		t.Errorf("sync after the crash %+v, want 2 new (downloaded) and 4 matched", st)
	}
	local := f.local(t, "INBOX") // fails on duplicates
	if len(local) != 10 {
		t.Errorf("INBOX has %d, want 10", len(local))
	}
	if fl := local["INBOX 5"].Flags; fl != mailstore.FlagFlagged {
		t.Errorf("adopted INBOX 5 flags %v, want the server's \\Flagged", fl)
	}
	known, err = f.state.uids(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"})
	if err != nil || len(known) != 10 {
		t.Errorf("%d UIDs mapped (%v), want 10", len(known), err)
	}
	ids := map[int64]bool{}
	for _, mp := range known {
		ids[mp.ID] = true
	}
	for subj, m := range local {
		if !ids[m.ID] {
			t.Errorf("%s (id %d) not mapped", subj, m.ID)
		}
	}
	if st, err := s2.Sync(ctx); err != nil || st.New != 0 || st.Flags != 0 {
		t.Errorf("last sync %+v, %v, want nothing", st, err)
	}
}

// TestStatsCountWhatWasStored: messages whose files could not be written
// are not counted as new; copies found in the store count as matched,
// not new (issue 11.7).
func TestStatsCountWhatWasStored(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 4)
	f := newFixture(t, ts, nil)
	if st := f.sync(t); st.New != 4 || st.Matched != 0 {
		t.Fatalf("first sync %+v", st)
	}
	ts.appendMsgs(t, "INBOX", 4, 9)
	// tmp/ of the folder is a file: no message file can be written
	path, err := f.store.Path(context.Background(), f.local(t, "INBOX")["INBOX 0"].ID)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(filepath.Dir(path)), "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := f.s.Sync(context.Background())
	if err == nil || st.New != 0 {
		t.Errorf("sync that could store nothing: %+v, %v; want an error and 0 new", st, err)
	}
	if err := os.Remove(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.New != 5 || st.Matched != 0 {
		t.Errorf("sync once tmp/ is back %+v, want 5 new", st)
	}
	if n := len(f.local(t, "INBOX")); n != 9 {
		t.Errorf("INBOX has %d, want 9", n)
	}
}
