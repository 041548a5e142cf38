package imapsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/internal/eol"
	"facteur/internal/faultproxy"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
)

// srvMsg is a message as the server has it.
type srvMsg struct {
	uid    imap.UID
	raw    []byte // BODY[]
	header []byte // BODY[HEADER]
	size   int64  // RFC822.SIZE
	flags  mailstore.Flags
}

// serverSnapshot reads every message of a server folder, over a
// connection of its own (straight to the server, never through a proxy).
func serverSnapshot(t *testing.T, addr, folder string) []srvMsg {
	t.Helper()
	c := imaptest.Login(t, addr)
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	hdr := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	body := &imap.FetchItemBodySection{Peek: true}
	var all imap.SeqSet
	all.AddRange(1, 0)
	list, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{hdr, body}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]srvMsg, 0, len(list))
	for _, m := range list {
		out = append(out, srvMsg{uid: m.UID, raw: m.FindBodySection(body), header: m.FindBodySection(hdr), size: m.RFC822Size, flags: fromIMAP(m.Flags)})
	}
	return out
}

// localMsg is a message of the offline store.
type localMsg struct {
	sum  mailstore.Summary
	file []byte
}

func (f *fixture) snapshot(t *testing.T, folder string) []localMsg {
	t.Helper()
	ctx := context.Background()
	ref := mailstore.FolderRef{Account: "Machin", Name: folder}
	var out []localMsg
	for off := 0; ; off += 500 {
		page, err := f.store.List(ctx, ref, mailstore.ListOptions{Offset: off, Limit: 500})
		if errors.Is(err, mailstore.ErrNotFound) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page {
			out = append(out, localMsg{sum: s, file: f.file(t, s.ID)})
		}
		if len(page) < 500 {
			return out
		}
	}
}

// copyKind is what the local copies must be.
type copyKind int

const (
	anyCopy     copyKind = iota
	wholeCopy            // every message whole
	partialCopy          // every message header-only
)

// same tells whether a local message is a faithful copy of a server
// message: the same bytes (the store keeps LF line ends, its sizes count
// CRLF as the server does), or, header-only, the same header section and
// size.
func same(l localMsg, s srvMsg) bool {
	if !l.sum.Partial {
		lf := eol.ToLF(s.raw)
		return bytes.Equal(l.file, lf) && l.sum.Size == eol.CRLFSize(lf)
	}
	want := eol.ToLF(mailstore.PartialMessage(s.header, s.size, false))
	return l.sum.Size == s.size && bytes.Equal(afterLine(l.file), afterLine(want))
}

// afterLine drops the first line (the partial mark).
func afterLine(b []byte) []byte {
	_, rest, _ := bytes.Cut(b, []byte("\n"))
	return rest
}

// checkMirror checks a local folder against the server's: every local
// message is a faithful copy of a distinct server message (nothing cut
// short stored as whole, nothing twice) with its flags, of the kind
// asked; with exact, every server message has its copy. It returns the
// problems found.
func checkMirror(server []srvMsg, local []localMsg, kind copyKind, exact bool) []string {
	var bad []string
	used := make([]bool, len(server))
	for _, l := range local {
		switch {
		case kind == wholeCopy && l.sum.Partial:
			bad = append(bad, fmt.Sprintf("%q is header-only", l.sum.Subject))
		case kind == partialCopy && !l.sum.Partial:
			bad = append(bad, fmt.Sprintf("%q is whole", l.sum.Subject))
		}
		i := matchServer(server, used, l)
		if i < 0 {
			bad = append(bad, fmt.Sprintf("local %q (%d bytes, partial %v) is no server message: cut short, changed or a ghost", l.sum.Subject, len(l.file), l.sum.Partial))
			continue
		}
		used[i] = true
		if got := l.sum.Flags & syncedFlags; got != server[i].flags {
			bad = append(bad, fmt.Sprintf("%q: local flags %v, server %v", l.sum.Subject, got, server[i].flags))
		}
	}
	for i, u := range used {
		if exact && !u {
			bad = append(bad, fmt.Sprintf("server UID %d (%d bytes) has no local copy", server[i].uid, len(server[i].raw)))
		}
	}
	return bad
}

func matchServer(server []srvMsg, used []bool, l localMsg) int {
	for i, s := range server {
		if !used[i] && same(l, s) {
			return i
		}
	}
	return -1
}

// mirror fails the test unless the local folder mirrors the server's (see
// checkMirror).
func (f *fixture) mirror(t *testing.T, addr, folder string, kind copyKind, exact bool) {
	t.Helper()
	for _, p := range checkMirror(serverSnapshot(t, addr, folder), f.snapshot(t, folder), kind, exact) {
		t.Errorf("%s: %s", folder, p)
	}
}

// proxied is the test server seen through a fault proxy, by an account
// that may be available offline.
type proxied struct {
	ts      *testServer
	p       *faultproxy.Proxy
	offline bool
}

func (x proxied) account() account.Account {
	a := x.ts.account()
	host, port, _ := net.SplitHostPort(x.p.Addr())
	a.Incoming.Host = host
	a.Incoming.Port, _ = strconv.Atoi(port)
	a.Options.Offline = x.offline
	return a
}

func (x proxied) dialer() *account.Dialer { return x.ts.dialer() }

func startProxy(t *testing.T, target string, s faultproxy.Schedule) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.Start(faultproxy.Options{Target: target, Schedule: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}
