package inspect

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/dnsmx/dnstest"
	"facteur/localmta"
	"facteur/localmta/mtausers"
	"facteur/mailstore"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The cross-check between Facteur's two halves: a message that went
// through three instances of Facteur's own MTA, on loopback addresses with
// an in-process DNS server, is read back by the inspector. Fred's PC
// submits to smtp.truc.fr (STARTTLS, AUTH: ESMTPSA), which hands all
// outgoing mail to its relayhost relais.truc.fr (Postfix's relayhost, the
// course's relay), which looks up the MX of machin.com and delivers to
// smtp.machin.com, whose MDA files it in Marc's mailbox (the mailstore,
// which records the SMTP envelope).
const itineraryZone = `
truc.fr.                300 IN MX 10 smtp.truc.fr.
smtp.truc.fr.           300 IN A  127.0.0.2
relais.truc.fr.         300 IN A  127.0.0.4
machin.com.             300 IN MX 10 smtp.machin.com.
smtp.machin.com.        300 IN A  127.0.0.3
2.0.0.127.in-addr.arpa. 300 IN PTR smtp.truc.fr.
3.0.0.127.in-addr.arpa. 300 IN PTR smtp.machin.com.
4.0.0.127.in-addr.arpa. 300 IN PTR relais.truc.fr.
`

// queuedIDs records the queue IDs an MTA gives the messages it accepts,
// from its "queued" log records.
type queuedIDs struct {
	mu  sync.Mutex
	ids []string
}

func (q *queuedIDs) Enabled(context.Context, slog.Level) bool { return true }
func (q *queuedIDs) WithAttrs([]slog.Attr) slog.Handler       { return q }
func (q *queuedIDs) WithGroup(string) slog.Handler            { return q }

func (q *queuedIDs) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "queued" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "id" {
			q.mu.Lock()
			q.ids = append(q.ids, a.Value.String())
			q.mu.Unlock()
		}
		return true
	})
	return nil
}

func (q *queuedIDs) list() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.ids)
}

// loopbackPort returns a TCP port free on every given loopback address; it
// skips the test where 127.0.0.2 and beyond are not usable (macOS).
func loopbackPort(t *testing.T, ips ...string) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", ips[0]+":0")
		if err != nil {
			t.Skipf("loopback address %s not usable: %v", ips[0], err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		free := true
		for _, ip := range ips[1:] {
			l2, err := net.Listen("tcp", fmt.Sprintf("%s:%d", ip, port))
			if err != nil {
				free = false
				break
			}
			l2.Close()
		}
		l.Close()
		if free {
			return port
		}
	}
	t.Skip("no common free port")
	return 0
}

// startTestMTA starts one MTA in a temporary directory until the test ends.
func startTestMTA(t *testing.T, cfg localmta.Config) (*localmta.MTA, *queuedIDs) {
	t.Helper()
	ids := &queuedIDs{}
	cfg.Dir, cfg.Logger, cfg.DNSTimeout = t.TempDir(), slog.New(ids), time.Second
	cfg.Queue.MinBackoff, cfg.Queue.MaxBackoff = 100*time.Millisecond, 400*time.Millisecond
	m, err := localmta.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Start(context.Background())
	t.Cleanup(func() { m.Close() })
	return m, ids
}

