package dnsmx

import (
	"context"
	"errors"
	"testing"
	"time"

	"facteur/internal/dnsmx/dnstest"
)

const tlsaZone = `
secure.example.            300 IN MX 10 mx.secure.example.
mx.secure.example.         300 IN A 127.0.0.10
_25._tcp.mx.secure.example. 300 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
_25._tcp.mx.secure.example. 300 IN TLSA 2 0 1 aabb
_25._tcp.mx.secure.example. 300 IN TLSA 1 1 1 ccdd
_25._tcp.mx.secure.example. 300 IN TLSA 3 4 1 eeff
plain.example.             300 IN MX 10 mx.plain.example.
mx.plain.example.          300 IN A 127.0.0.11
_25._tcp.mx.plain.example. 300 IN TLSA 3 1 1 00ff
implicit.example.          300 IN A 127.0.0.12
`

func TestTLSAAndAD(t *testing.T) {
	z := dnstest.New(t, tlsaZone)
	z.Secure("secure.example", "mx.secure.example", "_25._tcp.mx.secure.example", "implicit.example")
	addr := z.Start(t)
	ctx := context.Background()

	r := New(Config{Server: addr})
	if tr := r.ADTrust(); tr != ADConfigured || !tr.Trusted() {
		t.Fatalf("ADTrust of a configured server = %v", tr)
	}
	res, err := r.TLSA(ctx, "MX.secure.example.", 25)
	if err != nil || res.Name != "_25._tcp.mx.secure.example" || len(res.Records) != 4 || !res.DNSSEC.AD || !res.DNSSEC.Secure {
		t.Fatalf("TLSA(mx.secure.example) = %+v, %v", res, err)
	}
	usable := res.Usable()
	if len(usable) != 2 || usable[0].String() != "3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20" || usable[1].UsageName() != "DANE-TA" {
		t.Errorf("usable records %v", usable)
	}
	plain, err := r.TLSA(ctx, "mx.plain.example", 25)
	if err != nil || len(plain.Records) != 1 || plain.DNSSEC.AD || plain.DNSSEC.Secure {
		t.Errorf("TLSA(mx.plain.example) = %+v, %v; want one record without AD", plain, err)
	}
	if _, err := r.TLSA(ctx, "mx.secure.example", 587); !errors.Is(err, ErrNotFound) {
		t.Errorf("TLSA on port 587: %v; want ErrNotFound", err)
	}

	mx, err := r.MX(ctx, "secure.example")
	if err != nil || !mx.DNSSEC.Secure {
		t.Errorf("MX(secure.example) = %+v, %v; want secure", mx, err)
	}
	if mx, _ := r.MX(ctx, "plain.example"); mx.DNSSEC.AD {
		t.Errorf("MX(plain.example) has AD")
	}
	if mx, err := r.MX(ctx, "implicit.example"); err != nil || !mx.Implicit || !mx.DNSSEC.Secure {
		t.Errorf("MX(implicit.example) = %+v, %v; want an implicit MX, secure (both address answers AD)", mx, err)
	}
	if _, sec, err := r.AddrsDNSSEC(ctx, "mx.secure.example"); err != nil || !sec.Secure {
		t.Errorf("AddrsDNSSEC(mx.secure.example) = %v, %v", sec, err)
	}
	if _, sec, _ := r.AddrsDNSSEC(ctx, "127.0.0.1"); sec.AD {
		t.Errorf("an IP address given as such is secure")
	}

	// The same answers from a resolver whose AD bit is not trusted.
	u := New(Config{Server: addr})
	u.server, u.servers = "", []string{addr}
	u.once.Do(func() {})
	if tr := u.ADTrust(); tr != ADLoopback {
		t.Fatalf("ADTrust of system servers on loopback = %v", tr)
	}
	u.servers = []string{"192.0.2.53:53", addr}
	if tr := u.ADTrust(); tr != ADUntrusted || tr.Trusted() {
		t.Fatalf("ADTrust with a server off loopback = %v", tr)
	}
	u.servers = []string{addr}
	got := u.dnssec(true)
	if !got.AD || !got.Secure {
		t.Errorf("loopback dnssec(true) = %+v", got)
	}
	u.servers = []string{"192.0.2.53:53"}
	if got := u.dnssec(true); !got.AD || got.Secure {
		t.Errorf("untrusted dnssec(true) = %+v; want AD but not Secure", got)
	}
}

func TestOnLoopback(t *testing.T) {
	for s, want := range map[string]bool{"127.0.0.53:53": true, "[::1]:53": true, "localhost:53": true, "10.0.0.1:53": false, "[2001:db8::1]:53": false} {
		if got := onLoopback(s); got != want {
			t.Errorf("onLoopback(%q) = %v", s, got)
		}
	}
}

// Through a resolver on loopback: the bogus name's MX look-up is ErrBogus,
// the plain SERVFAIL's is not.
func TestBogusThroughTheResolver(t *testing.T) {
	z := dnstest.New(t, "fine.example. 300 IN MX 10 mx.fine.example.")
	z.Bogus("forged.example")
	z.ServFail("broken.example")
	r := New(Config{Server: z.Start(t), Timeout: 2 * time.Second})
	for name, bogus := range map[string]bool{"forged.example": true, "broken.example": false} {
		_, err := r.MX(context.Background(), name)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrTemporary) || errors.Is(err, ErrBogus) != bogus {
			t.Errorf("MX(%s) = %v, want temporary, bogus %v", name, err, bogus)
		}
	}
}
