package localmta

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"facteur/localmta/mda"
	"facteur/localmta/mtausers"
	"facteur/localmta/queue"
	"facteur/mailstore"
	"facteur/mailstore/storetest"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// world is the course's itinerary: smtp.truc.fr (127.0.0.2) relays Fred's
// mail to smtp.machin.com (127.0.0.3), the MX of machin.com; a secondary
// MX mx2.machin.com (127.0.0.4) with preference 20.
type world struct {
	dns       *zone
	port      int
	truc      *MTA
	marcStore *mailstore.Store
}

func newWorld(t *testing.T) *world {
	w := &world{}
	w.port = freePort(t, "127.0.0.3", "127.0.0.2", "127.0.0.4")
	w.dns = newZone(t,
		"truc.fr. MX 10 smtp.truc.fr.",
		"smtp.truc.fr. A 127.0.0.2",
		"machin.com. MX 10 smtp.machin.com.",
		"machin.com. MX 20 mx2.machin.com.",
		"smtp.machin.com. A 127.0.0.3",
		"mx2.machin.com. A 127.0.0.4",
		"2.0.0.127.in-addr.arpa. PTR smtp.truc.fr.",
		"3.0.0.127.in-addr.arpa. PTR smtp.machin.com.",
		"4.0.0.127.in-addr.arpa. PTR mx2.machin.com.",
		"nulmx.example. MX 0 .",
	)
	w.marcStore = storetest.Open(t)
	return w
}

func (w *world) startTruc(t *testing.T, mod func(*Config)) *MTA {
	cfg := Config{
		Hostname:     "smtp.truc.fr",
		Listeners:    []Listener{{Addr: "127.0.0.2:0"}, {Addr: "127.0.0.2:0", Submission: true}},
		LocalDomains: []string{"truc.fr"},
		LocalUsers:   []string{"fred"},
		Users:        mtausers.Users{"fred": "{plain}secret"},
		DNSServer:    w.dns.addr,
		MXPort:       w.port,
		SourceIP:     mustAddr("127.0.0.2"),
	}
	if mod != nil {
		mod(&cfg)
	}
	w.truc = startMTA(t, cfg)
	return w.truc
}

func (w *world) machinConfig(dir string) Config {
	return Config{
		Dir:          dir,
		Hostname:     "smtp.machin.com",
		Listeners:    []Listener{{Addr: fmt.Sprintf("127.0.0.3:%d", w.port)}},
		LocalDomains: []string{"machin.com"},
		LocalUsers:   []string{"marc"},
		DNSServer:    w.dns.addr,
		MXPort:       w.port,
		SourceIP:     mustAddr("127.0.0.3"),
		Store:        w.marcStore,
	}
}

func (w *world) startMachin(t *testing.T) *MTA {
	return startMTA(t, w.machinConfig(t.TempDir()))
}

func (w *world) startMX2(t *testing.T) *MTA {
	return startMTA(t, Config{
		Hostname:     "mx2.machin.com",
		Listeners:    []Listener{{Addr: fmt.Sprintf("127.0.0.4:%d", w.port)}},
		LocalDomains: []string{"mx2.machin.com"},
		DNSServer:    w.dns.addr,
		MXPort:       w.port,
		SourceIP:     mustAddr("127.0.0.4"),
		RelayNets:    nilNets, // relays for nobody: accepts machin.com as secondary MX only
	})
}

var nilNets = []netip.Prefix{}