// submit sends Fred's message to the submission port: EHLO, STARTTLS
// (the MTA's self-signed certificate: loopback only), AUTH PLAIN.
func submit(t *testing.T, addr string, date time.Time) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	c, err := smtp.NewClientStartTLS(conn, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// go-smtp says EHLO again after STARTTLS: with Fred's PC's name.
	if err := c.Hello("pc-fred.truc.fr"); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(sasl.NewPlainClient("", "fred", "secret")); err != nil {
		t.Fatal(err)
	}
	msg := "From: Fred <fred@truc.fr>\r\nTo: Marc <marc@machin.com>\r\nSubject: test itineraire\r\n" +
		"Date: " + date.Format(time.RFC1123Z) + "\r\nMessage-ID: <itineraire@truc.fr>\r\n\r\nBonjour Marc.\r\n"
	if err := c.SendMail("fred@truc.fr", []string{"marc@machin.com"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	_ = c.Quit()
}

// itinerary is the three MTAs and Marc's mailbox.
type itinerary struct {
	dns              string
	truc, relais     *localmta.MTA
	trucID, relaisID *queuedIDs
	machinID         *queuedIDs
	store            *mailstore.Store
	inbox            mailstore.FolderRef
	sent, arrived    time.Time // around the submission, and once delivered
}

func runItinerary(t *testing.T) *itinerary {
	t.Helper()
	port := loopbackPort(t, "127.0.0.3", "127.0.0.4", "127.0.0.2")
	it := &itinerary{dns: dnstest.Serve(t, itineraryZone), inbox: mailstore.FolderRef{Account: "Local", Name: "INBOX"}}
	var err error
	if it.store, err = mailstore.Open(context.Background(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { it.store.Close() })
	_, it.machinID = startTestMTA(t, localmta.Config{
		Hostname: "smtp.machin.com", Listeners: []localmta.Listener{{Addr: fmt.Sprintf("127.0.0.3:%d", port)}},
		LocalDomains: []string{"machin.com"}, LocalUsers: []string{"marc"}, Store: it.store,
		DNSServer: it.dns, MXPort: port, SourceIP: netip.MustParseAddr("127.0.0.3"),
	})
	it.relais, it.relaisID = startTestMTA(t, localmta.Config{
		Hostname: "relais.truc.fr", Listeners: []localmta.Listener{{Addr: fmt.Sprintf("127.0.0.4:%d", port)}},
		LocalDomains: []string{"relais.truc.fr"},
		DNSServer:    it.dns, MXPort: port, SourceIP: netip.MustParseAddr("127.0.0.4"),
	})
	it.truc, it.trucID = startTestMTA(t, localmta.Config{
		Hostname:     "smtp.truc.fr",
		Listeners:    []localmta.Listener{{Addr: "127.0.0.2:0"}, {Addr: "127.0.0.2:0", Submission: true}},
		LocalDomains: []string{"truc.fr"}, Users: mtausers.Users{"fred": "{plain}secret"},
		RelayHost: &localmta.RelayHost{Host: "127.0.0.4", Port: port, NoMX: true},
		DNSServer: it.dns, MXPort: port, SourceIP: netip.MustParseAddr("127.0.0.2"),
	})
	it.sent = time.Now()
	submit(t, it.truc.Addrs()[1], it.sent.Add(-27*time.Second)) // 27 s in Fred's outbox
	deadline := time.Now().Add(20 * time.Second)
	for {
		list, _ := it.store.List(context.Background(), it.inbox, mailstore.ListOptions{})
		if len(list) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message never reached Marc's mailbox (%d messages)", len(list))
		}
		time.Sleep(20 * time.Millisecond)
	}
	it.arrived = time.Now()
	return it
}

// analyzeDelivered reads Marc's message back with its mailstore envelope.
func (it *itinerary) analyzeDelivered(t *testing.T) (*Report, mailstore.Summary) {
	t.Helper()
	ctx := context.Background()
	list, err := it.store.List(ctx, it.inbox, mailstore.ListOptions{})
	if err != nil || len(list) != 1 {
		t.Fatalf("inbox: %d messages, %v", len(list), err)
	}
	sum := list[0]
	if sum.Envelope == nil {
		t.Fatal("the mailstore recorded no envelope")
	}
	rc, err := it.store.Open(ctx, sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	known := &KnownEnvelope{MailFrom: sum.Envelope.MailFrom, RcptTo: sum.Envelope.RcptTo}
	r, err := Analyze(bytes.NewReader(raw), Options{Envelope: known})
	if err != nil {
		t.Fatal(err)
	}
	return r, sum
}

// wantHop is what one hop must say.
type wantHop struct {
	role           Role
	from, rdns, ip string
	by             string
	protocol       Protocol
	id             string
	outgoing       string // the OutSession.TLS of the MTA that sent this hop, "" for Fred's client
}

func TestLocalMTARouteCrossCheck(t *testing.T) {
	it := runItinerary(t)
	r, sum := it.analyzeDelivered(t)

	// The envelope: exact, from the mailstore.
	e := r.Envelope
	if !e.Exact || e.MailFrom != "fred@truc.fr" || !slices.Equal(e.RcptTo, []string{"marc@machin.com"}) ||
		e.MailFromSource != SourceKnown || e.RcptToSource != SourceKnown {
		t.Errorf("envelope %+v (mailstore %+v)", e, *sum.Envelope)
	}

	trucIDs, relaisIDs, machinIDs := it.trucID.list(), it.relaisID.list(), it.machinID.list()
	if len(trucIDs) != 1 || len(relaisIDs) != 1 || len(machinIDs) != 1 {
		t.Fatalf("queue IDs: truc %v relais %v machin %v", trucIDs, relaisIDs, machinIDs)
	}
	want := []wantHop{
		{RoleSubmission, "pc-fred.truc.fr", "", "127.0.0.1", "smtp.truc.fr", ProtoESMTPSA, trucIDs[0], ""},
		{RoleRelay, "smtp.truc.fr", "smtp.truc.fr", "127.0.0.2", "relais.truc.fr", ProtoESMTPS, relaisIDs[0], outgoingTLS(t, it.truc)},
		{RoleDelivery, "relais.truc.fr", "relais.truc.fr", "127.0.0.4", "smtp.machin.com", ProtoESMTPS, machinIDs[0], outgoingTLS(t, it.relais)},
	}
	if len(r.Route.Hops) != len(want) {
		t.Fatalf("%d hops, want %d: %+v", len(r.Route.Hops), len(want), r.Route.Hops)
	}
	for i, w := range want {
		checkLocalHop(t, r.Route.Hops[i], i+1, w)
	}

	// Timing: in order, no skew, the 27 s the message waited in Fred's
	// outbox (Date was written 27 s before the submission; both dates are
	// to the second).
	max := 27*time.Second + it.arrived.Sub(it.sent) + time.Second
	if r.Route.Outbox == nil || r.Route.Outbox.Duration() < 27*time.Second || r.Route.Outbox.Duration() > max {
		t.Errorf("outbox %v, want about 27 s", r.Route.Outbox)
	}
	if f := findKind(r.Findings, FindUnparsedReceived); f != nil {
		t.Errorf("finding %+v", f)
	}
	if f := findKind(r.Findings, FindClockSkew); f != nil {
		t.Errorf("finding %+v", f)
	}
	if err := r.WriteText(io.Discard); err != nil {
		t.Fatal(err)
	}
}

// outgoingTLS returns what the sending MTA says of the TLS of its one
// outgoing session: "TLS 1.3 TLS_AES_128_GCM_SHA256".
func outgoingTLS(t *testing.T, m *localmta.MTA) string {
	t.Helper()
	s := m.Sessions()
	if len(s) != 1 || !strings.HasPrefix(s[0].TLS, "TLS 1.") {
		t.Fatalf("%s: outgoing sessions %+v, want one over STARTTLS", m.Hostname(), s)
	}
	return s[0].TLS
}

func checkLocalHop(t *testing.T, h RouteHop, index int, w wantHop) {
	t.Helper()
	if h.Unparsed || h.Index != index || h.Role != w.role {
		t.Errorf("hop %d: unparsed %v index %d role %s, want role %s: %q", index, h.Unparsed, h.Index, h.Role, w.role, h.Raw)
	}
	helo := h.HELO
	if helo == "" {
		helo = h.From
	}
	if helo != w.from || h.RDNS != w.rdns || h.IP != netip.MustParseAddr(w.ip) || h.By != w.by || h.Software != "Facteur" {
		t.Errorf("hop %d: from %q rdns %q ip %v by %q software %q; want %q %q %s %q", index, helo, h.RDNS, h.IP, h.By, h.Software, w.from, w.rdns, w.ip, w.by)
	}
	if h.Protocol != w.protocol || h.ID != w.id || !slices.Equal(h.For, []string{"marc@machin.com"}) {
		t.Errorf("hop %d: protocol %q id %q for %v; want %q %q", index, h.Protocol, h.ID, h.For, w.protocol, w.id)
	}
	if h.Authenticated != (w.role == RoleSubmission) {
		t.Errorf("hop %d: authenticated %v", index, h.Authenticated)
	}
	// Every hop used STARTTLS: the with keyword says so (RFC 3848); the
	// version and cipher, when the field writes them, are those the
	// sending MTA negotiated.
	if !h.Protocol.Secure() || h.Flags.Has(FlagNoTLS) {
		t.Errorf("hop %d: protocol %s flags %v, want TLS", index, h.Protocol, h.Flags)
	}
	if h.TLS != nil && w.outgoing != "" {
		_, cipher, _ := strings.Cut(w.outgoing, " TLS_")
		if !strings.HasPrefix(h.TLS.Version, "TLSv1.") || h.TLS.Cipher != "TLS_"+cipher {
			t.Errorf("hop %d: TLS %+v, the sender negotiated %q", index, *h.TLS, w.outgoing)
		}
	}
	if h.Date.IsZero() || h.Flags.Has(FlagBadDate) || h.Flags.Has(FlagClockSkew) || !h.Flags.Has(FlagLoopback) {
		t.Errorf("hop %d: date %v flags %v", index, h.Date, h.Flags)
	}
}

// TestLocalMTAResolve resolves the delivered message against the zone the
// MTAs used: smtp.machin.com, which received it from relais.truc.fr, is
// machin.com's primary MX.
func TestLocalMTAResolve(t *testing.T) {
	it := runItinerary(t)
	r, _ := it.analyzeDelivered(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.Resolve(ctx, dnsmx.New(dnsmx.Config{Server: it.dns, Timeout: time.Second}), nil)
	if r.DNS.State != DNSDone || len(r.DNS.Entry) != 1 {
		t.Fatalf("state %s entry %+v", r.DNS.State, r.DNS.Entry)
	}
	if v := r.DNS.Entry[0]; v.Domain != "machin.com" || v.Rank != RankPrimary || v.Hop != 3 || v.Host != "smtp.machin.com" {
		t.Errorf("entry verdict %+v", v)
	}
	if !r.Route.Hops[2].Flags.Has(FlagRecipientMX) {
		t.Errorf("hop 3 flags %v, want recipient-mx", r.Route.Hops[2].Flags)
	}
}
