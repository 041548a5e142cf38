package imapsync

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"facteur/internal/eol"
	"facteur/mailstore"
)

// attMsg has an attachment and a word (zanzibar) only in its body.
const attMsg = "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: Report\r\nMessage-ID: <report@truc.fr>\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
	"--b\r\nContent-Type: text/plain\r\n\r\nsee the file, zanzibar\r\n" +
	"--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n"

func (ts *testServer) appendRaw(t *testing.T, folder, m string, flags ...imap.Flag) {
	t.Helper()
	c := ts.admin(t)
	cmd := c.Append(folder, int64(len(m)), &imap.AppendOptions{Flags: flags})
	cmd.Write([]byte(m))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// serverRaw returns the messages of a server folder by subject, and
// whether each is \Seen.
func (ts *testServer) serverRaw(t *testing.T, folder string) (map[string][]byte, map[string]bool) {
	t.Helper()
	c := ts.admin(t)
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	list, err := c.Fetch(all, &imap.FetchOptions{Flags: true, Envelope: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	raw, seen := map[string][]byte{}, map[string]bool{}
	for _, m := range list {
		raw[m.Envelope.Subject] = m.FindBodySection(&imap.FetchItemBodySection{Peek: true})
		seen[m.Envelope.Subject] = slices.Contains(m.Flags, imap.FlagSeen)
	}
	return raw, seen
}

func (f *fixture) file(t *testing.T, id int64) []byte {
	t.Helper()
	rc, err := f.store.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) search(t *testing.T, q string) int {
	t.Helper()
	got, err := f.store.Search(context.Background(), q, mailstore.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return len(got)
}

// TestHeadersFirstThenFetchBody: a sync stores partial messages (header,
// size, attachment marker; no body, so no body search), \Seen untouched on
// the server; FetchBody makes one whole in place, keeping its id, folder
// and flags, and tells the store's subscribers.
func TestHeadersFirstThenFetchBody(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 4)
	ts.appendRaw(t, "INBOX", attMsg, imap.FlagFlagged)
	var tr lockedBuffer
	f := newFixture(t, ts, func(o *Options) { o.Transcript = &tr })
	if st := f.sync(t); st.New != 5 {
		t.Fatalf("sync %+v, want 5 new", st)
	}
	raw, _ := ts.serverRaw(t, "INBOX")
	local := f.local(t, "INBOX")
	for subj, m := range local {
		if !m.Partial || m.Size != int64(len(raw[subj])) || m.Attachment != (subj == "Report") {
			t.Errorf("%s: partial %v, size %d (server %d), attachment %v", subj, m.Partial, m.Size, len(raw[subj]), m.Attachment)
		}
		if b := f.file(t, m.ID); !bytes.HasPrefix(b, []byte(mailstore.PartialField+":")) || bytes.Contains(b, []byte("Body ")) {
			t.Errorf("%s: local file %q", subj, b)
		}
	}
	if n := f.search(t, "zanzibar"); n != 0 {
		t.Errorf("body search found %d partial messages", n)
	}
	ctx := context.Background()
	changes := f.store.Subscribe(ctx)
	rep := local["Report"]
	sum, err := f.s.FetchBody(ctx, rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Partial || sum.ID != rep.ID || sum.Folder != rep.Folder || sum.Flags != mailstore.FlagFlagged || !sum.Attachment {
		t.Errorf("after FetchBody: %+v", sum)
	}
	if b := f.file(t, rep.ID); !bytes.Equal(b, eol.ToLF(raw["Report"])) {
		t.Errorf("local file after FetchBody:\n%q\nwant the server's, LF line ends\n%q", b, raw["Report"])
	}
	if n := f.search(t, "zanzibar"); n != 1 {
		t.Errorf("body search after FetchBody found %d, want 1", n)
	}
	waitContent(t, changes, rep.ID)
	if _, seen := ts.serverRaw(t, "INBOX"); slices.ContainsFunc(slices.Collect(mapValues(seen)), func(b bool) bool { return b }) {
		t.Errorf("the sync or FetchBody set \\Seen on the server: %v", seen)
	}
	fetches := strings.Count(tr.String(), "BODY.PEEK[]")
	if _, err := f.s.FetchBody(ctx, rep.ID); err != nil || strings.Count(tr.String(), "BODY.PEEK[]") != fetches {
		t.Errorf("FetchBody of a whole message: %v, or it fetched again", err)
	}
	if st := f.sync(t); st.New != 0 || st.Bodies != 0 {
		t.Errorf("next sync %+v", st)
	}
	if m := f.local(t, "INBOX")["Report"]; m.Partial || m.ID != rep.ID {
		t.Errorf("after the next sync: %+v", m)
	}
}

func mapValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

func waitContent(t *testing.T, changes <-chan mailstore.Change, id int64) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c := <-changes:
			if c.Kind == mailstore.ChangeContent && slices.Contains(c.IDs, id) {
				return
			}
		case <-timeout:
			t.Fatalf("no ChangeContent for %d", id)
		}
	}
}

// TestFetchBodyDuringSync: FetchBody has its own connection: it completes
// while the sync connection is taken (a long sync, an IDLE).
func TestFetchBodyDuringSync(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 2)
	f := newFixture(t, ts, nil)
	f.sync(t)
	id := f.local(t, "INBOX")["INBOX 1"].ID
	f.s.mu.Lock()
	sum, err := f.s.FetchBody(context.Background(), id)
	f.s.mu.Unlock()
	if err != nil || sum.Partial {
		t.Fatalf("FetchBody while the sync connection is taken: %+v, %v", sum, err)
	}
	if !bytes.Contains(f.file(t, id), []byte("Body 1\n")) {
		t.Errorf("file %q", f.file(t, id))
	}
}

