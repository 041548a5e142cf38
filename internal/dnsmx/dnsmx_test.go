package dnsmx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func newResolver(t *testing.T, z *testZone) *Resolver {
	t.Helper()
	return New(Config{Server: z.addr, Timeout: 2 * time.Second})
}

func TestMX(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	tests := []struct {
		domain string
		want   MXResult
	}{
		{"machin.com", MXResult{Domain: "machin.com", Records: []MX{{"smtp.machin.com", 10}, {"backup.machin.com", 20}}}},
		{"Machin.COM.", MXResult{Domain: "machin.com", Records: []MX{{"smtp.machin.com", 10}, {"backup.machin.com", 20}}}},
		{"domain1.com", MXResult{Domain: "domain1.com", Records: []MX{{"backup1.domain1.com", 10}, {"backup2.domain1.com", 20}, {"backup3.domain2.com", 30}}}},
		{"equal.example", MXResult{Domain: "equal.example", Records: []MX{{"first.equal.example", 5}, {"a.equal.example", 10}, {"b.equal.example", 10}, {"c.equal.example", 10}}}},
		{"implicit.example", MXResult{Domain: "implicit.example", Records: []MX{{"implicit.example", 0}}, Implicit: true}},
		{"v6only.example", MXResult{Domain: "v6only.example", Records: []MX{{"v6only.example", 0}}, Implicit: true}},
		{"nullmx.example", MXResult{Domain: "nullmx.example", Null: true}},
		{"alias.example", MXResult{Domain: "alias.example", Records: []MX{{"smtp.machin.com", 10}, {"backup.machin.com", 20}}}},
		{"outside.example", MXResult{Domain: "outside.example", Records: []MX{{"outside.example", 0}}, Implicit: true}},
		{"bücher.example", MXResult{Domain: "xn--bcher-kva.example", Records: []MX{{"mx.xn--bcher-kva.example", 10}}}},
	}
	for _, tt := range tests {
		got, err := r.MX(context.Background(), tt.domain)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MX(%q) = %+v, %v; want %+v", tt.domain, got, err, tt.want)
		}
	}
}

func TestMXErrors(t *testing.T) {
	z := newTestZone(t)
	r := New(Config{Server: z.addr, Timeout: 300 * time.Millisecond})
	tests := []struct {
		domain string
		kind   error
		noData bool
	}{
		{"nowhere.example", ErrNotFound, false},
		{"nomail.example", ErrNotFound, true},
		{"servfail.example", ErrTemporary, false},
		{"drop.example", ErrTemporary, false},
		{"bad..name", ErrNotFound, false},
		{"", ErrNotFound, false},
	}
	for _, tt := range tests {
		_, err := r.MX(context.Background(), tt.domain)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, tt.kind) || e.NoData != tt.noData || e.Type != "MX" {
			t.Errorf("MX(%q) error = %#v (%v), want %v NoData=%v", tt.domain, err, err, tt.kind, tt.noData)
		}
		for _, other := range []error{ErrNotFound, ErrTemporary, ErrOffline} {
			if other != tt.kind && errors.Is(err, other) {
				t.Errorf("MX(%q) error %v is also %v", tt.domain, err, other)
			}
		}
	}
	if _, err := r.MX(context.Background(), "nowhere.example"); err.Error() != "dnsmx: MX nowhere.example: not found: no such domain (NXDOMAIN)" {
		t.Errorf("message %q", err)
	}
}

func TestAddrs(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	tests := []struct {
		host string
		want []netip.Addr
	}{
		{"smtp.machin.com", []netip.Addr{netip.MustParseAddr("127.0.0.3")}},
		{"implicit.example", []netip.Addr{netip.MustParseAddr("127.0.0.5"), netip.MustParseAddr("::5")}},
		{"v6only.example", []netip.Addr{netip.MustParseAddr("2001:db8::25")}},
		{"outside.example", []netip.Addr{netip.MustParseAddr("127.0.0.5"), netip.MustParseAddr("::5")}},
		{"192.168.42.1", []netip.Addr{netip.MustParseAddr("192.168.42.1")}},
		{"[192.168.42.1]", []netip.Addr{netip.MustParseAddr("192.168.42.1")}},
		{"[IPv6:2001:db8::1]", []netip.Addr{netip.MustParseAddr("2001:db8::1")}},
	}
	for _, tt := range tests {
		got, err := r.Addrs(context.Background(), tt.host)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Addrs(%q) = %v, %v; want %v", tt.host, got, err, tt.want)
		}
	}
	_, err := r.Addrs(context.Background(), "nomail.example")
	var e *Error
	if !errors.As(err, &e) || !e.NoData || e.Type != "A/AAAA" || e.Name != "nomail.example" {
		t.Errorf("Addrs(nomail.example) error %#v, want NODATA", err)
	}
	if _, err := r.Addrs(context.Background(), "nowhere.example"); !errors.Is(err, ErrNotFound) || isNoData(err) {
		t.Errorf("Addrs(nowhere.example) error %v, want NXDOMAIN", err)
	}
}

