package inspect

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/miekg/dns"

	"facteur/internal/dnsmx"
	"facteur/internal/dnsmx/dnstest"
)

const zoneText = `
machin.com.            300 IN MX  10 smtp.machin.com.
machin.com.            300 IN MX  20 backup.machin.com.
smtp.machin.com.       300 IN A   192.0.2.30
backup.machin.com.     300 IN A   192.0.2.20
truc.fr.               300 IN MX  10 smtp.truc.fr.
smtp.truc.fr.          300 IN A   192.0.2.25
smtp.truc.fr.          300 IN AAAA 2001:db8::25
domain1.com.           300 IN MX  10 mailhost.domain1.com.
mailhost.domain1.com.  300 IN A   198.51.100.10
nomail.example.        300 IN MX  0 .
implicit.example.      300 IN A   192.0.2.99
25.2.0.192.in-addr.arpa.     300 IN PTR smtp.truc.fr.
7.100.51.198.in-addr.arpa.   300 IN PTR adsl-7.truc.fr.
20.2.0.192.in-addr.arpa.     300 IN PTR backup.machin.com.
10.100.51.198.in-addr.arpa.  300 IN PTR mailhost.domain1.com.
`

// newTestZone is the zone of the tests: broken.example. answers SERVFAIL,
// slow.example. never answers.
func newTestZone(t *testing.T) *dnstest.Zone {
	t.Helper()
	z := dnstest.New(t, zoneText)
	z.ServFail("broken.example.")
	z.Silent("slow.example.")
	return z
}

// addTXT publishes a TXT record, split in strings of at most 255 bytes
// (RFC 1035 §3.3.14).
func addTXT(z *dnstest.Zone, name, txt string) {
	var parts []string
	for len(txt) > 255 {
		parts, txt = append(parts, txt[:255]), txt[255:]
	}
	z.AddRR(&dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300},
		Txt: append(parts, txt)})
}

// startDNS runs the zone on a UDP port of 127.0.0.1 until the test ends.
func startDNS(t *testing.T, z *dnstest.Zone) string { return z.Start(t) }

// closedPort returns a loopback UDP address where nothing listens.
func closedPort(t *testing.T) string { return dnstest.ClosedPort(t) }

