package imapd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/localmta/mda"
)

// loadSize is the load test's clients and deliveries: 5 x 200 by
// default, FACTEUR_IMAP_LOAD=20x1000 for the full run.
func loadSize(t *testing.T) (clients, deliveries int) {
	clients, deliveries = 5, 200
	if v := os.Getenv("FACTEUR_IMAP_LOAD"); v != "" {
		if _, err := fmt.Sscanf(v, "%dx%d", &clients, &deliveries); err != nil {
			t.Fatalf("FACTEUR_IMAP_LOAD=%q: want CLIENTSxDELIVERIES", v)
		}
	}
	return clients, deliveries
}

// idler is a client in IDLE on INBOX.
type idler struct {
	c    *imapclient.Client
	u    *updates
	idle *imapclient.IdleCommand
}

// TestLoadIdleAndDeliveries: clients idle on INBOX while the MDA delivers
// messages from several goroutines at once (group commit); every client
// is told of every message, then finds each one exactly once.
func TestLoadIdleAndDeliveries(t *testing.T) {
	nClients, nMsgs := loadSize(t)
	ts := startServer(t, func(c *Config) { c.MaxClientConnections = -1 })
	clients := make([]idler, nClients)
	for i := range clients {
		u := newUpdates()
		c := ts.login(t, u)
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		idle, err := c.Idle()
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = idler{c: c, u: u, idle: idle}
	}
	deliverConcurrently(t, ts, nMsgs)
	for i, cl := range clients {
		cl.u.wait(t, fmt.Sprintf("client %d told of %d messages", i, nMsgs), func(u *updates) bool { return u.exists == uint32(nMsgs) })
	}
	for i, cl := range clients {
		if err := cl.idle.Close(); err != nil {
			t.Fatal(err)
		}
		if err := cl.idle.Wait(); err != nil {
			t.Fatal(err)
		}
		if err := everyMessageOnce(cl.c, nMsgs); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
}

// deliverConcurrently delivers n messages through the MDA, 16 at a time.
func deliverConcurrently(t *testing.T, ts *testServer, n int) {
	t.Helper()
	target := &mda.Store{Store: ts.store}
	sem := make(chan struct{}, 16)
	errs := make(chan error, n)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- deliverOne(target, testMessage(fmt.Sprintf("load %d", i), "x"))
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func deliverOne(target mda.Target, msg string) error {
	ctx := context.Background()
	d, err := target.StartDelivery(ctx, mda.Envelope{MailFrom: "fred@truc.fr"})
	if err != nil {
		return err
	}
	if err := d.AddRcpt(ctx, "marc@machin.com"); err != nil {
		return err
	}
	if err := d.Body(ctx, mda.StringBuffer(msg)); err != nil {
		return err
	}
	return d.Commit(ctx)
}

// everyMessageOnce checks that the mailbox holds the n load messages,
// each once, under distinct ascending UIDs.
func everyMessageOnce(c *imapclient.Client, n int) error {
	section := &imap.FetchItemBodySection{Peek: true, Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Subject"}}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return err
	}
	if len(msgs) != n {
		return fmt.Errorf("%d messages, want %d", len(msgs), n)
	}
	seen := map[string]bool{}
	for i, m := range msgs {
		subj := strings.TrimSpace(strings.TrimPrefix(string(m.FindBodySection(section)), "Subject:"))
		if seen[subj] {
			return fmt.Errorf("%q twice", subj)
		}
		seen[subj] = true
		if i > 0 && m.UID <= msgs[i-1].UID {
			return fmt.Errorf("UIDs not ascending: %d after %d", m.UID, msgs[i-1].UID)
		}
	}
	for i := range n {
		if !seen[fmt.Sprintf("load %d", i)] {
			return fmt.Errorf("message %d missing", i)
		}
	}
	return nil
}
