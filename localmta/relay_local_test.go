package localmta

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// startVictim starts the MTA of remote.test on 127.0.0.5, the domain an
// attacker would like this host (on 127.0.0.1) to relay to.
func startVictim(t *testing.T) *MTA {
	return startMTA(t, Config{
		Hostname:     "mx.remote.test",
		Listeners:    []Listener{{Addr: "127.0.0.5:0"}},
		LocalDomains: []string{"remote.test"},
		LocalUsers:   []string{"victim"},
		DNSServer:    newZone(t).addr,
	})
}

// TestLocalPartNeverRelays: a local part holding '@', '%', '!' or a
// quoted route is a mailbox name of the local domain (RFC 5321 §2.3.11:
// only the host of the domain interprets it), unknown unless it exists,
// and never the address of a next hop; an alias written by the
// administrator may still point to a remote address.
func TestLocalPartNeverRelays(t *testing.T) {
	victim := startVictim(t)
	host, port := splitAddr(t, victim.Addrs()[0])
	m := startLocal(t, func(c *Config) {
		c.RelayNets = nilNets // 127.0.0.1 is an outside client
		c.Transports = TransportTable{"remote.test": {Kind: TransportSMTP, Host: host, Port: port, NoMX: true}}
		c.Aliases = Aliases{"friend": {"victim@remote.test"}}
	})
	c := dial(t, m.Addrs()[0])
	c.hello("attacker.test")
	c.Writeln("MAIL FROM:<spammer@attacker.test>")
	c.ExpectPattern("250 *")
	c.Writeln("RCPT TO:<victim@remote.test>")
	c.ExpectPattern("554 5.7.1 *")
	for _, rcpt := range []string{
		"<victim@remote.test@machin.com>",
		`<"victim@remote.test"@machin.com>`,
		`<"victim@remote.test"@MACHIN.COM>`,
		"<victim%remote.test@machin.com>",
		"<remote.test!victim@machin.com>",
		"<@machin.com:victim@remote.test@machin.com>",
	} {
		c.Writeln("RCPT TO:" + rcpt)
		c.ExpectPattern("550 5.1.1 *")
	}
	c.Writeln("RCPT TO:<friend@machin.com>") // the administrator's alias
	c.ExpectPattern("250 *")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: through the alias\r\n\r\nhello\r\n.\r\n")
	c.ExpectPattern("250 *")
	waitFor(t, "delivery through the alias", func() bool {
		return strings.Contains(readSpoolMaybe(victim, "victim"), "Subject: through the alias")
	})
	waitFor(t, "an empty queue", func() bool { return len(m.Queue().List()) == 0 })
	if n := strings.Count(readSpoolMaybe(victim, "victim"), "\nFrom "); n != 0 {
		t.Fatalf("the victim got %d more messages:\n%s", n, readSpoolMaybe(victim, "victim"))
	}
}

// splitAddr splits a listening address into host and port.
func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}