func TestPTR(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	tests := []struct {
		ip   string
		want []string
	}{
		{"127.0.0.3", []string{"smtp.machin.com"}},
		{"::ffff:127.0.0.3", []string{"smtp.machin.com"}},
		{"::1", []string{"localhost"}},
	}
	for _, tt := range tests {
		got, err := r.PTR(context.Background(), netip.MustParseAddr(tt.ip))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PTR(%s) = %v, %v; want %v", tt.ip, got, err, tt.want)
		}
	}
	_, err := r.PTR(context.Background(), netip.MustParseAddr("127.0.0.9"))
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrNotFound) || e.Name != "127.0.0.9" || e.Type != "PTR" {
		t.Errorf("PTR(127.0.0.9) error %#v", err)
	}
	if _, err := r.PTR(context.Background(), netip.Addr{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("PTR(invalid) error %v", err)
	}
}

func TestSRV(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	got, err := r.SRV(context.Background(), "imaps", "tcp", "machin.com")
	if want := []SRV{{"imap.machin.com", 993, 0, 1}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("SRV imaps = %v, %v; want %v", got, err, want)
	}
	got, err = r.SRV(context.Background(), "_submission", "_tcp", "machin.com.")
	want := []SRV{{"smtps.machin.com", 465, 0, 50}, {"smtp.machin.com", 587, 0, 5}, {"smtp2.machin.com", 587, 10, 1}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("SRV submission = %v, %v; want %v", got, err, want)
	}
	if _, err := r.SRV(context.Background(), "pop3", "tcp", "machin.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SRV pop3 (target .) error %v, want ErrNotFound", err)
	}
	if _, err := r.SRV(context.Background(), "imap", "tcp", "machin.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SRV imap error %v, want ErrNotFound", err)
	}
}

// TestTruncatedFallsBackToTCP asks for 60 MX records, too many for a UDP
// answer of 1232 bytes.
func TestTruncatedFallsBackToTCP(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	res, err := r.MX(context.Background(), "big.example")
	if err != nil || len(res.Records) != 60 || res.Records[59].Pref != 59 {
		t.Fatalf("MX(big.example) = %d records, %v", len(res.Records), err)
	}
	if u, c := z.count("big.example", dns.TypeMX, "udp"), z.count("big.example", dns.TypeMX, "tcp"); u != 1 || c != 1 {
		t.Errorf("big.example asked %d times over UDP, %d over TCP; want 1 and 1", u, c)
	}
	if c := z.count("machin.com", dns.TypeMX, "tcp"); c != 0 {
		t.Errorf("TCP used without truncation")
	}
}

// TestCache checks hits, expiry by TTL, negative caching, and no caching of
// failures.
func TestCache(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	clock := time.Date(2001, 11, 23, 9, 30, 0, 0, time.UTC)
	var mu sync.Mutex
	r.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	ctx := context.Background()
	ask := func(domain string) { _, _ = r.MX(ctx, domain) }

	ask("machin.com")
	ask("machin.com")
	ask("MACHIN.com.")
	if n := z.count("machin.com", dns.TypeMX, ""); n != 1 {
		t.Errorf("machin.com asked %d times, want 1 (cache hits)", n)
	}
	advance(301 * time.Second)
	ask("machin.com")
	if n := z.count("machin.com", dns.TypeMX, ""); n != 2 {
		t.Errorf("machin.com asked %d times after its TTL, want 2", n)
	}
	ask("nowhere.example")
	ask("nowhere.example")
	if n := z.count("nowhere.example", dns.TypeMX, ""); n != 1 {
		t.Errorf("NXDOMAIN asked %d times, want 1 (negative cache)", n)
	}
	advance(61 * time.Second) // the SOA minimum
	ask("nowhere.example")
	if n := z.count("nowhere.example", dns.TypeMX, ""); n != 2 {
		t.Errorf("NXDOMAIN asked %d times after the SOA minimum, want 2", n)
	}
	ask("servfail.example")
	ask("servfail.example")
	if n := z.count("servfail.example", dns.TypeMX, ""); n != 2 {
		t.Errorf("SERVFAIL asked %d times, want 2 (not cached)", n)
	}
	ask("short.example")
	advance(2 * time.Second)
	ask("short.example")
	if n := z.count("short.example", dns.TypeMX, ""); n != 2 {
		t.Errorf("TTL 1 asked %d times, want 2", n)
	}
}

