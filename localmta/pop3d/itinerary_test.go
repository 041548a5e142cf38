package pop3d

import (
	"context"
	"crypto/x509"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"facteur/internal/dnsmx/dnstest"
	"facteur/localmta"
	"facteur/localmta/mtatls"
	"facteur/localmta/mtausers"
	"facteur/localmta/queue"
	"facteur/mailstore/storetest"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TestItineraryCollectOverPOP3 is the course's itinerary to its end: Fred
// submits to smtp.truc.fr (127.0.0.2), which relays to smtp.machin.com
// (127.0.0.3), whose MDA delivers into Marc's mailbox; Marc's client then
// collects it from pop.machin.com (127.0.0.3) over POP3, after STLS, and
// deletes it from the server. A transport-table entry stands for the MX
// look-up that localmta's own itinerary test makes.
func TestItineraryCollectOverPOP3(t *testing.T) {
	marcStore := storetest.Open(t)
	machinDir := t.TempDir()
	machin := startMTA(t, localmta.Config{
		Dir:          machinDir,
		Hostname:     "smtp.machin.com",
		Listeners:    []localmta.Listener{{Addr: loopbackAddr(t, "127.0.0.3")}},
		LocalDomains: []string{"machin.com"},
		LocalUsers:   []string{"marc"},
		Store:        marcStore,
	})
	host, port, _ := net.SplitHostPort(machin.Addrs()[0])
	p, _ := strconv.Atoi(port)
	truc := startMTA(t, localmta.Config{
		Hostname:     "smtp.truc.fr",
		Listeners:    []localmta.Listener{{Addr: loopbackAddr(t, "127.0.0.2")}, {Addr: "127.0.0.2:0", Submission: true}},
		LocalDomains: []string{"truc.fr"},
		Users:        mtausers.Users{"fred": "{plain}secret"},
		Transports:   localmta.TransportTable{"machin.com": {Kind: localmta.TransportSMTP, Host: host, Port: p, NoMX: true}},
	})
	// pop.machin.com shows the certificate of smtp.machin.com
	tlsCfg, err := mtatls.ServerConfig(machinDir, "smtp.machin.com")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(tlsCfg.Certificates[0].Certificate[0])
	roots.AddCert(leaf)
	pop := startServer(t, func(c *Config) {
		c.Store = marcStore
		c.TLS = tlsCfg
		c.PlaintextNets = []netip.Prefix{}
	})

	fredSends(t, truc.Addrs()[1])
	waitFor(t, "marc's mail", func() bool { return len(pop.inbox(t)) == 1 })

	msg := marcCollects(t, pop.addr, roots)
	if !strings.HasPrefix(msg, "Return-Path: <fred@truc.fr>\r\nDelivered-To: marc@machin.com\r\nReceived: from smtp.truc.fr") {
		t.Fatalf("collected message lacks the trace of its delivery:\n%s", msg)
	}
	if n := strings.Count(msg, "\r\nReceived: from "); n != 2 {
		t.Fatalf("%d Received lines, want the two hops:\n%s", n, msg)
	}
	if !strings.Contains(msg, "\r\n.leading dot\r\n") {
		t.Fatalf("byte-stuffing not undone:\n%s", msg)
	}
	if got := pop.inbox(t); len(got) != 0 {
		t.Fatalf("inbox after DELE+QUIT = %v", got)
	}
}

// marcCollects is a minimal POP3 client: STLS, AUTH PLAIN, STAT, RETR 1,
// DELE 1, QUIT; it returns the message with the byte-stuffing undone.
func marcCollects(t *testing.T, addr string, roots *x509.CertPool) string {
	c := greeted(t, addr)
	c.Writeln("STLS")
	c.Expect("+OK*")
	c.StartTLS(roots)
	c.Writeln("AUTH PLAIN " + plain("", "marc", "secret"))
	c.Expect("+OK marc's maildrop has 1 message")
	c.Writeln("RETR 1")
	first := c.Expect("+OK * octets")
	body := c.ReadMulti()
	msg := strings.ReplaceAll("\r\n"+body, "\r\n..", "\r\n.")[2:]
	if want := "+OK " + strconv.Itoa(len(msg)) + " octets"; first != want {
		t.Errorf("RETR said %q, sent %d octets", first, len(msg))
	}
	c.Writeln("DELE 1")
	c.Expect("+OK*")
	c.Writeln("QUIT")
	c.Expect("+OK*(0 messages left)")
	return msg
}

// fredSends submits a message as Fred: AUTH PLAIN on the submission port.
func fredSends(t *testing.T, addr string) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("pc-fred.truc.fr"); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(sasl.NewPlainClient("", "fred", "secret")); err != nil {
		t.Fatal(err)
	}
	msg := "From: Fred <fred@truc.fr>\r\nTo: Marc <marc@machin.com>\r\nSubject: test itineraire\r\n" +
		"Message-ID: <itineraire@truc.fr>\r\n\r\nBonjour Marc,\r\n.leading dot\r\n"
	if err := c.SendMail("fred@truc.fr", []string{"marc@machin.com"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	c.Quit()
}

// loopbackAddr returns ip:0, skipping the test where that loopback
// address is not configured (macOS has only 127.0.0.1 by default).
func loopbackAddr(t *testing.T, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("loopback address %s not usable: %v", ip, err)
	}
	ln.Close()
	return ip + ":0"
}

// startMTA starts a localmta instance in a temporary directory, with a
// resolver that answers nothing at once (a closed loopback port) and
// quick retries, and stops it at the end of the test.
func startMTA(t *testing.T, cfg localmta.Config) *localmta.MTA {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.Logger = testLogger(t).With("mta", cfg.Hostname)
	cfg.Queue = queue.Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond}
	cfg.DNSServer = closedUDPPort(t)
	cfg.DNSTimeout = 500 * time.Millisecond
	m, err := localmta.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Start(context.Background())
	t.Cleanup(func() { m.Close() })
	return m
}

func closedUDPPort(t *testing.T) string { return dnstest.ClosedPort(t) }