func TestFetchBodyNotOnServer(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 3)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	gone := f.local(t, "INBOX")["INBOX 2"].ID
	c := ts.admin(t)
	c.Select("INBOX", nil).Wait()
	c.Store(imap.SeqSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.FetchBody(ctx, gone); !errors.Is(err, ErrNotOnServer) {
		t.Errorf("FetchBody of an expunged message = %v, want ErrNotOnServer", err)
	}
	unmapped, err := f.store.Add(ctx, mailstore.FolderRef{Account: "Machin", Name: "INBOX"},
		bytes.NewReader(mailstore.PartialMessage([]byte("Subject: x\r\n\r\n"), 10, false)), mailstore.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.FetchBody(ctx, unmapped.ID); !errors.Is(err, ErrNotOnServer) {
		t.Errorf("FetchBody of a message unknown to the server = %v, want ErrNotOnServer", err)
	}
	if sum, err := f.s.FetchBody(ctx, f.local(t, "INBOX")["INBOX 0"].ID); err != nil || sum.Partial {
		t.Errorf("FetchBody after errors: %+v, %v", sum, err)
	}
}

// TestOffline: an account available offline syncs whole messages; made so
// after a sync of headers, its next sync fills the bodies in place.
func TestOffline(t *testing.T) {
	ts := startServer(t, "Archive")
	ts.appendMsgs(t, "INBOX", 0, 9)
	ts.appendRaw(t, "Archive", attMsg, imap.FlagSeen)
	raw, _ := ts.serverRaw(t, "INBOX")
	full := newFixture(t, ts, nil)
	full.s.acct.Options.Offline = true
	if st := full.sync(t); st.New != 10 || st.Bodies != 0 {
		t.Errorf("offline sync %+v", st)
	}
	for subj, m := range full.local(t, "INBOX") {
		if m.Partial || !bytes.Equal(full.file(t, m.ID), eol.ToLF(raw[subj])) {
			t.Errorf("offline sync: %s partial %v, or not the server's bytes", subj, m.Partial)
		}
	}

	f := newFixture(t, ts, nil)
	f.sync(t)
	before := f.local(t, "INBOX")
	f.s.acct.Options.Offline = true
	if st := f.sync(t); st.New != 0 || st.Bodies != 10 {
		t.Errorf("sync once offline %+v, want 10 bodies", st)
	}
	for subj, m := range f.local(t, "INBOX") {
		if m.Partial || m.ID != before[subj].ID || !bytes.Equal(f.file(t, m.ID), eol.ToLF(raw[subj])) {
			t.Errorf("%s: partial %v, id %d (was %d), or not the server's bytes", subj, m.Partial, m.ID, before[subj].ID)
		}
	}
	if m := f.local(t, "Archive")["Report"]; m.Partial || m.Flags != mailstore.FlagSeen || !m.Attachment {
		t.Errorf("Archive's message after the fill: %+v", m)
	}
	if st := f.sync(t); st.Bodies != 0 || st.New != 0 {
		t.Errorf("last sync %+v", st)
	}
}

// TestIndexRebuildRematches: after the store's index is rebuilt (new
// ids), the sync drops its UID maps and adopts the local copies by
// Message-ID: nothing downloaded twice, partial messages stay partial and
// FetchBody fills the right one.
func TestIndexRebuildRematches(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 6)
	ts.appendRaw(t, "INBOX", attMsg)
	raw, _ := ts.serverRaw(t, "INBOX")
	dir := t.TempDir()
	ctx := context.Background()
	store, err := mailstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	state, err := OpenState(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { state.Close() })
	s := New(ts.account(), "secret", Options{Store: store, State: state, Dialer: ts.dialer(), BatchSize: 4})
	if _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	store.Close()
	for _, ext := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, "index.sqlite"+ext))
	}
	store, err = mailstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{ts: ts, store: store, state: state,
		s: New(ts.account(), "secret", Options{Store: store, State: state, Dialer: ts.dialer(), BatchSize: 4})}
	t.Cleanup(func() { f.s.Close() })
	if st := f.sync(t); st.New != 0 || st.Matched != 7 || st.Removed != 0 {
		t.Errorf("sync after the rebuild %+v, want 7 matched, none new", st)
	}
	local := f.local(t, "INBOX") // fails on duplicates
	if len(local) != 7 || !local["Report"].Partial {
		t.Fatalf("after the rebuild: %d messages, Report partial %v", len(local), local["Report"].Partial)
	}
	if _, err := f.s.FetchBody(ctx, local["Report"].ID); err != nil {
		t.Fatal(err)
	}
	if b := f.file(t, local["Report"].ID); !bytes.Equal(b, eol.ToLF(raw["Report"])) {
		t.Errorf("FetchBody after the rebuild gave another message: %q", b)
	}
}