// resolveFile analyses a message and resolves it against server, and
// returns the report and every update, checking that they end with Done.
func resolveFile(t *testing.T, raw []byte, server string, opt Options) (*Report, []DNSUpdate) {
	t.Helper()
	r, err := Analyze(bytes.NewReader(raw), opt)
	if err != nil {
		t.Fatal(err)
	}
	res := dnsmx.New(dnsmx.Config{Server: server, Timeout: 300 * time.Millisecond})
	var updates []DNSUpdate // appended without a lock: -race checks that update is never called concurrently
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.Resolve(ctx, res, func(u DNSUpdate) { updates = append(updates, u) })
	if n := len(updates); n == 0 || updates[n-1].Kind != UpdateDone || updates[n-1].State != r.DNS.State {
		t.Fatalf("updates do not end with Done: %v", updates)
	}
	return r, updates
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readString(t *testing.T, name string) string { return string(readTestdata(t, name)) }

func TestResolvePrimaryMX(t *testing.T) {
	addr := startDNS(t, newTestZone(t))
	r, updates := resolveFile(t, readTestdata(t, "messages/primary-mx.eml"), addr, Options{})
	if r.DNS.State != DNSDone {
		t.Fatalf("state %s", r.DNS.State)
	}
	if len(r.DNS.Entry) != 1 {
		t.Fatalf("entry verdicts %+v", r.DNS.Entry)
	}
	v := r.DNS.Entry[0]
	if v.Domain != "machin.com" || v.Rank != RankPrimary || v.Hop != 2 || v.Host != "smtp.machin.com" || v.Pref != 10 {
		t.Errorf("verdict %+v", v)
	}
	if !r.Route.Hops[1].Flags.Has(FlagRecipientMX) || r.Route.Hops[0].Flags.Has(FlagRecipientMX) {
		t.Errorf("recipient-mx flags: %v, %v", r.Route.Hops[0].Flags, r.Route.Hops[1].Flags)
	}
	var domains []string
	for _, d := range r.DNS.Domains {
		domains = append(domains, d.Domain+":"+domainRoles(d)+":"+mxText(d))
	}
	want := []string{"truc.fr:envelope sender:MX 10 smtp.truc.fr", "machin.com:recipient:MX 10 smtp.machin.com, MX 20 backup.machin.com"}
	if !slices.Equal(domains, want) {
		t.Errorf("domains %v, want %v", domains, want)
	}
	checkHostAddrs(t, r, "smtp.truc.fr", "192.0.2.25", "2001:db8::25")
	checkHostAddrs(t, r, "smtp.machin.com", "192.0.2.30")
	checkPTR(t, r, "192.0.2.25", "smtp.truc.fr", true)
	checkPTR(t, r, "198.51.100.7", "adsl-7.truc.fr", false)
	f := findKind(r.Findings, FindRDNSMismatch)
	if f == nil || f.Hop != 1 {
		t.Errorf("rdns mismatch finding %+v", f)
	}
	kinds := map[UpdateKind]int{}
	for _, u := range updates {
		kinds[u.Kind]++
	}
	if kinds[UpdateMX] != 2 || kinds[UpdatePTR] != 2 || kinds[UpdateEntry] != 1 || kinds[UpdateAddrs] < 3 {
		t.Errorf("updates by kind %v", kinds)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"DNS (done)", "MX 10 smtp.machin.com, MX 20 backup.machin.com", "the primary MX of machin.com", "recipient-mx"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, text.String())
		}
	}
}

func checkHostAddrs(t *testing.T, r *Report, host string, want ...string) {
	t.Helper()
	for _, h := range r.DNS.Hosts {
		if h.Host != host {
			continue
		}
		var got []string
		for _, a := range h.Addrs {
			got = append(got, a.String())
		}
		if !slices.Equal(got, want) || h.Status != StatusOK {
			t.Errorf("%s: %v (%s), want %v", host, got, h.Status, want)
		}
		return
	}
	t.Errorf("no A/AAAA answer for %s in %+v", host, r.DNS.Hosts)
}

func checkPTR(t *testing.T, r *Report, ip, name string, matches bool) {
	t.Helper()
	for _, p := range r.DNS.PTR {
		if p.IP.String() == ip {
			if !slices.Equal(p.Names, []string{name}) || p.Matches != matches {
				t.Errorf("PTR %s = %v matches %v", ip, p.Names, p.Matches)
			}
			return
		}
	}
	t.Errorf("no PTR for %s", ip)
}

func TestResolveSecondaryMX(t *testing.T) {
	addr := startDNS(t, newTestZone(t))
	r, _ := resolveFile(t, readTestdata(t, "messages/secondary-mx.eml"), addr, Options{})
	if len(r.DNS.Entry) != 1 {
		t.Fatalf("verdicts %+v", r.DNS.Entry)
	}
	v := r.DNS.Entry[0]
	if v.Rank != RankSecondary || v.Hop != 1 || v.Host != "backup.machin.com" || v.Pref != 20 {
		t.Errorf("verdict %+v", v)
	}
	if !strings.Contains(v.Text, "secondary MX") {
		t.Errorf("text %q", v.Text)
	}
	for i, h := range r.Route.Hops {
		if !h.Flags.Has(FlagRecipientMX) {
			t.Errorf("hop %d not flagged recipient-mx: %v", i+1, h.Flags)
		}
	}
}

