package mtasts

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/dnsmx/dnstest"
	"facteur/internal/mtasts/ststest"
	"facteur/internal/testpki"
)

const policyA = "version: STSv1\nmode: enforce\nmx: mx.a.example\nmax_age: 3600\n"

// fixture is a DNS zone, a policy server and a client of both, with a
// clock the test moves.
type fixture struct {
	zone   *dnstest.Zone
	srv    *ststest.Server
	client *Client

	mu  sync.Mutex
	now time.Time
}

func newFixture(t *testing.T, zone string) *fixture {
	t.Helper()
	f := &fixture{zone: dnstest.New(t, zone), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.srv = ststest.Start(t, nil)
	res := dnsmx.New(dnsmx.Config{Server: f.zone.Start(t)})
	f.client = New(res, Options{RootCAs: f.srv.CA.Pool(), DialContext: f.srv.Dial, Now: f.clock})
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func TestFetch(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.srv.Set("a.example", policyA)
	f.srv.SetResponse("moved.example", ststest.Response{Status: 301, Location: "https://elsewhere.example/"})
	f.srv.SetResponse("gone.example", ststest.Response{Status: 404, Body: "no"})
	f.srv.SetResponse("html.example", ststest.Response{ContentType: "text/html", Body: policyA})
	f.srv.SetResponse("big.example", ststest.Response{Body: policyA + strings.Repeat("x: y\n", 14000)})
	f.srv.SetResponse("junk.example", ststest.Response{Body: "<html>"})
	p, err := f.client.Fetch(ctx, "A.example.")
	if err != nil || p.Mode != ModeEnforce || !p.Match("mx.a.example") {
		t.Fatalf("Fetch(a.example) = %+v, %v", p, err)
	}
	tests := []struct {
		domain string
		kind   error
		status int
	}{
		{"moved.example", ErrRedirect, 301},
		{"gone.example", ErrStatus, 404},
		{"html.example", ErrContentType, 200},
		{"big.example", ErrTooLarge, 200},
		{"junk.example", ErrSyntax, 200},
	}
	for _, tt := range tests {
		_, err := f.client.Fetch(ctx, tt.domain)
		var fe *FetchError
		if !errors.Is(err, tt.kind) || !errors.As(err, &fe) || fe.Status != tt.status || fe.URL != PolicyURL(tt.domain) {
			t.Errorf("Fetch(%s) error %v; want %v with status %d", tt.domain, err, tt.kind, tt.status)
		}
	}
	if f.srv.Fetches("elsewhere.example") != 0 {
		t.Errorf("the redirect was followed")
	}
}

// A policy server whose certificate the client does not trust is no
// policy (RFC 8461 §3.3).
func TestFetchUntrustedCertificate(t *testing.T) {
	srv := ststest.Start(t, nil)
	srv.Set("a.example", policyA)
	other := testpki.New(t, "Another CA")
	c := New(dnsmx.New(dnsmx.Config{Server: dnstest.ClosedPort(t)}), Options{RootCAs: other.Pool(), DialContext: srv.Dial})
	_, err := c.Fetch(context.Background(), "a.example")
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Fatalf("Fetch with an untrusted certificate: %v; want x509.UnknownAuthorityError", err)
	}
	// A certificate of the right CA for another name is refused too.
	srv.WrongName("a.example")
	trusting := New(nil, Options{RootCAs: srv.CA.Pool(), DialContext: srv.Dial})
	var he x509.HostnameError
	if _, err := trusting.Fetch(context.Background(), "a.example"); !errors.As(err, &he) {
		t.Fatalf("Fetch with a certificate for another name: %v; want x509.HostnameError", err)
	}
}

func TestLookupCache(t *testing.T) {
	f := newFixture(t, `_mta-sts.a.example. 60 IN TXT "v=STSv1; id=one"`)
	ctx := context.Background()
	f.srv.Set("a.example", policyA)

	r := f.client.Lookup(ctx, "a.example")
	if r.Mode() != ModeEnforce || r.FromCache || r.PolicyID != "one" || r.Record == nil || f.srv.Fetches("a.example") != 1 {
		t.Fatalf("first Lookup = %+v (fetches %d)", r, f.srv.Fetches("a.example"))
	}
	// Same id, not expired: from the cache, no fetch.
	f.srv.Set("a.example", strings.Replace(policyA, "enforce", "testing", 1))
	f.advance(10 * time.Minute)
	if r := f.client.Lookup(ctx, "a.example"); !r.FromCache || r.Mode() != ModeEnforce || f.srv.Fetches("a.example") != 1 {
		t.Errorf("Lookup with the same id = %+v (fetches %d)", r, f.srv.Fetches("a.example"))
	}
	// A new id: fetched again.
	f.advance(2 * time.Minute) // past the TXT's TTL
	f.client.res = dnsmx.New(dnsmx.Config{Server: dnstest.Serve(t, `_mta-sts.a.example. 60 IN TXT "v=STSv1; id=two"`)})
	if r := f.client.Lookup(ctx, "a.example"); r.FromCache || r.Mode() != ModeTesting || r.PolicyID != "two" || f.srv.Fetches("a.example") != 2 {
		t.Errorf("Lookup with a new id = %+v (fetches %d)", r, f.srv.Fetches("a.example"))
	}
	// The record gone and the server failing: the cached policy holds.
	f.client.res = dnsmx.New(dnsmx.Config{Server: dnstest.Serve(t, "")})
	f.srv.SetResponse("a.example", ststest.Response{Status: 500})
	if r := f.client.Lookup(ctx, "a.example"); !r.FromCache || r.Mode() != ModeTesting || r.Record != nil || !errors.Is(r.RecordErr, dnsmx.ErrNotFound) {
		t.Errorf("Lookup without record = %+v", r)
	}
	// Expired: nothing any more.
	f.advance(time.Hour)
	if r := f.client.Lookup(ctx, "a.example"); r.Policy != nil || r.Mode() != ModeNone {
		t.Errorf("Lookup after max_age = %+v", r)
	}
}

func TestLookupFetchFails(t *testing.T) {
	f := newFixture(t, `_mta-sts.a.example. 1 IN TXT "v=STSv1; id=one"`)
	ctx := context.Background()
	f.srv.Set("a.example", policyA)
	if r := f.client.Lookup(ctx, "a.example"); r.Mode() != ModeEnforce {
		t.Fatalf("Lookup = %+v", r)
	}
	// A failed fetch under a new id keeps the cached policy (RFC 8461 §5.1).
	f.client.res = dnsmx.New(dnsmx.Config{Server: dnstest.Serve(t, `_mta-sts.a.example. 1 IN TXT "v=STSv1; id=two"
_mta-sts.b.example. 1 IN TXT "v=STSv1; id=one"`)})
	f.srv.SetResponse("a.example", ststest.Response{Status: 503})
	r := f.client.Lookup(ctx, "a.example")
	if !r.FromCache || r.Mode() != ModeEnforce || !errors.Is(r.FetchErr, ErrStatus) {
		t.Errorf("Lookup after a failed fetch = %+v", r)
	}
	// Without anything cached, a failed fetch is no policy.
	f.srv.SetResponse("b.example", ststest.Response{Body: "junk"})
	if r := f.client.Lookup(ctx, "b.example"); r.Policy != nil || !errors.Is(r.FetchErr, ErrSyntax) {
		t.Errorf("Lookup(b.example) = %+v", r)
	}
	// No record, nothing cached: no fetch at all.
	if r := f.client.Lookup(ctx, "c.example"); r.Policy != nil || r.FetchErr != nil || f.srv.Fetches("c.example") != 0 {
		t.Errorf("Lookup(c.example) = %+v", r)
	}
}

// The default dialer resolves the policy host with the client's resolver.
func TestResolverDialer(t *testing.T) {
	srv := ststest.Start(t, nil)
	srv.Set("a.example", policyA)
	res := dnsmx.New(dnsmx.Config{Server: dnstest.Serve(t, "mta-sts.a.example. 60 IN A 127.0.0.1")})
	_, port, _ := net.SplitHostPort(srv.Addr)
	dial := resolverDialer(res)
	c, err := dial(context.Background(), "tcp", net.JoinHostPort("mta-sts.a.example", port))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.Close()
	if _, err := dial(context.Background(), "tcp", "mta-sts.nowhere.example:"+port); !errors.Is(err, dnsmx.ErrNotFound) {
		t.Errorf("dial of an unknown name: %v", err)
	}
}
