package imapsync

import (
	"context"
	"fmt"
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
