package localmta

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"facteur/localmta/mtausers"
)

// startLocal starts one MTA for machin.com on 127.0.0.1 delivering into an
// mbox spool, with options.
func startLocal(t *testing.T, mod func(*Config)) *MTA {
	cfg := Config{
		Hostname:     "smtp.machin.com",
		Listeners:    []Listener{{Addr: "127.0.0.1:0"}, {Addr: "127.0.0.1:0", Submission: true}},
		LocalDomains: []string{"machin.com"},
		LocalUsers:   []string{"marc", "anne"},
		Users:        mtausers.Users{"marc": "{plain}pw"},
		DNSServer:    newZone(t).addr,
		Aliases:      Aliases{"webmaster": {"marc", "anne"}, "loop1": {"loop2"}, "loop2": {"loop1"}},
	}
	if mod != nil {
		mod(&cfg)
	}
	return startMTA(t, cfg)
}

func (c *conn) mailRcpt(from string, rcpts ...string) {
	c.T.Helper()
	c.Writeln("MAIL FROM:<" + from + ">")
	c.ExpectPattern("250 *")
	for _, r := range rcpts {
		c.Writeln("RCPT TO:<" + r + ">")
		c.ExpectPattern("250 *")
	}
}

func TestRelayRefused(t *testing.T) {
	m := startLocal(t, func(c *Config) { c.RelayNets = nilNets })
	c := dial(t, m.Addrs()[0])
	c.hello("outside.test")
	c.Writeln("MAIL FROM:<spammer@outside.test>")
	c.ExpectPattern("250 *")
	c.Writeln("RCPT TO:<victim@elsewhere.test>")
	c.ExpectPattern("554 5.7.1 Relay access denied")
	c.Writeln("RCPT TO:<marc@machin.com>")
	c.ExpectPattern("250 *")
	// after AUTH the same client may relay
	c2 := dial(t, m.Addrs()[0])
	c2.hello("marc-pc")
	c2.Writeln("AUTH PLAIN AG1hcmMAcHc=") // \0marc\0pw
	c2.ExpectPattern("235 *")
	c2.Writeln("MAIL FROM:<marc@machin.com>")
	c2.ExpectPattern("250 *")
	c2.Writeln("RCPT TO:<friend@elsewhere.test>")
	c2.ExpectPattern("250 *")
}

func TestSubmissionNeedsAuth(t *testing.T) {
	m := startLocal(t, nil)
	c := dial(t, m.Addrs()[1])
	c.hello("pc")
	c.Writeln("MAIL FROM:<marc@machin.com>")
	c.ExpectPattern("530 5.7.0 *")
	c.Writeln("AUTH PLAIN AG1hcmMAYmFk") // wrong password
	c.ExpectPattern("535 5.7.8 *")
	c.Writeln("AUTH LOGIN")
	c.ExpectPattern("334 VXNlcm5hbWU6")
	c.Writeln("bWFyYw==")
	c.ExpectPattern("334 UGFzc3dvcmQ6")
	c.Writeln("cHc=")
	c.ExpectPattern("235 *")
	c.Writeln("MAIL FROM:<marc@machin.com>")
	c.ExpectPattern("250 *")
}

func TestUnknownLocalUserAndAliases(t *testing.T) {
	m := startLocal(t, nil)
	c := dial(t, m.Addrs()[0])
	c.hello("client")
	c.Writeln("MAIL FROM:<a@b.test>")
	c.ExpectPattern("250 *")
	c.Writeln("RCPT TO:<nobody@machin.com>")
	c.ExpectPattern("550 5.1.1 *")
	c.Writeln("RCPT TO:<loop1@machin.com>")
	c.ExpectPattern("554 5.4.6 *")
	c.Writeln("RCPT TO:<@relay.test:Webmaster@machin.com>") // source route ignored (RFC 5321 §3.6.1)
	c.ExpectPattern("250 *")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: hi\r\n\r\nhello\r\n.\r\n")
	c.ExpectPattern("250 *")
	waitFor(t, "delivery", func() bool { return len(m.Queue().List()) == 0 })
	for _, u := range []string{"marc", "anne"} {
		b := readSpool(t, m, u)
		if !strings.Contains(b, "Delivered-To: "+u+"@machin.com") || !strings.Contains(b, "for <Webmaster@machin.com>") {
			t.Errorf("%s's spool:\n%s", u, b)
		}
	}
}

