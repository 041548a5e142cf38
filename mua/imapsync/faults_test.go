package imapsync

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/internal/faultproxy"
)

// Issue 11: no message cut, lost or doubled when the connection fails in
// the middle of a sync. A fault proxy (internal/faultproxy) between the
// Syncer and the memory server cuts the connection at many byte offsets,
// with a FIN or a RST, stalls it or slows it; after each fault the local
// folders hold only faithful copies of server messages (nothing cut short
// stored as whole, nothing twice), and after a healthy sync they equal
// the server's, byte for byte and flag for flag.

// faultMsg is the i-th message of the fault tests: sizes from a few
// hundred bytes to several kilobytes, some with an attachment.
func faultMsg(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: fault %d\r\nMessage-ID: <fault.%d@truc.fr>\r\n", i, i)
	lines := (i*i*7)%60 + 1
	if i%3 == 0 {
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n")
	} else {
		b.WriteString("\r\n")
	}
	for l := range lines {
		fmt.Fprintf(&b, "line %d of message %d: the quick brown fox jumps over the lazy dog\r\n", l, i)
	}
	if i%3 == 0 {
		b.WriteString("--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f.bin\"\r\n\r\nAAAA\r\n--b--\r\n")
	}
	return b.String()
}

// faultFolders are the folders of the fault tests and their messages.
var faultFolders = []struct {
	name string
	n    int
}{{"INBOX", 10}, {"Archive", 4}}

func faultServer(t *testing.T) *testServer {
	t.Helper()
	ts := startServer(t, "Archive")
	flags := [][]imap.Flag{nil, {imap.FlagSeen}, {imap.FlagFlagged, imap.FlagSeen}, {imap.FlagAnswered}}
	k := 0
	for _, fo := range faultFolders {
		for range fo.n {
			ts.appendRaw(t, fo.name, faultMsg(k), flags[k%len(flags)]...)
			k++
		}
	}
	return ts
}

// faultMode is the sync a fault strikes.
type faultMode int

const (
	modeOffline faultMode = iota // whole messages (sync --offline)
	modeHeaders                  // headers first
	modeFill                     // bodies filled in after a headers-first sync
)

func (m faultMode) String() string { return [...]string{"offline", "headers", "fill"}[m] }

// kinds are the kinds of local copies after the faulted sync and after
// the healthy one.
func (m faultMode) kinds() (copyKind, copyKind) {
	switch m {
	case modeHeaders:
		return partialCopy, partialCopy
	case modeFill:
		return anyCopy, wholeCopy
	}
	return wholeCopy, wholeCopy
}

// faultRun is one sync under a fault: a fresh store, and the proxy.
type faultRun struct {
	ts *testServer
	p  *faultproxy.Proxy
	f  *fixture
}

// newFaultRun prepares a sync of mode through a proxy that passes
// everything: for modeFill, the headers-first sync is done (healthy) and
// the Syncer is replaced by one of the account available offline.
func newFaultRun(t *testing.T, ts *testServer, mode faultMode) *faultRun {
	t.Helper()
	p := startProxy(t, ts.addr, nil)
	f := newFixture(t, proxied{ts: ts, p: p, offline: mode == modeOffline}, nil)
	if mode == modeFill {
		f.sync(t)
		f.s.Close()
		f.s = New(proxied{ts: ts, p: p, offline: true}.account(), "secret",
			Options{Store: f.store, State: f.state, Dialer: ts.dialer(), BatchSize: 4})
		t.Cleanup(func() { f.s.Close() })
	}
	return &faultRun{ts: ts, p: p, f: f}
}

// strike makes the next connection suffer fault.
func (r *faultRun) strike(fault faultproxy.Fault) {
	next := r.p.Accepted()
	r.p.SetSchedule(func(n int) faultproxy.Fault {
		if n == next {
			return fault
		}
		return faultproxy.Fault{}
	})
}

// check checks every folder (see checkMirror).
func (r *faultRun) check(t *testing.T, kind copyKind, exact bool) {
	t.Helper()
	for _, fo := range faultFolders {
		r.f.mirror(t, r.ts.addr, fo.name, kind, exact)
	}
}

// heal syncs with a healthy connection and checks that the folders equal
// the server's.
func (r *faultRun) heal(t *testing.T, kind copyKind) {
	t.Helper()
	r.p.SetSchedule(nil)
	if _, err := r.f.s.Sync(context.Background()); err != nil {
		t.Fatalf("healthy sync after the fault: %v", err)
	}
	r.check(t, kind, true)
}