// TestResolveMXKinds: null MX, implicit MX, SERVFAIL, timeout, NXDOMAIN,
// and an MX that no hop names.
func TestResolveMXKinds(t *testing.T) {
	tests := []struct {
		to, by string
		rank   MXRank
		status LookupStatus
	}{
		{"a@nomail.example", "mx.nomail.example", RankNullMX, StatusOK},
		{"a@implicit.example", "implicit.example", RankPrimary, StatusOK},
		{"a@broken.example", "mx.broken.example", RankUnknown, StatusTemporary},
		{"a@slow.example", "mx.slow.example", RankUnknown, StatusTemporary},
		{"a@nowhere.example", "mx.nowhere.example", RankUnknown, StatusNotFound},
		{"a@machin.com", "internal.machin.com", RankNone, StatusOK},
	}
	addr := startDNS(t, newTestZone(t))
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			raw := "Received: from relay.example.net (relay.example.net [192.0.2.77])\r\n" +
				"\tby " + tt.by + " (Postfix) with ESMTPS id 1A; Tue, 5 Nov 2024 10:12:01 +0100\r\n" +
				"From: x@example.net\r\nTo: " + tt.to + "\r\nSubject: t\r\n\r\n"
			start := time.Now()
			r, _ := resolveFile(t, []byte(raw), addr, Options{LookupTimeout: time.Second})
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if len(r.DNS.Entry) != 1 {
				t.Fatalf("verdicts %+v", r.DNS.Entry)
			}
			var d DomainMX
			for _, dm := range r.DNS.Domains {
				if dm.Recipient {
					d = dm
				}
			}
			if r.DNS.Entry[0].Rank != tt.rank || d.Status != tt.status {
				t.Errorf("rank %s status %s (%s), want %s %s", r.DNS.Entry[0].Rank, d.Status, d.Error, tt.rank, tt.status)
			}
			if tt.status != StatusOK && d.Err == nil {
				t.Error("the typed error is not kept")
			}
		})
	}
}

func TestResolveOffline(t *testing.T) {
	start := time.Now()
	r, updates := resolveFile(t, readTestdata(t, "messages/primary-mx.eml"), closedPort(t), Options{})
	if r.DNS.State != DNSOffline {
		t.Fatalf("state %s, want offline", r.DNS.State)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("offline took %v", d)
	}
	for _, d := range r.DNS.Domains {
		if d.Status != StatusOffline || !errors.Is(d.Err, dnsmx.ErrOffline) {
			t.Errorf("%s: %s %v", d.Domain, d.Status, d.Err)
		}
	}
	if updates[len(updates)-1].State != DNSOffline {
		t.Errorf("last update %v", updates[len(updates)-1])
	}
	var text bytes.Buffer
	_ = r.WriteText(&text)
	if !strings.Contains(text.String(), "offline: no DNS server could be reached") {
		t.Errorf("text does not say offline:\n%s", text.String())
	}
}

