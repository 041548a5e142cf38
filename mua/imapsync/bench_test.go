package imapsync

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// BenchmarkFlagResync is the flag-only resync of a 10,000-message INBOX
// where the flags of 100, then of all 10,000 messages changed on the
// server (\Draft given, then taken away): one FETCH FLAGS, the changes to
// the store (renames of the Maildir files and the index), the UID map.
// The server is imapmemserver, without CONDSTORE: every flag is fetched.
// bench/sync-vs-mbsync.sh measures the same against Dovecot and mbsync.
func BenchmarkFlagResync(b *testing.B) {
	const n = 10000
	ts := startServer(b)
	for i := range n {
		m := []byte(msg(i, "INBOX"))
		if _, err := ts.user.Append("INBOX", bytes.NewReader(m), &imap.AppendOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	f := newFixture(b, ts, func(o *Options) { o.BatchSize = 0 })
	if st, err := f.s.Sync(context.Background()); err != nil || st.New != n {
		b.Fatalf("first sync %+v, %v", st, err)
	}
	c := ts.admin(b)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	for _, changed := range []uint32{100, n} {
		b.Run(fmt.Sprintf("changed=%d", changed), func(b *testing.B) {
			var set imap.SeqSet
			set.AddRange(1, changed)
			op := imap.StoreFlagsAdd
			for b.Loop() {
				b.StopTimer()
				if err := c.Store(set, &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{imap.FlagDraft}}, nil).Close(); err != nil {
					b.Fatal(err)
				}
				op = map[imap.StoreFlagsOp]imap.StoreFlagsOp{imap.StoreFlagsAdd: imap.StoreFlagsDel, imap.StoreFlagsDel: imap.StoreFlagsAdd}[op]
				b.StartTimer()
				st, err := f.s.Sync(context.Background())
				if err != nil || st.Flags != int(changed) {
					b.Fatalf("resync %+v, %v", st, err)
				}
			}
			if op == imap.StoreFlagsDel { // leave no \Draft for the next run
				b.StopTimer()
				if err := c.Store(set, &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{imap.FlagDraft}}, nil).Close(); err != nil {
					b.Fatal(err)
				}
				if _, err := f.s.Sync(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUIDMapFlags writes the flags of 10,000 UIDs of the UID map, as
// a flag-only resync where every flag changed does: putFlags (what
// applyFlags uses) against putUIDs (the upsert, which also rewrites the
// uids_id index).
func BenchmarkUIDMapFlags(b *testing.B) {
	for _, name := range []string{"putFlags", "putUIDs"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			ref := mailstore.FolderRef{Account: "dove", Name: "INBOX"}
			st, mps := stateWithUIDs(b, 10000, ref)
			put := map[string]func(context.Context, mailstore.FolderRef, []mapping) error{
				"putFlags": st.putFlags, "putUIDs": st.putUIDs}[name]
			for i := 0; b.Loop(); i++ {
				for j := range mps {
					mps[j].Flags = mailstore.Flags(i%2) * mailstore.FlagDraft
				}
				if err := put(ctx, ref, mps); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