// measure is the bytes that the server sends on the connection of a
// healthy sync of mode: the offsets worth cutting at.
func measure(t *testing.T, ts *testServer, mode faultMode) int64 {
	t.Helper()
	r := newFaultRun(t, ts, mode)
	before := r.p.Forwarded(faultproxy.Down)
	if _, err := r.f.s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.f.s.Close()
	return r.p.Forwarded(faultproxy.Down) - before
}

// offsets spreads n offsets over [1, total), the first ones dense (the
// greeting, the login, the first responses), then every message.
func offsets(total int64, n int) []int64 {
	out := []int64{1, 2, 17}
	k := int64(n - len(out))
	for i := range k {
		out = append(out, 20+(total-21)*i/k)
	}
	return out
}

// TestCutAtOffsets cuts the sync's connection at many offsets, with a FIN
// and with a RST, in the three modes (whole messages, headers first,
// bodies filled in): never a message cut short stored, and a healthy sync
// afterwards mirrors the server.
func TestCutAtOffsets(t *testing.T) {
	ts := faultServer(t)
	began, runs := time.Now(), 0
	fins, rsts := 32, 8
	if testing.Short() {
		fins, rsts = 8, 4
	}
	for _, mode := range []faultMode{modeOffline, modeHeaders, modeFill} {
		total := measure(t, ts, mode)
		for _, cut := range []struct {
			action faultproxy.Action
			n      int
		}{{faultproxy.CutFIN, fins}, {faultproxy.CutRST, rsts}} {
			for _, off := range offsets(total, cut.n) {
				name := fmt.Sprintf("%v/%s@%d", mode, map[faultproxy.Action]string{faultproxy.CutFIN: "fin", faultproxy.CutRST: "rst"}[cut.action], off)
				t.Run(name, func(t *testing.T) {
					runCut(t, ts, mode, faultproxy.Fault{Action: cut.action, After: off})
				})
				runs++
			}
		}
	}
	t.Logf("%d cuts in %v", runs, time.Since(began).Round(time.Millisecond))
}

func runCut(t *testing.T, ts *testServer, mode faultMode, fault faultproxy.Fault) {
	r := newFaultRun(t, ts, mode)
	during, after := mode.kinds()
	r.strike(fault)
	_, err := r.f.s.Sync(context.Background())
	if r.p.Hits() != 1 {
		t.Fatalf("the fault did not strike (sync: %v)", err)
	}
	if err == nil {
		t.Error("the sync cut short reported no error")
	}
	r.check(t, during, false)
	r.heal(t, after)
}

// TestStallThenCancel: a connection that stops in the middle of a FETCH
// is given up (the context ends); nothing partial is stored, and the next
// sync completes.
func TestStallThenCancel(t *testing.T) {
	ts := faultServer(t)
	for _, mode := range []faultMode{modeOffline, modeHeaders, modeFill} {
		total := measure(t, ts, mode)
		for _, frac := range []int64{3, 2} {
			off := total * (frac - 1) / frac
			t.Run(fmt.Sprintf("%v/stall@%d", mode, off), func(t *testing.T) {
				r := newFaultRun(t, ts, mode)
				r.strike(faultproxy.Fault{Action: faultproxy.Stall, After: off})
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { _, err := r.f.s.Sync(ctx); done <- err }()
				wait, stop := context.WithTimeout(context.Background(), 20*time.Second)
				defer stop()
				if err := r.p.WaitHits(wait, 1); err != nil {
					t.Fatalf("no stall: %v", err)
				}
				cancel()
				if err := <-done; err == nil {
					t.Error("a cancelled sync reported no error")
				}
				during, after := mode.kinds()
				r.check(t, during, false)
				r.heal(t, after)
			})
		}
	}
}

// TestSlowConnection: a server that sends its bytes a few at a time is
// synced whole.
func TestSlowConnection(t *testing.T) {
	ts := faultServer(t)
	for _, mode := range []faultMode{modeOffline, modeHeaders, modeFill} {
		t.Run(mode.String(), func(t *testing.T) {
			r := newFaultRun(t, ts, mode)
			r.strike(faultproxy.Fault{Action: faultproxy.Slow, Chunk: 61, Delay: 50 * time.Microsecond})
			if _, err := r.f.s.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, after := mode.kinds()
			r.check(t, after, true)
		})
	}
}

