package mailsys

import (
	"context"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/localmta/mda"
	"facteur/mailstore"
)

// TestPOP3BesideIMAP: a POP3 session holds INBOX while an IMAP session
// has it selected, as with Dovecot: the IMAP session goes on; a message it
// expunges is answered -ERR by RETR; the POP3 session's DELE reaches the
// IMAP session as EXPUNGE once it quits.
func TestPOP3BesideIMAP(t *testing.T) {
	s, sys := startWithLogin(t)
	for _, subj := range []string{"one", "two"} {
		res := s.AddBatch(context.Background(), []mailstore.AddItem{{Folder: mda.LocalInbox,
			Data: []byte("From: marc@machin.com\r\nSubject: " + subj + "\r\n\r\n" + subj + "\r\n")}})
		if res[0].Err != nil {
			t.Fatal(res[0].Err)
		}
	}
	var mu sync.Mutex
	var expunged []uint32
	told := make(chan struct{}, 4)
	c, err := imapclient.DialInsecure(sys.Status().IMAP, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Expunge: func(seq uint32) {
			mu.Lock()
			expunged = append(expunged, seq)
			mu.Unlock()
			told <- struct{}{}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testLogin, "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}

	pop := dialPOP3(t, sys.Status().POP3)
	pop.cmd(t, "USER "+testLogin, "+OK")
	pop.cmd(t, "PASS secret", "+OK")
	// IMAP expunges message 2 while POP3 holds the maildrop.
	if err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if seqs, err := c.Expunge().Collect(); err != nil || len(seqs) != 1 || seqs[0] != 2 {
		t.Fatalf("IMAP EXPUNGE while POP3 holds INBOX: %v, %v", seqs, err)
	}
	pop.cmd(t, "RETR 2", "-ERR")
	pop.cmd(t, "DELE 1", "+OK")
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	pop.cmd(t, "QUIT", "+OK")
	for {
		mu.Lock()
		n := len(expunged)
		mu.Unlock()
		if n == 1 {
			break
		}
		select {
		case <-told:
		case <-time.After(20 * time.Second):
			t.Fatalf("IMAP not told of POP3's DELE: expunged %v", expunged)
		}
	}
	idle.Close()
	idle.Wait()
	if expunged[0] != 1 {
		t.Fatalf("POP3's DELE 1 reached IMAP as EXPUNGE %v", expunged)
	}
	if ids, _ := s.FolderIDs(context.Background(), mda.LocalInbox); len(ids) != 0 {
		t.Fatalf("INBOX keeps %d messages", len(ids))
	}
}

type popConn struct{ *textproto.Conn }

func dialPOP3(t *testing.T, addr string) popConn {
	t.Helper()
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if l, err := c.ReadLine(); err != nil || !strings.HasPrefix(l, "+OK") {
		t.Fatalf("POP3 greeting %q, %v", l, err)
	}
	return popConn{c}
}

// cmd sends a command and checks the first line of the answer; a
// multi-line answer is read to its end.
func (p popConn) cmd(t *testing.T, line, want string) {
	t.Helper()
	if err := p.PrintfLine("%s", line); err != nil {
		t.Fatal(err)
	}
	l, err := p.ReadLine()
	if err != nil || !strings.HasPrefix(l, want) {
		t.Fatalf("POP3 %s: %q, %v; want %s", line, l, err, want)
	}
	if strings.HasPrefix(line, "RETR") && strings.HasPrefix(l, "+OK") {
		if _, err := p.ReadDotLines(); err != nil {
			t.Fatal(err)
		}
	}
}
