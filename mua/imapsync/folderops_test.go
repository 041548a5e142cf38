package imapsync

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// serverHas tells whether the server has a mailbox of that remote name.
func (ls *layoutServer) serverHas(name string) bool {
	_, err := ls.user.Status(name, &imap.StatusOptions{NumMessages: true})
	return err == nil
}

// TestFolderOpsReachTheServer: CREATE, RENAME and DELETE go to the server
// under its names (Courier's "INBOX." prefix and '.' delimiter, Dovecot's
// '/'), the local folder follows, the messages keep their local ids and
// UIDs (a sync after the rename downloads nothing), and a sync after the
// delete does not bring the folder back.
func TestFolderOpsReachTheServer(t *testing.T) {
	tests := []struct {
		name                string
		l                   layout
		work, sub, archived string // remote names: Work, Work/2026, Archive
	}{
		{"courier", courier, "INBOX.Work", "INBOX.Work.2026", "INBOX.Archive"},
		{"slash", layout{Delim: '/'}, "Work", "Work/2026", "Archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			ts := startLayout(t, tt.l, tt.work)
			ts.appendMsgs(t, tt.work, 0, 2)
			f := newFixture(t, ts, nil)
			f.sync(t)
			before := f.local(t, "Work")

			if err := f.s.CreateFolder(ctx, "Work/2026"); err != nil {
				t.Fatal(err)
			}
			if !ts.serverHas(tt.sub) {
				t.Fatalf("server lacks %q after CreateFolder", tt.sub)
			}
			if subs, _ := f.state.Subscriptions(ctx, "Machin"); !subs["Work/2026"] {
				t.Errorf("Work/2026 not recorded subscribed: %v", subs)
			}
			if err := f.s.DeleteFolder(ctx, "Work"); !errors.Is(err, mailstore.ErrHasChildren) {
				t.Errorf("DeleteFolder of a parent = %v, want ErrHasChildren", err)
			}
			if err := f.s.DeleteFolder(ctx, "Work/2026"); err != nil {
				t.Fatal(err)
			}
			if err := f.s.RenameFolder(ctx, "Work", "Archive"); err != nil {
				t.Fatal(err)
			}
			if ts.serverHas(tt.work) || !ts.serverHas(tt.archived) || ts.serverHas(tt.sub) {
				t.Fatalf("server after rename: %q %v, %q %v, %q %v", tt.work, ts.serverHas(tt.work),
					tt.archived, ts.serverHas(tt.archived), tt.sub, ts.serverHas(tt.sub))
			}
			st := f.sync(t)
			if st.New != 0 || st.Matched != 0 {
				t.Errorf("sync after rename %+v: downloaded or matched again", st)
			}
			if got := f.localFolders(t); !slices.Equal(got, []string{"Archive", "INBOX"}) {
				t.Errorf("local folders %q", got)
			}
			after := f.local(t, "Archive")
			if !slices.Equal(slices.Sorted(maps.Values(idsByName(before))), slices.Sorted(maps.Values(idsByName(after)))) {
				t.Errorf("ids before %v, after %v", idsByName(before), idsByName(after))
			}
			if err := f.s.DeleteFolder(ctx, "Archive"); err != nil {
				t.Fatal(err)
			}
			f.sync(t)
			if got := f.localFolders(t); !slices.Equal(got, []string{"INBOX"}) || ts.serverHas(tt.archived) {
				t.Errorf("after delete and sync: local %q, server has it: %v", got, ts.serverHas(tt.archived))
			}
		})
	}
}

func idsByName(m map[string]mailstore.Summary) map[string]int64 {
	out := map[string]int64{}
	for k, s := range m {
		out[k] = s.ID
	}
	return out
}

// TestFolderOpsOffline: without the server a folder change fails with
// ErrOffline and leaves the local folders as they were; INBOX and names
// taken are refused before the server is asked.
func TestFolderOpsOffline(t *testing.T) {
	ctx := context.Background()
	ts := startLayout(t, courier, "INBOX.Work")
	f := newFixture(t, ts, nil)
	f.sync(t)
	f.s.Close()
	ts.offline.Store(true)
	for name, err := range map[string]error{
		"create": f.s.CreateFolder(ctx, "New"),
		"rename": f.s.RenameFolder(ctx, "Work", "Other"),
		"delete": f.s.DeleteFolder(ctx, "Work"),
	} {
		if !errors.Is(err, ErrOffline) {
			t.Errorf("%s offline = %v, want ErrOffline", name, err)
		}
	}
	if got := f.localFolders(t); !slices.Equal(got, []string{"INBOX", "Work"}) {
		t.Errorf("local folders %q", got)
	}
	if err := f.s.RenameFolder(ctx, "INBOX", "X"); !errors.Is(err, ErrInbox) {
		t.Errorf("rename INBOX = %v", err)
	}
	if err := f.s.CreateFolder(ctx, "work"); !errors.Is(err, mailstore.ErrFolderExists) {
		t.Errorf("create of a name taken = %v", err)
	}
}

// TestFolderOpsWaitForTheSync: a folder change waits while a sync of the
// account holds its lock (here taken as Sync takes it, as another process
// would), changes nothing on the server meanwhile, and goes on once the
// lock is released.
func TestFolderOpsWaitForTheSync(t *testing.T) {
	ctx := context.Background()
	ts := startLayout(t, courier, "INBOX.Work")
	waiting := make(chan struct{}, 3)
	f := newFixture(t, ts, func(o *Options) { o.Waiting = func() { waiting <- struct{}{} } })
	f.sync(t)
	ops := []struct {
		name   string
		op     func() error
		before string // the remote name there while the sync runs
		after  string // the remote name there after the change ("" none)
		gone   string
	}{
		{"create", func() error { return f.s.CreateFolder(ctx, "New") }, "INBOX.Work", "INBOX.New", ""},
		{"rename", func() error { return f.s.RenameFolder(ctx, "Work", "Other") }, "INBOX.Work", "INBOX.Other", "INBOX.Work"},
		{"delete", func() error { return f.s.DeleteFolder(ctx, "Other") }, "INBOX.Other", "", "INBOX.Other"},
	}
	for _, op := range ops {
		lock, err := f.state.lockAccount(ctx, "Machin", nil)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- op.op() }()
		select {
		case <-waiting: // the change found the lock taken
		case err := <-done:
			t.Fatalf("%s ran while the sync held the lock (%v)", op.name, err)
		}
		if !ts.serverHas(op.before) || op.after != "" && ts.serverHas(op.after) {
			t.Errorf("%s: the server changed while the sync held the lock", op.name)
		}
		select {
		case err := <-done:
			t.Fatalf("%s returned %v while the sync held the lock", op.name, err)
		default:
		}
		if err := lock.Unlock(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("%s after the sync: %v", op.name, err)
		}
		if op.after != "" && !ts.serverHas(op.after) || op.gone != "" && ts.serverHas(op.gone) {
			t.Errorf("%s: the server's folders are not changed after the sync", op.name)
		}
	}
	f.sync(t) // and the next sync agrees
	if got := f.localFolders(t); !slices.Equal(got, []string{"INBOX", "New"}) {
		t.Errorf("local folders %q", got)
	}
}