// TestOddMessagesAreComplete: the completeness checks take messages
// without body, without the blank line or with an empty header as
// whole, in both modes: none is left behind as incomplete.
func TestOddMessagesAreComplete(t *testing.T) {
	odd := []string{
		"Subject: no body\r\n\r\n",
		"Subject: no blank line\r\n",
		"\r\nno header at all\r\n",
		"Subject: LF only\n\nbody\n",
	}
	for _, offline := range []bool{false, true} {
		t.Run(fmt.Sprintf("offline=%v", offline), func(t *testing.T) {
			ts := startServer(t)
			for _, m := range odd {
				ts.appendRaw(t, "INBOX", m)
			}
			p := startProxy(t, ts.addr, nil)
			f := newFixture(t, proxied{ts: ts, p: p, offline: offline}, nil)
			st, err := f.s.Sync(context.Background())
			if err != nil || st.Incomplete != 0 {
				t.Fatalf("sync: %+v, %v", st, err)
			}
			kind := partialCopy
			if offline {
				kind = wholeCopy
			}
			f.mirror(t, ts.addr, "INBOX", kind, true)
		})
	}
}

func TestCheckWholeAndHeader(t *testing.T) {
	for _, tc := range []struct {
		data   string
		size   int64
		whole  bool // checkWhole passes
		header bool // checkHeader passes
	}{
		{"Subject: a\r\n\r\nbody\r\n", 20, true, true},
		{"Subject: a\r\n\r\nbo", 20, false, false},
		{"Subject: a\r\n\r\nbody\r\n", 18, true, true},
		{"Subject: a\r\n", 12, true, true},
		{"Subject: a\r\n", 20, false, false},
		{"Subject: a\r\nFrom: b", 40, false, false},
		{"", 40, false, false},
		{"\r\n", 10, false, true},
		{"Subject: a\n\n", 30, false, true},
		{"Subject: a\r\n\r\n", 5, true, true},
	} {
		buf := &imapclient.FetchMessageBuffer{RFC822Size: tc.size}
		if got := checkWhole([]byte(tc.data), buf) == ""; got != tc.whole {
			t.Errorf("checkWhole(%q, %d) = %v", tc.data, tc.size, got)
		}
		if got := checkHeader([]byte(tc.data), buf) == ""; got != tc.header {
			t.Errorf("checkHeader(%q, %d) = %v", tc.data, tc.size, got)
		}
	}
}

// TestFetchBodyCut: a message opened (FetchBody) over a connection cut in
// the middle stays header-only, as it was; opened again, it is whole.
func TestFetchBodyCut(t *testing.T) {
	ts := faultServer(t)
	big := int64(-1) // the INBOX message with the most lines
	measureOpen := func(r *faultRun) (int64, int64) {
		list := r.f.snapshot(t, "INBOX")
		id := list[0].sum.ID
		for _, l := range list {
			if l.sum.Size > big {
				big, id = l.sum.Size, l.sum.ID
			}
		}
		before := r.p.Forwarded(faultproxy.Down)
		if _, err := r.f.s.FetchBody(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		return id, r.p.Forwarded(faultproxy.Down) - before
	}
	r0 := newFaultRun(t, ts, modeHeaders)
	r0.f.sync(t)
	_, total := measureOpen(r0)
	for _, off := range offsets(total, 12) {
		t.Run(fmt.Sprintf("fin@%d", off), func(t *testing.T) {
			r := newFaultRun(t, ts, modeHeaders)
			r.f.sync(t)
			list := r.f.snapshot(t, "INBOX")
			var id int64
			var before []byte
			for _, l := range list {
				if l.sum.Size == big {
					id, before = l.sum.ID, l.file
				}
			}
			r.strike(faultproxy.Fault{Action: faultproxy.CutFIN, After: off})
			if _, err := r.f.s.FetchBody(context.Background(), id); err == nil {
				t.Fatal("FetchBody over a cut connection reported no error")
			}
			if got := r.f.file(t, id); !bytes.Equal(got, before) {
				t.Fatalf("the header-only copy changed: %d bytes, was %d", len(got), len(before))
			}
			r.p.SetSchedule(nil)
			sum, err := r.f.s.FetchBody(context.Background(), id)
			if err != nil || sum.Partial {
				t.Fatalf("FetchBody again: %+v, %v", sum, err)
			}
			r.check(t, anyCopy, true)
		})
	}
}