// fredSends submits a message as Fred: AUTH PLAIN on the submission port.
func fredSends(t *testing.T, truc *MTA, to, subject string) {
	t.Helper()
	c, err := smtp.Dial(truc.Addrs()[1])
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
	msg := "From: Fred <fred@truc.fr>\r\nTo: Marc <" + to + ">\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + subject + "@truc.fr>\r\n\r\nBonjour Marc,\r\n.leading dot\r\n"
	if err := c.SendMail("fred@truc.fr", []string{to}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	c.Quit()
}

var receivedRE = regexp.MustCompile(`^from (\S+) \((\S+) \[([0-9a-f.:]+)\]\) by (\S+) \(Facteur\) with (ESMTP|ESMTPS|ESMTPA|ESMTPSA) id ([0-9A-Z_]+)(?: \(using (TLSv1\.[23]) with cipher (TLS_[A-Z0-9_]+)\))?(?: for <([^>]+)>)?; (.+)$`)

// receivedLines returns the unfolded Received fields, top first.
func receivedLines(msg string) [][]string {
	header, _, _ := strings.Cut(msg, "\r\n\r\n")
	header = strings.NewReplacer("\r\n\t", " ", "\r\n ", " ").Replace(header)
	var out [][]string
	for _, l := range strings.Split(header, "\r\n") {
		if v, ok := strings.CutPrefix(l, "Received: "); ok {
			out = append(out, receivedRE.FindStringSubmatch(v))
		}
	}
	return out
}

func TestItinerary(t *testing.T) {
	w := newWorld(t)
	w.startMachin(t)
	truc := w.startTruc(t, nil)
	fredSends(t, truc, "marc@machin.com", "test-itineraire")

	waitFor(t, "marc's mail", func() bool { return len(inbox(t, w.marcStore)) == 1 })
	sum := inbox(t, w.marcStore)[0]
	if sum.Envelope == nil || sum.Envelope.MailFrom != "fred@truc.fr" || strings.Join(sum.Envelope.RcptTo, ",") != "marc@machin.com" {
		t.Fatalf("envelope %+v", sum.Envelope)
	}
	msg := readMessage(t, w.marcStore, sum.ID)
	if !strings.HasPrefix(msg, "Return-Path: <fred@truc.fr>\r\nDelivered-To: marc@machin.com\r\nReceived: from smtp.truc.fr") {
		t.Fatalf("trace fields:\n%s", msg)
	}
	if !strings.Contains(msg, "\r\n.leading dot\r\n") {
		t.Fatalf("dot-stuffing lost:\n%s", msg)
	}
	hops := receivedLines(msg)
	if len(hops) != 2 || hops[0] == nil || hops[1] == nil {
		t.Fatalf("Received lines not in the RFC 5321 §4.4 form:\n%s", msg)
	}
	// hop 2: smtp.truc.fr -> smtp.machin.com, over opportunistic STARTTLS
	if h := hops[0]; h[1] != "smtp.truc.fr" || h[2] != "smtp.truc.fr" || h[3] != "127.0.0.2" || h[4] != "smtp.machin.com" || h[5] != "ESMTPS" || h[7] == "" || h[8] == "" || h[9] != "marc@machin.com" {
		t.Errorf("hop 2: %q", h)
	}
	// hop 1: Fred's PC -> smtp.truc.fr, authenticated submission
	if h := hops[1]; h[1] != "pc-fred.truc.fr" || h[2] != "unknown" || h[3] != "127.0.0.1" || h[4] != "smtp.truc.fr" || h[5] != "ESMTPA" || h[7] != "" || h[9] != "marc@machin.com" {
		t.Errorf("hop 1: %q", h)
	}
	sess := truc.Sessions()
	if len(sess) == 0 || !strings.HasPrefix(sess[len(sess)-1].TLS, "TLS 1.") || !strings.Contains(sess[len(sess)-1].Transcript, "STARTTLS") {
		t.Errorf("TLS not recorded: %+v", sess)
	}
	waitFor(t, "truc queue empty", func() bool { return len(truc.Queue().List()) == 0 })
}

func TestSecondaryMX(t *testing.T) {
	w := newWorld(t)
	mx2 := w.startMX2(t)
	truc := w.startTruc(t, nil)
	fredSends(t, truc, "marc@machin.com", "via-mx2")
	// the primary is down: truc falls back to mx2, which queues
	waitFor(t, "mx2 queues", func() bool { return len(truc.Queue().List()) == 0 && len(mx2.Queue().List()) == 1 })
	q := mx2.Queue().List()[0]
	if q.Attempts == 0 {
		waitFor(t, "mx2 tries the primary", func() bool { l := mx2.Queue().List(); return len(l) == 1 && l[0].Attempts > 0 })
	}
	if len(inbox(t, w.marcStore)) != 0 {
		t.Fatal("delivered without the primary")
	}
	// mx2 must not deliver to itself nor give up: the primary comes back
	w.startMachin(t)
	mx2.Queue().Flush()
	waitFor(t, "marc's mail through mx2", func() bool { return len(inbox(t, w.marcStore)) == 1 })
	msg := readMessage(t, w.marcStore, inbox(t, w.marcStore)[0].ID)
	hops := receivedLines(msg)
	if len(hops) != 3 || hops[0] == nil || hops[0][1] != "mx2.machin.com" || hops[1] == nil || hops[1][4] != "mx2.machin.com" {
		t.Fatalf("route through the secondary MX:\n%s", msg)
	}
}

func TestTransportTableOverridesMX(t *testing.T) {
	w := newWorld(t)
	mcfg := w.machinConfig(t.TempDir())
	mcfg.LocalDomains = append(mcfg.LocalDomains, "other.example")
	startMTA(t, mcfg)
	// machin.com's MX says smtp.machin.com, but the table sends it to
	// [127.0.0.3] directly; a bogus MX proves the DNS is not asked.
	w.dns.add(t, "other.example. MX 10 nowhere.invalid.")
	truc := w.startTruc(t, func(c *Config) {
		c.Transports = TransportTable{"other.example": {Kind: TransportSMTP, Host: "127.0.0.3", Port: w.port, NoMX: true}}
		c.MXPort = 1 // MX delivery would fail
	})
	fredSends(t, truc, "marc@other.example", "table")
	waitFor(t, "delivery through the table", func() bool { return len(inbox(t, w.marcStore)) == 1 })
	sess := truc.Sessions()
	if len(sess) == 0 || sess[0].Addr != fmt.Sprintf("127.0.0.3:%d", w.port) {
		t.Fatalf("not sent to the table's next hop: %+v", sess)
	}
}

func TestBounceOnRemote5xx(t *testing.T) {
	w := newWorld(t)
	w.startMachin(t)
	truc := w.startTruc(t, func(c *Config) { c.Store = storetest.Open(t) })
	fredSends(t, truc, "nobody@machin.com", "bounce-me")
	fredStore := truc.cfg.Store
	waitFor(t, "bounce in fred's mailbox", func() bool { return len(inbox(t, fredStore)) == 1 })
	sum := inbox(t, fredStore)[0]
	msg := readMessage(t, fredStore, sum.ID)
	for _, want := range []string{"Return-Path: <>", "multipart/report", "Status: 5.1.1", "Final-Recipient: rfc822; nobody@machin.com",
		"Remote-MTA: dns; smtp.machin.com", "in reply to RCPT TO", "Subject: bounce-me"} {
		if !strings.Contains(msg, want) {
			t.Errorf("bounce lacks %q:\n%s", want, msg)
		}
	}
	if sum.Envelope == nil || sum.Envelope.MailFrom != "" {
		t.Errorf("bounce envelope %+v", sum.Envelope)
	}
}

func TestNullMXBounces(t *testing.T) {
	w := newWorld(t)
	truc := w.startTruc(t, func(c *Config) { c.Store = storetest.Open(t) })
	fredSends(t, truc, "x@nulmx.example", "nullmx")
	waitFor(t, "bounce", func() bool { return len(inbox(t, truc.cfg.Store)) == 1 })
	msg := readMessage(t, truc.cfg.Store, inbox(t, truc.cfg.Store)[0].ID)
	if !strings.Contains(msg, "Status: 5.1.10") {
		t.Fatalf("null MX bounce:\n%s", msg)
	}
}

// A domain the DNS does not know bounces with what happened: no host was
// contacted, so the notice must not quote a host as if it had answered.
func TestBounceOnUnknownDomainSaysNoHostWasContacted(t *testing.T) {
	w := newWorld(t)
	truc := w.startTruc(t, func(c *Config) { c.Store = storetest.Open(t) })
	fredSends(t, truc, "x@nosuch.example", "nxdomain")
	waitFor(t, "bounce", func() bool { return len(inbox(t, truc.cfg.Store)) == 1 })
	msg := readMessage(t, truc.cfg.Store, inbox(t, truc.cfg.Store)[0].ID)
	for _, want := range []string{"Status: 5.4.4", "no host was contacted: the DNS look-up of nosuch.example failed: 550 5.4.4"} {
		if !strings.Contains(msg, want) {
			t.Errorf("bounce lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "said:") || strings.Contains(msg, "Remote-MTA:") {
		t.Errorf("bounce names a host that answered although none was contacted:\n%s", msg)
	}
}

func TestRestartPicksUpQueue(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	cfg := w.machinConfig(dir)
	cfg.Store = nil // mbox spool: nobody to deliver to until restart
	cfg.Listeners = []Listener{{Addr: "127.0.0.3:0"}}
	cfg.Queue = queue.Options{MinBackoff: 1e12, MaxBackoff: 1e12}
	cfg.MDA = failingMDA{}
	cfg.Logger = testLogger(t)
	m1, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m1.Start(context.Background())
	c := dial(t, m1.Addrs()[0])
	c.hello("client.test")
	c.Writeln("MAIL FROM:<fred@truc.fr>")
	c.ExpectPattern("250 *")
	c.Writeln("RCPT TO:<marc@machin.com>")
	c.ExpectPattern("250 *")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: restart\r\n\r\nbody\r\n.\r\n")
	c.ExpectPattern("250 *")
	waitFor(t, "first attempt", func() bool { l := m1.Queue().List(); return len(l) == 1 && l[0].Attempts == 1 })
	m1.Close()

	cfg.MDA = nil
	cfg.Store = w.marcStore
	cfg.Queue = fastQueue()
	m2 := startMTA(t, cfg)
	m2.Queue().Flush()
	waitFor(t, "delivery after restart", func() bool { return len(inbox(t, w.marcStore)) == 1 })
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// failingMDA refuses every delivery with a temporary error.
type failingMDA struct{}

func (failingMDA) StartDelivery(context.Context, mda.Envelope) (mda.Delivery, error) {
	return nil, mda.ErrMailboxBusy
}
