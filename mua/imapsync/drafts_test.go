package imapsync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"facteur/mailstore"
	"facteur/mua/imapsync/imaptest"
)

// draftCount numbers the Message-IDs of the test drafts: every version
// has its own, as compose.BuildDraft gives.
var draftCount atomic.Int64

// draftMsg is one version of a draft.
func draftMsg(subject string) []byte {
	return fmt.Appendf(nil, "From: marc@machin.com\r\nSubject: %s\r\nMessage-ID: <draft.%d@machin.com>\r\n\r\nEn cours.\r\n",
		subject, draftCount.Add(1))
}

// serverFolder lists the subjects and flags of a server folder, in UID
// order, messages marked \Deleted included.
func serverFolder(t *testing.T, ts *testServer, folder string) ([]string, [][]imap.Flag) {
	t.Helper()
	return imaptest.Messages(t, ts.addr, folder)
}

func (f *fixture) saveDraft(t *testing.T, subject string, prev int64) int64 {
	t.Helper()
	sum, err := f.s.SaveDraft(context.Background(), draftMsg(subject), prev)
	if err != nil {
		t.Fatalf("SaveDraft(%q): %v", subject, err)
	}
	return sum.ID
}

func (f *fixture) push(t *testing.T, want int) {
	t.Helper()
	n, err := f.s.PushDrafts(context.Background())
	if err != nil || n != want {
		t.Fatalf("PushDrafts = %d, %v; want %d appended", n, err, want)
	}
}

func subjects(m map[string]mailstore.Summary) []string {
	var out []string
	for s := range m {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestDraftVersionsReplaceEachOther(t *testing.T) {
	ts := startServer(t, "Drafts")
	f := newFixture(t, ts, nil)
	f.sync(t)
	v1 := f.saveDraft(t, "v1", 0)
	if got, _ := serverFolder(t, ts, "Drafts"); len(got) != 0 {
		t.Fatalf("the server has %q before the push", got)
	}
	local := f.local(t, "Drafts")
	if m, ok := local["v1"]; !ok || m.ID != v1 || m.Flags != mailstore.FlagDraft|mailstore.FlagSeen {
		t.Fatalf("local Drafts %+v", local)
	}
	f.push(t, 1)
	got, flags := serverFolder(t, ts, "Drafts")
	if !slices.Equal(got, []string{"v1"}) || !slices.Contains(flags[0], imap.FlagDraft) || !slices.Contains(flags[0], imap.FlagSeen) {
		t.Fatalf("server Drafts %q %v", got, flags)
	}
	v2 := f.saveDraft(t, "v2", v1)
	if got := subjects(f.local(t, "Drafts")); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("local Drafts after v2: %q", got)
	}
	f.push(t, 1)
	if got, _ := serverFolder(t, ts, "Drafts"); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("server Drafts after v2: %q (the old version must be expunged)", got)
	}
	if st := f.sync(t); st.New != 0 || st.Removed != 0 {
		t.Fatalf("sync after the pushes: %+v, want nothing to do", st)
	}
	if m := f.local(t, "Drafts")["v2"]; m.ID != v2 {
		t.Fatalf("v2 is now %d, want %d", m.ID, v2)
	}
	f.push(t, 0)
}

// The server is down while the user types: every version stays local, the
// push fails and loses nothing, and once the server is back only the last
// version reaches it, the one pushed before the cut is removed.
func TestDraftsWaitForTheServer(t *testing.T) {
	ts := startServer(t, "Drafts")
	f := newFixture(t, ts, nil)
	f.sync(t)
	v1 := f.saveDraft(t, "v1", 0)
	f.push(t, 1)
	f.s.Close() // the network goes down: no connection, no new one
	ts.offline.Store(true)
	v2 := f.saveDraft(t, "v2", v1)
	if _, err := f.s.PushDrafts(context.Background()); !errors.Is(err, errOffline) {
		t.Fatalf("PushDrafts offline: %v", err)
	}
	v3 := f.saveDraft(t, "v3", v2)
	if got := subjects(f.local(t, "Drafts")); !slices.Equal(got, []string{"v3"}) {
		t.Fatalf("local Drafts offline: %q", got)
	}
	if got, _ := serverFolder(t, ts, "Drafts"); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("server Drafts while offline: %q", got)
	}
	ts.offline.Store(false)
	f.push(t, 1)
	if got, _ := serverFolder(t, ts, "Drafts"); !slices.Equal(got, []string{"v3"}) {
		t.Fatalf("server Drafts back online: %q", got)
	}
	if n, _ := f.s.Pending(context.Background()); n != 0 {
		t.Fatalf("%d actions left in the journal", n)
	}
	if m := f.local(t, "Drafts")["v3"]; m.ID != v3 {
		t.Fatalf("v3 is %d, want %d", m.ID, v3)
	}
}

