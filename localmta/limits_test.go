package localmta

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"facteur/localmta/clientlimit"
	"facteur/localmta/clientlimit/limittest"
)

const (
	authGood = "AUTH PLAIN AG1hcmMAcHc=" // \0marc\0pw
	authBad  = "AUTH PLAIN AG1hcmMAYmFk" // \0marc\0bad
)

// TestAuthGuessing: each failed AUTH waits 1 s before its reply; the
// third failure of a connection (across STARTTLS) ends it with 421
// 4.7.0; after 10 failures in all its connections, the client is refused
// at once, its password unchecked, until the failures drain (one a
// minute).
func TestAuthGuessing(t *testing.T) {
	clk := limittest.New()
	m := startLocal(t, func(c *Config) {
		c.Sleep = clk.Sleep
		c.AuthLimit = clientlimit.LoginConfig{Now: clk.Now}
	})
	addr := m.Addrs()[1] // submission
	c := dial(t, addr)
	c.hello("guesser")
	c.Writeln(authBad)
	c.ExpectPattern("535 5.7.8 *")
	c.Writeln(authBad)
	c.ExpectPattern("535 5.7.8 *")
	c.Writeln("STARTTLS") // a new go-smtp session, the same connection
	c.ExpectPattern("220 *")
	c.StartTLS(tlsClientConfig())
	c.Writeln("EHLO guesser")
	c.ExpectPattern("250 *")
	c.Writeln("AUTH LOGIN")
	c.ExpectPattern("334 VXNlcm5hbWU6")
	c.Writeln("bWFyYw==")
	c.ExpectPattern("334 UGFzc3dvcmQ6")
	c.Writeln("YmFk")
	c.ExpectPattern("421 4.7.0 *")
	c.ExpectClosed()
	if got := clk.Sleeps(); len(got) != 3 || got[0] != time.Second || got[2] != time.Second {
		t.Fatalf("delays %v, want 3 × 1s", got)
	}
	// 6 more failures in two connections, pipelined: 9 in all
	for range 2 {
		c := dial(t, addr)
		c.hello("guesser")
		c.Write(authBad + "\r\n" + authBad + "\r\n" + authBad + "\r\n" + authBad + "\r\n")
		c.ExpectPattern("535 5.7.8 *")
		c.ExpectPattern("535 5.7.8 *")
		c.ExpectPattern("421 4.7.0 *")
		c.ExpectClosed()
	}
	c = dial(t, addr)
	c.hello("guesser")
	c.Writeln(authBad) // the 10th
	c.ExpectPattern("421 4.7.0 *")
	c.ExpectClosed()
	// now even the right password is refused, without a delay
	n := len(clk.Sleeps())
	c = dial(t, addr)
	c.hello("marc-pc")
	c.Writeln(authGood)
	c.ExpectPattern("421 4.7.0 *")
	c.ExpectClosed()
	if got := len(clk.Sleeps()); got != n || n != 10 {
		t.Fatalf("%d delays, then %d", n, got)
	}
	clk.Advance(time.Minute) // one failure drained
	c = dial(t, addr)
	c.hello("marc-pc")
	c.Writeln(authGood)
	c.ExpectPattern("235 *")
}

// tlsClientConfig trusts the MTA's self-signed certificate.
func tlsClientConfig() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
}

// TestConnectionLimits: the connections beyond the limits, in all and
// per client, get 421 4.7.0 at once and are closed, while the others go
// on; clients of RelayNets have no limit of their own; a closed
// connection frees its place.
func TestConnectionLimits(t *testing.T) {
	m := startLocal(t, func(c *Config) {
		c.MaxConnections, c.MaxClientConnections = 10, 3
		c.RelayNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.4/32")}
	})
	addr := m.Addrs()[0]
	greeted := func(src string) *conn {
		c := dialFrom(t, src, addr)
		c.ExpectPattern("220 *")
		return c
	}
	refused := func(src, why string) {
		c := dialFrom(t, src, addr)
		c.ExpectPattern("421 4.7.0 smtp.machin.com Error: too many connections" + why)
		c.ExpectClosed()
	}
	var first []*conn
	for range 3 {
		first = append(first, greeted("127.0.0.1"))
	}
	refused("127.0.0.1", " from 127.0.0.1")
	second := greeted("127.0.0.2")
	greeted("127.0.0.2")
	greeted("127.0.0.2")
	for range 4 { // 127.0.0.4 is in RelayNets: only the total counts
		greeted("127.0.0.4")
	}
	refused("127.0.0.3", "") // 10 in all
	refused("127.0.0.4", "")
	// the connections in place are served as before
	c := first[0]
	c.Writeln("EHLO client")
	c.ExpectPattern("250 *")
	c.mailRcpt("a@b.test", "marc@machin.com")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: still served\r\n\r\nhello\r\n.\r\n")
	c.ExpectPattern("250 *")
	second.quit()
	waitFor(t, "the place of a closed connection", func() bool {
		total, _ := m.conns.Open(netip.MustParseAddr("127.0.0.2"))
		return total == 9
	})
	greeted("127.0.0.3")
}