// TestSharedQuery checks that concurrent identical questions send one query.
func TestSharedQuery(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			res, err := r.MX(context.Background(), "slow.example")
			if err == nil && len(res.Records) != 1 {
				err = errors.New("no record")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := z.count("slow.example", dns.TypeMX, ""); n != 1 {
		t.Errorf("slow.example asked %d times by 20 callers, want 1", n)
	}
}

// TestCancel checks that a caller's context ends its wait at once, while
// the query goes on for the others.
func TestCancel(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := r.MX(ctx, "slow.example")
	if !errors.Is(err, ErrTemporary) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("MX with an expired context: %v", err)
	}
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := r.Addrs(cancelled, "smtp.machin.com"); !errors.Is(err, context.Canceled) {
		t.Errorf("Addrs with a cancelled context: %v", err)
	}
	if n := z.count("smtp.machin.com", dns.TypeA, ""); n != 0 {
		t.Errorf("a cancelled look-up sent %d queries", n)
	}
	if res, err := r.MX(context.Background(), "slow.example"); err != nil || len(res.Records) != 1 {
		t.Errorf("MX after a cancelled wait: %v, %v", res, err)
	}
	if n := z.count("slow.example", dns.TypeMX, ""); n != 1 {
		t.Errorf("slow.example asked %d times, want 1", n)
	}
}

// TestTimeout checks that a server that never answers gives ErrTemporary
// after the configured timeout.
func TestTimeout(t *testing.T) {
	z := newTestZone(t)
	r := New(Config{Server: z.addr, Timeout: 100 * time.Millisecond})
	_, err := r.MX(context.Background(), "drop.example")
	var ne net.Error
	if !errors.Is(err, ErrTemporary) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("MX(drop.example) = %v, want a temporary timeout", err)
	}
}

// TestOffline points the resolver at a loopback port where nothing listens.
func TestOffline(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	r := New(Config{Server: addr, Timeout: time.Second})
	_, err = r.MX(context.Background(), "machin.com")
	var e *Error
	if !errors.Is(err, ErrOffline) || errors.Is(err, ErrTemporary) || !errors.As(err, &e) || e.Name != "machin.com" {
		t.Errorf("MX against a closed port: %v, want ErrOffline", err)
	}
}

