package imapsync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// TestFlagsInChunks: flag changes applied to the store in chunks while the
// FETCH goes on (several chunks, one partial, two kinds of change in a
// chunk) reach every message, file name and index alike, and are all
// written to the UID map (the next sync finds nothing to do).
func TestFlagsInChunks(t *testing.T) {
	const n = 10
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, n)
	f := newFixture(t, ts, func(o *Options) { o.FlagChunk = 3 })
	f.sync(t)
	c := ts.admin(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		from, to uint32
		flag     imap.Flag
	}{{1, 7, imap.FlagFlagged}, {5, 10, imap.FlagSeen}} {
		var set imap.SeqSet
		set.AddRange(st.from, st.to)
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{st.flag}}, nil).Close(); err != nil {
			t.Fatal(err)
		}
	}
	if st := f.sync(t); st.Flags != n {
		t.Fatalf("sync %+v, want %d flag changes", st, n)
	}
	local := f.local(t, "INBOX")
	for i := range n {
		var want mailstore.Flags
		if i < 7 {
			want |= mailstore.FlagFlagged
		}
		if i >= 4 {
			want |= mailstore.FlagSeen
		}
		m := local[fmt.Sprintf("INBOX %d", i)]
		p, err := f.store.Path(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Flags != want || !strings.HasSuffix(p, "2,"+want.Maildir()) {
			t.Errorf("INBOX %d: flags %v, file %s; want %v", i, m.Flags, p, want)
		}
	}
	if st := f.sync(t); st.Flags != 0 {
		t.Errorf("second sync %+v, want no flag change: the UID map missed some", st)
	}
}

// TestFlagsStoreFailsMapUntouched: when the store cannot apply the
// server's flags (its Maildir's cur/ is a file), the sync fails and the
// UID map keeps the flags of the last sync, so that the next sync, the
// store mended, applies them all; the one after finds nothing to do.
func TestFlagsStoreFailsMapUntouched(t *testing.T) {
	const n = 6
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, n)
	f := newFixture(t, ts, func(o *Options) { o.FlagChunk = 2 })
	f.sync(t)
	ctx := context.Background()
	ref := f.s.ref("INBOX")
	before, err := f.state.uids(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	c := ts.admin(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, n)
	if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	p, err := f.store.Path(ctx, f.local(t, "INBOX")["INBOX 0"].ID)
	if err != nil {
		t.Fatal(err)
	}
	cur := filepath.Join(filepath.Dir(filepath.Dir(p)), "cur")
	if err := os.RemoveAll(cur); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cur, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Sync(ctx); err == nil {
		t.Fatal("sync succeeded with cur/ a file")
	}
	after, err := f.state.uids(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	for uid, mp := range before {
		if after[uid].Flags != mp.Flags {
			t.Errorf("UID %d: the UID map has %v after the failure, had %v: written before the store applied it", uid, after[uid].Flags, mp.Flags)
		}
	}
	if err := os.Remove(cur); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(cur, 0o700); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.Flags != n {
		t.Errorf("sync after the mend: %d flag changes, want %d", st.Flags, n)
	}
	for subj, m := range f.local(t, "INBOX") {
		if m.Flags&mailstore.FlagFlagged == 0 {
			t.Errorf("%s: %v, want flagged", subj, m.Flags)
		}
	}
	if st := f.sync(t); st.Flags != 0 {
		t.Errorf("third sync: %d flag changes, want 0", st.Flags)
	}
}