// TestErrorLimits: Postfix's smtpd_soft_error_limit (10) and
// smtpd_hard_error_limit (20): after 10 errors every reply waits 1 s;
// the 20th error ends the connection with 421 4.7.0. A new connection
// starts afresh.
func TestErrorLimits(t *testing.T) {
	clk := limittest.New()
	m := startLocal(t, func(c *Config) {
		c.Sleep = clk.Sleep
		c.RelayNets = nilNets
	})
	c := dial(t, m.Addrs()[0])
	c.hello("harvester")
	c.Writeln("MAIL FROM:<a@b.test>")
	c.ExpectPattern("250 *")
	c.Writeln("MAIL FROM:<a@b.test>") // out of sequence
	c.ExpectPattern("503 5.5.1 *")
	for i := range 9 {
		c.Writeln(fmt.Sprintf("RCPT TO:<nobody%d@machin.com>", i))
		c.ExpectPattern("550 5.1.1 *")
	}
	if n := len(clk.Sleeps()); n != 0 {
		t.Fatalf("%d delays before the soft limit", n)
	}
	c.Writeln("RCPT TO:<marc@machin.com>") // a good reply waits too
	c.ExpectPattern("250 *")
	c.Writeln("RSET")
	c.ExpectPattern("250 *")
	c.Writeln("MAIL FROM:<a@b.test>")
	c.ExpectPattern("250 *")
	for i := range 9 {
		c.Writeln(fmt.Sprintf("RCPT TO:<victim%d@elsewhere.test>", i))
		c.ExpectPattern("554 5.7.1 *")
	}
	c.Writeln("RCPT TO:<last@machin.com>") // the 20th error
	c.ExpectPattern("421 4.7.0 smtp.machin.com Error: too many errors")
	c.ExpectClosed()
	if got := clk.Sleeps(); len(got) != 13 || got[0] != time.Second {
		t.Fatalf("delays %v, want 13 × 1s (RCPT, RSET, MAIL, 10 RCPT)", got)
	}
	c = dial(t, m.Addrs()[0])
	c.hello("harvester")
	c.mailRcpt("a@b.test", "marc@machin.com")
	if n := len(clk.Sleeps()); n != 13 {
		t.Fatalf("a new connection waited: %d delays", n)
	}
}

// TestProtocolErrorsCount: the errors go-smtp answers itself count too
// (go-smtp's ReplyHook, patch 5 of third_party/go-smtp): commands out of
// sequence are slowed after the soft limit and the 20th ends the
// connection, as Postfix's smtpd does.
func TestProtocolErrorsCount(t *testing.T) {
	clk := limittest.New()
	m := startLocal(t, func(c *Config) {
		c.Sleep = clk.Sleep
		c.RelayNets = nilNets
	})
	c := dial(t, m.Addrs()[0])
	c.hello("scanner")
	for i := range 19 {
		if i%2 == 0 {
			c.Writeln("RCPT TO:<marc@machin.com>") // before MAIL
		} else {
			c.Writeln("DATA") // before RCPT
		}
		c.ExpectPattern("50? 5.5.1 *")
	}
	if got := clk.Sleeps(); len(got) != 9 {
		t.Fatalf("%d delays, want 9 (errors 11 to 19 wait)", len(got))
	}
	c.Writeln("RCPT TO:<marc@machin.com>") // the 20th error
	c.ExpectPattern("421 4.7.0 smtp.machin.com Error: too many errors")
	c.ExpectClosed()
}