func TestResolveCanceled(t *testing.T) {
	r := analyzeFile(t, "messages/primary-mx.eml", Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := dnsmx.New(dnsmx.Config{Server: startDNS(t, newTestZone(t))})
	r.Resolve(ctx, res, nil)
	if r.DNS.State != DNSCanceled {
		t.Errorf("state %s, want canceled", r.DNS.State)
	}
}

func TestResolveCaches(t *testing.T) {
	z := newTestZone(t)
	res := dnsmx.New(dnsmx.Config{Server: startDNS(t, z)})
	r := analyzeFile(t, "messages/primary-mx.eml", Options{})
	r.Resolve(context.Background(), res, nil)
	first := z.Queries()
	r.Resolve(context.Background(), res, nil)
	n := 0
	for _, f := range r.Findings {
		if f.Kind == FindRDNSMismatch {
			n++
		}
	}
	if n != 1 || len(r.DNS.Entry) != 1 {
		t.Errorf("resolving twice: %d rdns findings, %d verdicts", n, len(r.DNS.Entry))
	}
	if again := z.Queries() - first; again != 0 {
		t.Errorf("%d queries for the second of two identical reports (%d for the first): no cache?", again, first)
	}
}

// TestDKIMLive signs a message with an Ed25519 key published in the test
// zone, then verifies it, intact and tampered with.
func TestDKIMLive(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	z := newTestZone(t)
	addTXT(z, "sel._domainkey.truc.fr", "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub))
	addr := startDNS(t, z)
	raw := strings.ReplaceAll(readString(t, "messages/primary-mx.eml"), "\r\n", "\n")
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	var signed bytes.Buffer
	err = dkim.Sign(&signed, strings.NewReader(raw), &dkim.SignOptions{Domain: "truc.fr", Selector: "sel", Signer: priv,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"}})
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{LookupTXT: NewTXTLookup(addr, time.Second)}
	r, updates := resolveFile(t, signed.Bytes(), addr, opt)
	if len(r.DNS.DKIM) != 1 || r.DNS.DKIM[0].Result != "pass" || r.DNS.DKIM[0].Domain != "truc.fr" {
		t.Errorf("DKIM %+v note %q", r.DNS.DKIM, r.DNS.DKIMNote)
	}
	if !slices.ContainsFunc(updates, func(u DNSUpdate) bool { return u.Kind == UpdateDKIM }) {
		t.Error("no DKIM update")
	}
	tampered := bytes.Replace(signed.Bytes(), []byte("Salut Marc."), []byte("Salut Paul."), 1)
	r, _ = resolveFile(t, tampered, addr, opt)
	if len(r.DNS.DKIM) != 1 || r.DNS.DKIM[0].Result != "fail" || findKind(r.Findings, FindDKIM) == nil {
		t.Errorf("tampered: %+v", r.DNS.DKIM)
	}
	// Without LookupTXT the key comes through the resolver's TXT method.
	r, _ = resolveFile(t, signed.Bytes(), addr, Options{})
	if len(r.DNS.DKIM) != 1 || r.DNS.DKIM[0].Result != "pass" || r.DNS.DKIMNote != "" {
		t.Errorf("through the resolver: %+v %q", r.DNS.DKIM, r.DNS.DKIMNote)
	}
	r, _ = resolveFile(t, signed.Bytes(), addr, Options{LookupTXT: NewTXTLookup(closedPort(t), time.Second)})
	if len(r.DNS.DKIM) != 1 || r.DNS.DKIM[0].Result != "temperror" {
		t.Errorf("TXT server unreachable: %+v %q", r.DNS.DKIM, r.DNS.DKIMNote)
	}
	// Offline: the verification is abandoned with the other look-ups, or
	// ends in temperror if it started first; it never hangs.
	r, _ = resolveFile(t, signed.Bytes(), closedPort(t), Options{LookupTXT: NewTXTLookup(closedPort(t), time.Second)})
	switch {
	case len(r.DNS.DKIM) == 0 && strings.Contains(r.DNS.DKIMNote, dnsmx.ErrOffline.Error()):
	case len(r.DNS.DKIM) == 1 && r.DNS.DKIM[0].Result == "temperror":
	default:
		t.Errorf("offline DKIM: %+v %q", r.DNS.DKIM, r.DNS.DKIMNote)
	}
}

func TestNewTXTLookup(t *testing.T) {
	z := newTestZone(t)
	long := strings.Repeat("k", 400)
	addTXT(z, "long.truc.fr", long)
	lookup := NewTXTLookup(startDNS(t, z), time.Second)
	got, err := lookup(context.Background(), "long.truc.fr")
	if err != nil || !slices.Equal(got, []string{long}) {
		t.Errorf("long TXT: %v %v", len(got), err)
	}
	if _, err := lookup(context.Background(), "missing.truc.fr"); !errors.Is(err, ErrTXTNotFound) {
		t.Errorf("missing: %v", err)
	}
	if _, err := lookup(context.Background(), "broken.example"); err == nil || !isTemporary(err) {
		t.Errorf("servfail: %v", err)
	}
	if _, err := NewTXTLookup("", 0)(context.Background(), "x"); !errors.Is(err, ErrNoTXTServer) {
		t.Errorf("no server: %v", err)
	}
}