// TestLostLocalCopyComesBack: a mapped message whose local copy vanished
// (a crash between a rename and its index commit, then a rescan) is synced
// again; a message moved locally, still in the store, is not.
func TestLostLocalCopyComesBack(t *testing.T) {
	ts := startServer(t, "Archive")
	ts.appendMsgs(t, "INBOX", 0, 3)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	local := f.local(t, "INBOX")
	if err := f.store.Purge(ctx, []int64{local["INBOX 0"].ID}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Move(ctx, []int64{local["INBOX 1"].ID}, mailstore.FolderRef{Account: "Machin", Name: "Archive"}); err != nil {
		t.Fatal(err)
	}
	if st := f.sync(t); st.New != 1 {
		t.Errorf("sync %+v, want the lost message again", st)
	}
	if got := f.local(t, "INBOX"); len(got) != 2 || got["INBOX 0"].ID == 0 {
		t.Errorf("INBOX after the sync: %v", slices.Collect(mapKeys(got)))
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestHasAttachment(t *testing.T) {
	text := func(sub string) *imap.BodyStructureSinglePart {
		return &imap.BodyStructureSinglePart{Type: "text", Subtype: sub}
	}
	withDisp := func(p *imap.BodyStructureSinglePart, disp string, params map[string]string) *imap.BodyStructureSinglePart {
		p.Extended = &imap.BodyStructureSinglePartExt{Disposition: &imap.BodyStructureDisposition{Value: disp, Params: params}}
		return p
	}
	pdf := &imap.BodyStructureSinglePart{Type: "application", Subtype: "pdf"}
	img := &imap.BodyStructureSinglePart{Type: "image", Subtype: "png", ID: "<logo>"}
	tests := []struct {
		name string
		bs   imap.BodyStructure
		want bool
	}{
		{"text/plain", text("plain"), false},
		{"alternative", &imap.BodyStructureMultiPart{Subtype: "alternative", Children: []imap.BodyStructure{text("plain"), text("html")}}, false},
		{"mixed with a pdf", &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{text("plain"), pdf}}, true},
		{"related inline image", &imap.BodyStructureMultiPart{Subtype: "related", Children: []imap.BodyStructure{text("html"), img}}, false},
		{"text attached", withDisp(text("plain"), "attachment", nil), true},
		{"inline named image", withDisp(&imap.BodyStructureSinglePart{Type: "image", Subtype: "png"}, "inline", map[string]string{"filename": "a.png"}), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := hasAttachment(tt.bs); got != tt.want {
			t.Errorf("%s: hasAttachment = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSubscriptions(t *testing.T) {
	ts := startServer(t, "Sent", "Archive")
	ts.subscribe("Sent", true)
	f := newFixture(t, ts, nil)
	f.sync(t)
	ctx := context.Background()
	check := func(when string, want map[string]bool) {
		t.Helper()
		got, err := f.s.Subscriptions(ctx)
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: Subscriptions = %v, %v; want %v", when, got, err, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s subscribed %v, want %v", when, k, got[k], v)
			}
		}
	}
	check("first sync", map[string]bool{"INBOX": true, "Sent": true, "Archive": false})
	if err := f.s.Subscribe(ctx, "Archive", true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Subscribe(ctx, "Sent", false); err != nil {
		t.Fatal(err)
	}
	if !ts.subscribed("Archive") || ts.subscribed("Sent") {
		t.Errorf("server subscriptions: %v", ts.subs)
	}
	check("after Subscribe", map[string]bool{"INBOX": true, "Sent": false, "Archive": true})
	ts.subscribe("Sent", true) // another client
	f.sync(t)
	check("after another client subscribed", map[string]bool{"INBOX": true, "Sent": true, "Archive": true})
}

// TestBatchSizes: by default the batches grow from 100 messages, and none
// holds more than maxBytes of messages.
func TestBatchSizes(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 250)
	for _, tt := range []struct {
		name     string
		maxBytes int
		want     []int
	}{
		{"growing", maxBatchBytes, []int{100, 150}},
		{"bytes", 3 * len(msg(0, "INBOX")), nil}, // batches of 3 at most
	} {
		var mu sync.Mutex
		var sizes []int
		last := 0
		f := newFixture(t, ts, func(o *Options) {
			o.BatchSize = 0
			o.Progress = func(p Progress) {
				mu.Lock()
				defer mu.Unlock()
				if p.Done > last {
					sizes = append(sizes, p.Done-last)
				}
				last = p.Done
			}
		})
		f.s.maxBytes = tt.maxBytes
		f.s.acct.Options.Offline = true
		if st := f.sync(t); st.New != 250 {
			t.Fatalf("%s: sync %+v", tt.name, st)
		}
		slices.Sort(sizes)
		if tt.want != nil && !slices.Equal(sizes, tt.want) {
			t.Errorf("%s: batches of %v, want %v", tt.name, sizes, tt.want)
		}
		if tt.want == nil && (len(sizes) < 250/3 || sizes[len(sizes)-1] > 3) {
			t.Errorf("%s: batches of %v, want at most 3 messages each", tt.name, sizes)
		}
	}
}

// TestDraftsWhole: Drafts, whose messages the composer edits, is fetched
// whole even when the account syncs headers.
func TestDraftsWhole(t *testing.T) {
	ts := startServer(t, "Drafts")
	ts.appendMsgs(t, "Drafts", 0, 2, imap.FlagDraft)
	ts.appendMsgs(t, "INBOX", 0, 1)
	f := newFixture(t, ts, nil)
	f.sync(t)
	raw, _ := ts.serverRaw(t, "Drafts")
	for subj, m := range f.local(t, "Drafts") {
		if m.Partial || !bytes.Equal(f.file(t, m.ID), eol.ToLF(raw[subj])) {
			t.Errorf("draft %s: partial %v, or not the server's bytes", subj, m.Partial)
		}
	}
	if m := f.local(t, "INBOX")["INBOX 0"]; !m.Partial {
		t.Errorf("INBOX 0 is whole: the account syncs headers")
	}
}

// TestStoringPanicIsAnError: a panic while storing a batch ends the sync
// with an error, not the program.
func TestStoringPanicIsAnError(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 6)
	f := newFixture(t, ts, nil)
	f.s.crashBeforeState = func() error { panic("test: boom") }
	if _, err := f.s.Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("Sync = %v, want an internal error", err)
	}
	f.s.crashBeforeState = nil
	if st := f.sync(t); st.New+st.Matched != 6 {
		t.Errorf("next sync %+v, want the 6 messages (matched or stored)", st)
	}
	if n := len(f.local(t, "INBOX")); n != 6 {
		t.Errorf("INBOX has %d, want 6", n)
	}
}