func TestWithPort(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:5353": "127.0.0.1:5353",
		"127.0.0.1":      "127.0.0.1:53",
		"::1":            "[::1]:53",
		"[::1]":          "[::1]:53",
		"[::1]:5353":     "[::1]:5353",
	} {
		if got := withPort(in); got != want {
			t.Errorf("withPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShuffleEqual(t *testing.T) {
	in := []MX{{"c", 20}, {"a1", 10}, {"a2", 10}, {"a3", 10}, {"b", 15}}
	seen := map[string]bool{}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		out := ShuffleEqual(in, rnd)
		if len(out) != 5 || out[3] != (MX{"b", 15}) || out[4] != (MX{"c", 20}) {
			t.Fatalf("ShuffleEqual = %v", out)
		}
		key := ""
		for _, m := range out[:3] {
			if m.Pref != 10 {
				t.Fatalf("ShuffleEqual = %v", out)
			}
			key += m.Host
		}
		seen[key] = true
	}
	if len(seen) != 6 {
		t.Errorf("%d orders of three equal MX seen, want 6", len(seen))
	}
	if in[0].Host != "c" {
		t.Error("ShuffleEqual changed its argument")
	}
	if out := ShuffleEqual(in, nil); len(out) != 5 || out[4].Host != "c" {
		t.Errorf("ShuffleEqual(nil source) = %v", out)
	}
	if out := ShuffleEqual(nil, nil); len(out) != 0 {
		t.Errorf("ShuffleEqual(nil) = %v", out)
	}
}

func TestCacheTTL(t *testing.T) {
	m := new(dns.Msg)
	if cacheTTL(m) != 0 {
		t.Error("a negative answer without SOA must not be cached (RFC 2308 §5)")
	}
	m.Answer = []dns.RR{mustRR(t, "a. 100000 IN A 127.0.0.1")}
	if cacheTTL(m) != maxTTL {
		t.Errorf("TTL not capped: %v", cacheTTL(m))
	}
	m.Answer = append(m.Answer, mustRR(t, "a. 7 IN A 127.0.0.2"))
	if cacheTTL(m) != 7*time.Second {
		t.Errorf("smallest TTL: %v", cacheTTL(m))
	}
}

// TestSweep fills the cache past its bound.
func TestSweep(t *testing.T) {
	r := New(Config{Server: "127.0.0.1:1"})
	m := new(dns.Msg)
	m.Answer = []dns.RR{mustRR(t, "a. 100 IN A 127.0.0.1")}
	r.mu.Lock()
	for i := range maxEntries * 2 {
		r.store(question{name: fmt.Sprint(i, ".example."), qtype: dns.TypeA}, m)
	}
	n := len(r.cache)
	r.mu.Unlock()
	if n > maxEntries {
		t.Errorf("cache holds %d entries, bound %d", n, maxEntries)
	}
}

// A validating resolver's extended DNS error (RFC 8914) is kept in the
// error; the DNSSEC failures among them are ErrBogus too, still temporary.
func TestExtendedErrors(t *testing.T) {
	q := new(dns.Msg)
	q.SetQuestion("forged.example.", dns.TypeMX)
	q.SetEdns0(ednsSize, true)
	answer := func(rcode int, ede ...*dns.EDNS0_EDE) *dns.Msg {
		m := new(dns.Msg)
		m.SetRcode(q, rcode)
		m.SetEdns0(ednsSize, true)
		for _, e := range ede {
			m.IsEdns0().Option = append(m.IsEdns0().Option, e)
		}
		return m
	}
	tests := []struct {
		name  string
		in    *dns.Msg
		bogus bool
		text  string // "" for no error
	}{
		{"bogus", answer(dns.RcodeServerFailure, &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeDNSBogus, ExtraText: "validation failure <forged.example. MX IN>"}),
			true, "temporary DNS failure: DNSSEC validation failed: server answered SERVFAIL, extended error 6 (DNSSEC Bogus): validation failure <forged.example. MX IN>"},
		{"expired", answer(dns.RcodeServerFailure, &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeSignatureExpired}),
			true, "temporary DNS failure: DNSSEC validation failed: server answered SERVFAIL, extended error 7 (Signature Expired)"},
		{"unreachable", answer(dns.RcodeServerFailure, &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeNoReachableAuthority, ExtraText: "no\x00 server\nanswered"}),
			false, "temporary DNS failure: server answered SERVFAIL, extended error 22 (No Reachable Authority): no server answered"},
		{"unassigned", answer(dns.RcodeRefused, &dns.EDNS0_EDE{InfoCode: 4000}),
			false, "temporary DNS failure: server answered REFUSED, extended error 4000 (unassigned)"},
		{"plain servfail", answer(dns.RcodeServerFailure), false, "temporary DNS failure: server answered SERVFAIL"},
		{"stale answer with its note", answer(dns.RcodeSuccess, &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeStaleAnswer}), false, ""},
	}
	for _, tt := range tests {
		err := checkAnswer(q, tt.in)
		if tt.text == "" {
			if err != nil {
				t.Errorf("%s: %v, want no error", tt.name, err)
			}
			continue
		}
		if err == nil || err.Error() != tt.text || !errors.Is(err, ErrTemporary) || errors.Is(err, ErrBogus) != tt.bogus {
			t.Errorf("%s: %v (bogus %v), want %q (bogus %v)", tt.name, err, errors.Is(err, ErrBogus), tt.text, tt.bogus)
		}
	}
}