// A crash after the APPEND but before its UID was recorded: the next push
// finds the server's copy by Message-ID and does not APPEND it twice.
func TestDraftPushedBeforeACrash(t *testing.T) {
	ts := startServer(t, "Drafts")
	f := newFixture(t, ts, nil)
	f.sync(t)
	v1 := f.saveDraft(t, "v1", 0)
	f.push(t, 1)
	folder, mp, ok, err := f.state.byID(context.Background(), "Machin", v1)
	if err != nil || !ok || folder != "Drafts" {
		t.Fatalf("v1 not mapped: %v %v %q", ok, err, folder)
	}
	if err := f.state.dropUID(context.Background(), f.s.ref("Drafts"), mp.UID); err != nil {
		t.Fatal(err)
	}
	f.push(t, 0)
	if got, _ := serverFolder(t, ts, "Drafts"); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("server Drafts: %q", got)
	}
	if _, again, ok, _ := f.state.byID(context.Background(), "Machin", v1); !ok || again.UID != mp.UID {
		t.Fatalf("v1 mapped again to %d (%v), want %d", again.UID, ok, mp.UID)
	}
}

func TestDiscardDraftWhenSent(t *testing.T) {
	ts := startServer(t, "Drafts")
	f := newFixture(t, ts, nil)
	f.sync(t)
	v1 := f.saveDraft(t, "v1", 0)
	f.push(t, 1)
	if err := f.s.DiscardDraft(context.Background(), v1); err != nil {
		t.Fatal(err)
	}
	if got := f.local(t, "Drafts"); len(got) != 0 {
		t.Fatalf("local Drafts after discard: %q", subjects(got))
	}
	f.push(t, 0)
	if got, _ := serverFolder(t, ts, "Drafts"); len(got) != 0 {
		t.Fatalf("server Drafts after discard: %q", got)
	}
	// a draft that never reached the server goes without a trace
	v2 := f.saveDraft(t, "v2", 0)
	if err := f.s.DiscardDraft(context.Background(), v2); err != nil {
		t.Fatal(err)
	}
	f.push(t, 0)
	if n, _ := f.s.Pending(context.Background()); n != 0 {
		t.Fatalf("%d actions left in the journal", n)
	}
}

// draftSession is the test session with a Drafts folder of another name
// (listed with \Drafts), or an APPEND that gives no APPENDUID.
type draftSession struct {
	*session
	draftsName  string
	noAppendUID bool
}

func (s *draftSession) List(w *imapserver.ListWriter, ref string, patterns []string, opt *imap.ListOptions) error {
	for _, name := range []string{"INBOX", "Drafts", s.draftsName} {
		if _, err := s.user.Status(name, &imap.StatusOptions{}); name == "" || err != nil {
			continue
		}
		d := &imap.ListData{Mailbox: name, Delim: '/'}
		if name == s.draftsName {
			d.Attrs = []imap.MailboxAttr{imap.MailboxAttrDrafts}
		}
		if err := w.WriteList(d); err != nil {
			return err
		}
	}
	return nil
}

func (s *draftSession) Append(mailbox string, r imap.LiteralReader, opt *imap.AppendOptions) (*imap.AppendData, error) {
	data, err := s.session.Append(mailbox, r, opt)
	if s.noAppendUID {
		return nil, err
	}
	return data, err
}

// startDraftServer is startServer with a draftSession.
func startDraftServer(t *testing.T, draftsName string, noAppendUID bool, folders ...string) *testServer {
	t.Helper()
	ts := &testServer{user: imaptest.NewUser(t, folders...)}
	ts.addr = imaptest.Serve(t, imaptest.Listen(t), imaptest.Options(func() imapserver.Session {
		return &draftSession{session: &session{user: ts.user}, draftsName: draftsName, noAppendUID: noAppendUID}
	})).Addr
	return ts
}

// Drafts saved before the first LIST go into a local "Drafts"; the server's
// Drafts folder is "Brouillons": the push moves them there.
func TestDraftsFolderOfTheServer(t *testing.T) {
	ts := startDraftServer(t, "Brouillons", false, "Brouillons")
	f := newFixture(t, ts, nil)
	v1 := f.saveDraft(t, "v1", 0)
	f.push(t, 1)
	if got, _ := serverFolder(t, ts, "Brouillons"); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("server Brouillons: %q", got)
	}
	if m, ok := f.local(t, "Brouillons")["v1"]; !ok || m.ID != v1 {
		t.Fatalf("local Brouillons: %q", subjects(f.local(t, "Brouillons")))
	}
	v2 := f.saveDraft(t, "v2", v1)
	if m, ok := f.local(t, "Brouillons")["v2"]; !ok || m.ID != v2 {
		t.Fatalf("v2 not saved into Brouillons: %q", subjects(f.local(t, "Brouillons")))
	}
}

// A server without a Drafts folder gets one; a server without APPENDUID
// has the draft found by its Message-ID.
func TestDraftsWithoutFolderNorAppendUID(t *testing.T) {
	ts := startDraftServer(t, "", true)
	f := newFixture(t, ts, nil)
	v1 := f.saveDraft(t, "v1", 0)
	f.push(t, 1)
	if got, _ := serverFolder(t, ts, "Drafts"); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("server Drafts: %q", got)
	}
	if _, _, ok, _ := f.state.byID(context.Background(), "Machin", v1); !ok {
		t.Fatal("v1 not mapped without APPENDUID")
	}
	f.saveDraft(t, "v2", v1)
	f.push(t, 1)
	if got, _ := serverFolder(t, ts, "Drafts"); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("server Drafts after v2: %q", got)
	}
}
