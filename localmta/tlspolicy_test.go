package localmta

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/internal/testpki"
)

func TestDecideTLS(t *testing.T) {
	enforce := &mtasts.Policy{Mode: mtasts.ModeEnforce, MX: []string{"*.a.test"}}
	testing_ := &mtasts.Policy{Mode: mtasts.ModeTesting, MX: []string{"mx.a.test"}}
	none := &mtasts.Policy{Mode: mtasts.ModeNone}
	ee := dnsmx.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: []byte{1}}
	pkixEE := dnsmx.TLSA{Usage: 1, Selector: 1, MatchingType: 1, Data: []byte{1}}
	secure := &dnsmx.TLSAResult{Records: []dnsmx.TLSA{ee, pkixEE}, DNSSEC: dnsmx.DNSSEC{AD: true, Secure: true}}
	unusable := &dnsmx.TLSAResult{Records: []dnsmx.TLSA{pkixEE}, DNSSEC: dnsmx.DNSSEC{AD: true, Secure: true}}
	insecure := &dnsmx.TLSAResult{Records: []dnsmx.TLSA{ee}, DNSSEC: dnsmx.DNSSEC{AD: true}}
	servfail := &dnsmx.Error{Err: dnsmx.ErrTemporary}
	tests := []struct {
		name    string
		f       HostFacts
		skip    bool
		require bool
		verify  Verify
		testing bool
		source  string
	}{
		{"nothing", HostFacts{Host: "mx.a.test"}, false, false, VerifyNone, false, ""},
		{"mode none", HostFacts{Host: "mx.a.test", Policy: none}, false, false, VerifyNone, false, ""},
		{"enforce, matching", HostFacts{Host: "mx.a.test", Policy: enforce}, false, true, VerifyPKIX, false, "MTA-STS enforce"},
		{"enforce, not matching", HostFacts{Host: "mx.b.test", Policy: enforce}, true, false, VerifyNone, false, "MTA-STS enforce"},
		{"testing, matching", HostFacts{Host: "mx.a.test", Policy: testing_}, false, true, VerifyPKIX, true, "MTA-STS testing"},
		{"testing, not matching: tried anyway", HostFacts{Host: "mx2.a.test", Policy: testing_}, false, false, VerifyNone, true, "MTA-STS testing"},
		{"DANE", HostFacts{Host: "mx.a.test", MXSecure: true, AddrsSecure: true, TLSA: secure}, false, true, VerifyDANE, false, "DANE"},
		{"DANE beats MTA-STS", HostFacts{Host: "mx.b.test", MXSecure: true, AddrsSecure: true, TLSA: secure, Policy: enforce}, false, true, VerifyDANE, false, "DANE"},
		{"DANE, unusable records: TLS all the same", HostFacts{Host: "mx.a.test", MXSecure: true, AddrsSecure: true, TLSA: unusable}, false, true, VerifyNone, false, "DANE"},
		{"DANE, TLSA look-up failed", HostFacts{Host: "mx.a.test", MXSecure: true, AddrsSecure: true, TLSAErr: servfail}, true, false, VerifyNone, false, "DANE"},
		{"TLSA without AD", HostFacts{Host: "mx.a.test", MXSecure: true, AddrsSecure: true, TLSA: insecure}, false, false, VerifyNone, false, ""},
		{"TLSA, MX not secure", HostFacts{Host: "mx.a.test", AddrsSecure: true, TLSA: secure}, false, false, VerifyNone, false, ""},
		{"TLSA, addresses not secure", HostFacts{Host: "mx.a.test", MXSecure: true, TLSA: secure, Policy: enforce}, false, true, VerifyPKIX, false, "MTA-STS enforce"},
		{"no TLSA record", HostFacts{Host: "mx.a.test", MXSecure: true, AddrsSecure: true, TLSAErr: &dnsmx.Error{Err: dnsmx.ErrNotFound}}, false, false, VerifyNone, false, ""},
	}
	for _, tt := range tests {
		got := DecideTLS(tt.f)
		if got.Skip != tt.skip || got.Require != tt.require || got.Verify != tt.verify || got.Testing != tt.testing || got.Source != tt.source || got.Reason == "" || got.Host != tt.f.Host {
			t.Errorf("%s: %+v", tt.name, got)
		}
		if got.Verify == VerifyDANE && (len(got.TLSA) != 1 || got.TLSA[0].Usage != 3) {
			t.Errorf("%s: TLSA %v; want the DANE-EE record only", tt.name, got.TLSA)
		}
	}
}