func TestSmugglingRefused(t *testing.T) {
	cases := map[string]string{
		"<LF>.<LF>":     "Subject: s\r\n\r\nfirst\n.\nMAIL FROM:<x@y>\r\n.\r\n",
		"<CR><LF>.<LF>": "Subject: s\r\n\r\nfirst\r\n.\nRCPT TO:<x@y>\r\n.\r\n",
		"<CR>.<CR>":     "Subject: s\r\n\r\nfirst\r.\rDATA\r\n.\r\n",
		"bare LF":       "Subject: s\n\nbody\r\n.\r\n",
	}
	m := startLocal(t, nil)
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			c := dial(t, m.Addrs()[0])
			c.hello("smuggler")
			c.mailRcpt("a@b.test", "marc@machin.com")
			c.Writeln("DATA")
			c.ExpectPattern("354 *")
			c.Write(data)
			c.ExpectPattern("554 5.6.0 *")
			c.Writeln("NOOP") // the session is still in step
			c.ExpectPattern("250 *")
		})
	}
	if n := len(m.Queue().List()); n != 0 {
		t.Fatalf("%d smuggled messages queued", n)
	}
}

func TestManyRecipientsAndSize(t *testing.T) {
	users := make([]string, 120)
	for i := range users {
		users[i] = fmt.Sprintf("u%d", i)
	}
	m := startLocal(t, func(c *Config) {
		c.LocalUsers = users
		c.MaxMessageBytes = 10000
		c.Queue.MinBackoff, c.Queue.MaxBackoff = time.Hour, time.Hour
	})
	c := dial(t, m.Addrs()[0])
	c.ExpectPattern("220 *")
	c.Writeln("EHLO client")
	var ext []string
	for {
		l := c.Readln()
		ext = append(ext, l[4:])
		if l[3] == ' ' {
			break
		}
	}
	for _, want := range []string{"PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "STARTTLS", "SIZE 10000", "DSN"} {
		if !strings.Contains(strings.Join(ext, "\n"), want) {
			t.Errorf("EHLO lacks %s: %q", want, ext)
		}
	}
	c.Writeln("MAIL FROM:<a@b.test> SIZE=20000")
	c.ExpectPattern("552 *")
	var rcpts []string
	for _, u := range users {
		rcpts = append(rcpts, u+"@machin.com")
	}
	c.mailRcpt("a@b.test", rcpts...)
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: many\r\n\r\nhello\r\n.\r\n")
	c.ExpectPattern("250 *")
	if l := m.Queue().List(); len(l) != 1 || len(l[0].Rcpts) != 120 {
		t.Fatalf("queued %+v", l)
	}
	c.mailRcpt("a@b.test", "u1@machin.com")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 99)+"\r\n", 200) + ".\r\n")
	c.ExpectPattern("552 5.3.4 *")
}

