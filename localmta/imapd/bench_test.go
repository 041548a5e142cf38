package imapd

import (
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// BenchmarkFetchBody is what mbsync does for each message it pulls: one
// UID FETCH of the whole body.
func BenchmarkFetchBody(b *testing.B) {
	ts := startServer(b)
	const n = 500
	for i := range n {
		ts.deliver(b, inboxRef, testMessage(fmt.Sprintf("bench %d", i), "a body of a few words"))
	}
	c := ts.login(b, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	section := []*imap.FetchItemBodySection{{Peek: true}}
	b.ResetTimer()
	for i := range b.N {
		uid := imap.UID(i%n + 1)
		if _, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: section}).Collect(); err != nil {
			b.Fatal(err)
		}
	}
}
