package imapsync

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// TestLineEndsBothWays: the local files have LF line ends (a message
// synced from the server included), and what goes up (a draft read back
// from its LF file, a Sent copy given with LF) is in CRLF lines, which a
// strict server (Cyrus) demands.
func TestLineEndsBothWays(t *testing.T) {
	l := courier
	l.StrictAppend = true
	ts := startLayout(t, l, "INBOX.Sent", "INBOX.Drafts")
	ts.appendMsgs(t, "INBOX", 0, 1)
	f := newFixture(t, ts, func(o *Options) {})
	f.s.acct.Options.Offline = true
	f.sync(t)
	ctx := context.Background()
	in := f.local(t, "INBOX")["INBOX 0"]
	if p, _ := f.store.Path(ctx, in.ID); !lfOnly(t, p) || in.Size != int64(len(msg(0, "INBOX"))) {
		t.Errorf("synced message: LF file %v, size %d, want %d (RFC822.SIZE)", lfOnly(t, p), in.Size, len(msg(0, "INBOX")))
	}

	f.saveDraft(t, "draft", 0)
	f.push(t, 1)
	sent := []byte("From: marc@machin.com\nSubject: sent\nMessage-ID: <sent.1@machin.com>\n\nBonjour.\n")
	if _, err := f.s.Append(ctx, "Sent", sent, mailstore.FlagSeen); err != nil {
		t.Fatalf("Append of an LF message to a strict server: %v", err)
	}
	for remote, want := range map[string]string{"INBOX.Drafts": "En cours.\r\n", "INBOX.Sent": "Bonjour.\r\n"} {
		body := serverBody(t, ts, remote)
		if !bytes.HasSuffix(body, []byte("\r\n\r\n"+want)) || bytes.Count(body, []byte("\n")) != bytes.Count(body, []byte("\r\n")) {
			t.Errorf("%s on the server: %q, want CRLF lines ending with %q", remote, body, want)
		}
	}
}

func lfOnly(t *testing.T, path string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return !bytes.Contains(b, []byte("\r\n")) && bytes.Contains(b, []byte("\n"))
}

// serverBody returns the first message of a server folder.
func serverBody(t *testing.T, ts *layoutServer, folder string) []byte {
	t.Helper()
	c := ts.admin(t)
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	sec := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{sec}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH in %s: %v", folder, err)
	}
	return msgs[0].FindBodySection(sec)
}