func TestReceivedFormat(t *testing.T) {
	got := formatReceived(receivedInfo{
		helo: sanitizeHelo("evil\r\nX-Injected: yes"), rdns: "unknown", ip: mustAddr("127.0.0.1"),
		host: "smtp.truc.fr", esmtp: true, tls: true, auth: true, id: "ABC123", rcpt: "marc@machin.com",
		date: time.Date(2000, 5, 11, 18, 20, 10, 0, time.FixedZone("", 2*3600)),
	})
	want := "Received: from evilX-Injected:yes (unknown [127.0.0.1])\r\n\tby smtp.truc.fr (Facteur) with ESMTPSA id ABC123\r\n\tfor <marc@machin.com>; Thu, 11 May 2000 18:20:10 +0200\r\n"
	if got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestReceivedRecordsTLS(t *testing.T) {
	v, suite := tlsNames(tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256})
	got := formatReceived(receivedInfo{
		helo: "fred-laptop", rdns: "unknown", ip: mustAddr("127.0.0.2"), host: "smtp.truc.fr",
		esmtp: true, tls: true, tlsv: v, suite: suite, id: "Q1",
		date: time.Date(2026, 11, 24, 9, 12, 39, 0, time.UTC),
	})
	want := "Received: from fred-laptop (unknown [127.0.0.2])\r\n\tby smtp.truc.fr (Facteur) with ESMTPS id Q1\r\n\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256); Tue, 24 Nov 2026 09:12:39 +0000\r\n"
	if got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

// TestReplyNamesQueueID: the 250 after DATA and after the last BDAT
// chunk (RFC 3030) names the queue ID, as Postfix does, and the session
// goes on with the next transaction.
func TestReplyNamesQueueID(t *testing.T) {
	m := startLocal(t, nil)
	c := dial(t, m.Addrs()[0])
	c.hello("client")
	c.mailRcpt("a@b.test", "marc@machin.com")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: one\r\n\r\nhello\r\n.\r\n")
	first := strings.TrimPrefix(c.ExpectPattern("250 2.0.0 Ok: queued as *"), "250 2.0.0 Ok: queued as ")
	msg := "Subject: two\r\n\r\nhello\r\n"
	c.mailRcpt("a@b.test", "anne@machin.com")
	c.Writeln(fmt.Sprintf("BDAT %d LAST", len(msg)))
	c.Write(msg)
	second := strings.TrimPrefix(c.ExpectPattern("250 2.0.0 Ok: queued as *"), "250 2.0.0 Ok: queued as ")
	c.Writeln("NOOP")
	c.ExpectPattern("250 *")
	// the Received field of each delivered copy names the same ID
	for login, id := range map[string]string{"marc": first, "anne": second} {
		waitFor(t, "delivery to "+login, func() bool { return strings.Contains(readSpoolMaybe(m, login), " id "+id) })
	}
	if first == second {
		t.Fatalf("one ID for two messages: %s", first)
	}
}

// readSpoolMaybe returns the mbox of login, "" before the first delivery.
func readSpoolMaybe(m *MTA, login string) string {
	b, _ := os.ReadFile(filepath.Join(m.cfg.Dir, "mail", login))
	return string(b)
}

// TestPostmasterWithoutDomain: RFC 5321 §4.1.1.3 and §4.5.1: RCPT
// TO:<Postmaster> without a domain is accepted, whatever its case, and
// delivered to the postmaster of the local domain (here an alias).
func TestPostmasterWithoutDomain(t *testing.T) {
	m := startLocal(t, func(c *Config) {
		c.RelayNets = nilNets
		c.Aliases = Aliases{"postmaster": {"anne"}}
	})
	c := dial(t, m.Addrs()[0])
	c.hello("client")
	c.mailRcpt("a@b.test", "Postmaster", "POSTMASTER", "postmaster")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: to the postmaster\r\n\r\nhello\r\n.\r\n")
	c.ExpectPattern("250 *")
	waitFor(t, "delivery", func() bool { return len(m.Queue().List()) == 0 })
	box := readSpoolMaybe(m, "anne")
	if strings.Count(box, "Subject: to the postmaster") != 1 || !strings.Contains(box, "Delivered-To: anne@machin.com") {
		t.Fatalf("anne's spool:\n%s", box)
	}
	c.mailRcpt("a@b.test")
	c.Writeln("RCPT TO:<Postmistress>") // only postmaster goes without domain
	c.ExpectPattern("501 5.5.2 *")
}

// TestSizeOverflow: a declared SIZE larger than any number the server
// keeps is a message too big (RFC 1870 §6.1: 552), not a syntax error,
// and the session goes on.
func TestSizeOverflow(t *testing.T) {
	m := startLocal(t, nil)
	c := dial(t, m.Addrs()[0])
	c.hello("client")
	for _, size := range []string{"99999999999999999999", "18446744073709551615", "9223372036854775808"} {
		c.Writeln("MAIL FROM:<a@b.test> SIZE=" + size)
		c.ExpectPattern("552 5.3.4 *")
	}
	c.Writeln("MAIL FROM:<a@b.test> SIZE=12x")
	c.ExpectPattern("501 5.5.4 *")
	c.Writeln("MAIL FROM:<a@b.test> SIZE=100")
	c.ExpectPattern("250 *")
}
