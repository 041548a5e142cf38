package mailsys

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/localmta/mda"
	"facteur/localmta/mtausers"
	"facteur/mailstore"
)

// startWithLogin starts a mail system whose user testLogin logs in with
// "secret" (POP3, IMAP, submission).
func startWithLogin(t *testing.T) (*mailstore.Store, *System) {
	t.Helper()
	s, dir := openStore(t)
	sys := Start(context.Background(), Options{Dir: filepath.Join(dir, "mta"), Addrs: loopback, Load: BareConfig(testLogin),
		Hostname: "facteur.test", Store: s,
		Tune: func(c *localmta.Config) { c.Users = mtausers.Users{testLogin: "{plain}secret"} }})
	t.Cleanup(func() { sys.Close() })
	return s, sys
}

// TestIMAPIdleWokenByDelivery: a client idles on INBOX over the mail
// system's IMAP server; a message submitted over SMTP goes through the
// real MTA, its queue and its MDA, and the client is told at once, then
// reads it with its Received line.
func TestIMAPIdleWokenByDelivery(t *testing.T) {
	s, sys := startWithLogin(t)
	st := sys.Status()
	if st.State != Running || st.IMAP == "" || st.IMAPS != "" {
		t.Fatalf("status = %+v, want IMAP on and implicit TLS off", st)
	}
	var mu sync.Mutex
	exists := uint32(0)
	arrived := make(chan struct{}, 1)
	c, err := imapclient.DialInsecure(st.IMAP, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				mu.Lock()
				exists = *d.NumMessages
				mu.Unlock()
				select {
				case arrived <- struct{}{}:
				default:
				}
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testLogin, "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateFolder(context.Background(), mda.LocalInbox, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	msg := "From: Marc <marc@machin.com>\r\nTo: " + testLogin + "@localhost\r\nSubject: pushed\r\n\r\nover IMAP IDLE\r\n"
	if _, _, err := handoff.SendSMTP(context.Background(), sys.SubmitAddr(), "marc@machin.com", []string{testLogin + "@localhost"}, []byte(msg), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	for {
		mu.Lock()
		n := exists
		mu.Unlock()
		if n == 1 {
			break
		}
		select {
		case <-arrived:
		case <-time.After(20 * time.Second):
			t.Fatal("IDLE was not woken by the delivery")
		}
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH = %v, %v", msgs, err)
	}
	body := string(msgs[0].FindBodySection(section))
	if !strings.Contains(body, "Received: from ") || !strings.HasSuffix(body, "\r\nover IMAP IDLE\r\n") {
		t.Fatalf("message over IMAP:\n%s", body)
	}
	if sessions := sys.IMAPSessions(); len(sessions) != 1 || sessions[0].Login != testLogin || sessions[0].Mailbox != "INBOX" {
		t.Fatalf("IMAP sessions = %+v", sessions)
	}
}
