package localmta

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
)

// startFiltered starts an MTA for machin.com delivering into a store,
// with script as the Local account's filter.
func startFiltered(t *testing.T, script string) (*MTA, *mailstore.Store) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FilterAccount+".sieve"), []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	m := startLocal(t, func(c *Config) {
		c.Store = st
		c.Filters = sieve.OpenScripts(dir)
	})
	return m, st
}

// send sends one message over SMTP and expects reply to DATA's end.
func send(t *testing.T, m *MTA, from string, rcpts []string, msg, reply string) {
	t.Helper()
	c := dial(t, m.Addrs()[0])
	c.hello("client.test")
	c.mailRcpt(from, rcpts...)
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	for _, l := range strings.Split(strings.TrimRight(msg, "\r\n"), "\r\n") {
		c.Writeln(l)
	}
	c.Writeln(".")
	c.ExpectPattern(reply)
	c.Writeln("QUIT")
}

func folder(t *testing.T, s *mailstore.Store, name string) []mailstore.Summary {
	list, err := s.List(context.Background(), mailstore.FolderRef{Account: "Local", Name: name}, mailstore.ListOptions{})
	if err != nil {
		return nil
	}
	return list
}

func waitCount(t *testing.T, s *mailstore.Store, name string, n int) []mailstore.Summary {
	t.Helper()
	var list []mailstore.Summary
	waitFor(t, name+" to hold "+string(rune('0'+n)), func() bool {
		list = folder(t, s, name)
		return len(list) == n
	})
	return list
}

const listMsg = "From: anne@machin.com\r\nTo: marc@machin.com\r\nSubject: [golang-nuts] generics\r\nMessage-ID: <1@machin.com>\r\n\r\nHello.\r\n"

func TestFilterFileIntoWithFlags(t *testing.T) {
	m, st := startFiltered(t, `require ["fileinto", "imap4flags"];
if header :contains "subject" "[golang-nuts]" { fileinto :flags "\\Seen" "Lists/Go"; }`)
	send(t, m, "anne@machin.com", []string{"marc@machin.com"}, listMsg, "250 *")
	got := waitCount(t, st, "Lists/Go", 1)
	if got[0].Flags&mailstore.FlagSeen == 0 {
		t.Errorf("flags %v, want \\Seen", got[0].Flags)
	}
	if n := len(folder(t, st, "INBOX")); n != 0 {
		t.Errorf("INBOX holds %d, want 0", n)
	}
}

func TestFilterRejectAtData(t *testing.T) {
	m, st := startFiltered(t, `require "reject";
if address :is "from" "anne@machin.com" { reject "Not from you, Anne."; }`)
	send(t, m, "anne@machin.com", []string{"marc@machin.com"}, listMsg, "550 5.7.1 Rejected by the recipient's filter: Not from you, Anne.")
	if n := len(m.queue.List()); n != 0 {
		t.Errorf("queue holds %d messages after a reject at DATA", n)
	}
	if n := len(folder(t, st, "INBOX")); n != 0 {
		t.Errorf("INBOX holds %d, want 0", n)
	}
}

// TestFilterRejectBounces: with two recipients the decision comes at
// delivery: the one whose filter rejects gets a DSN, the other the mail.
func TestFilterRejectBounces(t *testing.T) {
	m, st := startFiltered(t, `require ["reject", "envelope"];
if envelope :localpart :is "to" "marc" { reject "Marc does not read this."; }`)
	send(t, m, "anne@machin.com", []string{"marc@machin.com", "anne@machin.com"}, listMsg, "250 *")
	list := waitCount(t, st, "INBOX", 2) // anne's copy and the DSN to anne
	var dsn bool
	for _, s := range list {
		if strings.Contains(s.Subject, "Undelivered") {
			dsn = strings.Contains(readMessage(t, st, s.ID), "Marc does not read this.")
		}
	}
	if !dsn {
		t.Errorf("no DSN with the reason in INBOX: %+v", list)
	}
}

func TestFilterVacationOnce(t *testing.T) {
	m, st := startFiltered(t, `require "vacation";
vacation :days 1 :subject "Away" "Back on Monday.";`)
	send(t, m, "anne@machin.com", []string{"marc@machin.com"}, listMsg, "250 *")
	waitCount(t, st, "INBOX", 2) // the message and the reply to anne
	send(t, m, "anne@machin.com", []string{"marc@machin.com"}, strings.Replace(listMsg, "<1@", "<2@", 1), "250 *")
	waitCount(t, st, "INBOX", 3)
	waitFor(t, "an empty queue", func() bool { return len(m.queue.List()) == 0 })
	list := folder(t, st, "INBOX") // a second reply would be here now
	replies := 0
	for _, s := range list {
		if s.Subject == "Away" {
			replies++
		}
	}
	if replies != 1 {
		t.Errorf("%d vacation replies, want 1", replies)
	}
}

func TestFilterFailingRuleKeeps(t *testing.T) {
	m, st := startFiltered(t, `require ["vacation", "fileinto"];
fileinto "Elsewhere"; vacation "a"; vacation "b";`)
	send(t, m, "anne@machin.com", []string{"marc@machin.com"}, listMsg, "250 *")
	waitCount(t, st, "INBOX", 1)
	if n := len(folder(t, st, "Elsewhere")); n != 0 {
		t.Errorf("Elsewhere holds %d, want 0", n)
	}
}

// TestFilterRedirectLoop: a script that redirects to its own address
// redirects once, then keeps the message that came back.
func TestFilterRedirectLoop(t *testing.T) {
	m, st := startFiltered(t, `redirect "marc@machin.com";`)
	send(t, m, "anne@machin.com", []string{"marc@machin.com"}, listMsg, "250 *")
	list := waitCount(t, st, "INBOX", 1)
	if msg := readMessage(t, st, list[0].ID); !strings.Contains(msg, sieve.RedirectField+": marc@machin.com") {
		t.Errorf("kept message lacks the redirect mark:\n%s", msg)
	}
}

// TestFilterBadFolderFallsBack: a folder the store refuses is INBOX.
func TestFilterBadFolderFallsBack(t *testing.T) {
	m, st := startFiltered(t, `require "fileinto"; fileinto "a//b";`)
	send(t, m, "anne@machin.com", []string{"marc@machin.com"}, listMsg, "250 *")
	waitCount(t, st, "INBOX", 1)
}