// tlsaOf is the TLSA record "usage selector 1" (SHA-256) of a certificate.
func tlsaOf(usage, selector uint8, c *x509.Certificate) dnsmx.TLSA {
	data := c.Raw
	if selector == 1 {
		data = c.RawSubjectPublicKeyInfo
	}
	sum := sha256.Sum256(data)
	return dnsmx.TLSA{Usage: usage, Selector: selector, MatchingType: 1, Data: sum[:], Hex: hex.EncodeToString(sum[:])}
}

func TestCertificateChecks(t *testing.T) {
	ca, other := testpki.New(t, "CA"), testpki.New(t, "Other CA")
	good := ca.MustIssue(t, "mx.a.test")
	wrongName := ca.MustIssue(t, "mx.b.test")
	foreign := other.MustIssue(t, "mx.a.test")
	chain := func(c *tls.Certificate) tls.ConnectionState {
		var st tls.ConnectionState
		for _, der := range c.Certificate {
			x, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			st.PeerCertificates = append(st.PeerCertificates, x)
		}
		return st
	}
	now := time.Now()
	pkix := TLSRequirement{Host: "mx.a.test", Verify: VerifyPKIX}
	dane := func(recs ...dnsmx.TLSA) TLSRequirement {
		return TLSRequirement{Host: "mx.a.test", Verify: VerifyDANE, TLSA: recs}
	}
	exactEE := dnsmx.TLSA{Usage: 3, Selector: 0, MatchingType: 0, Data: good.Leaf.Raw}
	sum := sha512.Sum512(good.Leaf.RawSubjectPublicKeyInfo)
	sha512EE := dnsmx.TLSA{Usage: 3, Selector: 1, MatchingType: 2, Data: sum[:]}
	tests := []struct {
		name string
		req  TLSRequirement
		cert *tls.Certificate
		ok   bool
	}{
		{"PKIX", pkix, good, true},
		{"PKIX, another name", pkix, wrongName, false},
		{"PKIX, another CA", pkix, foreign, false},
		{"PKIX, in the future", pkix, good, false},
		{"DANE-EE 3 1 1", dane(tlsaOf(3, 1, foreign.Leaf)), foreign, true},
		{"DANE-EE 3 0 1", dane(tlsaOf(3, 0, good.Leaf)), good, true},
		{"DANE-EE 3 0 0", dane(exactEE), good, true},
		{"DANE-EE 3 1 2", dane(sha512EE), good, true},
		{"DANE-EE ignores the name", dane(tlsaOf(3, 1, wrongName.Leaf)), wrongName, true},
		{"DANE-EE of another key", dane(tlsaOf(3, 1, good.Leaf)), foreign, false},
		{"DANE-TA 2 0 1", dane(tlsaOf(2, 0, ca.Cert)), good, true},
		{"DANE-TA 2 1 1", dane(tlsaOf(2, 1, ca.Cert)), good, true},
		{"DANE-TA checks the name", dane(tlsaOf(2, 0, ca.Cert)), wrongName, false},
		{"DANE-TA of another CA", dane(tlsaOf(2, 0, other.Cert)), good, false},
		{"DANE-TA is not the leaf", dane(tlsaOf(2, 0, good.Leaf)), good, false},
		{"one of several records", dane(tlsaOf(3, 1, foreign.Leaf), tlsaOf(2, 0, ca.Cert)), good, true},
		{"none", TLSRequirement{Host: "mx.a.test"}, foreign, true},
	}
	for _, tt := range tests {
		at := now
		if strings.Contains(tt.name, "future") {
			at = now.Add(48 * time.Hour)
		}
		err := tt.req.check(chain(tt.cert), ca.Pool(), at)
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrCertificate) {
			t.Errorf("%s: %v; want ok=%v", tt.name, err, tt.ok)
		}
	}
	if err := pkix.check(tls.ConnectionState{}, ca.Pool(), now); !errors.Is(err, ErrCertificate) {
		t.Errorf("no certificate: %v", err)
	}
}
