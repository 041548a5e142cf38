package localmta

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
)

// Verify is how the transport agent checks an MX host's certificate.
type Verify uint8

// The checks of a certificate.
const (
	// VerifyNone: opportunistic TLS (RFC 7435), the certificate not checked.
	VerifyNone Verify = iota
	// VerifyPKIX: a certificate valid for the MX host's name, chained to a
	// trusted root (MTA-STS, RFC 8461 §4.2).
	VerifyPKIX
	// VerifyDANE: a certificate that matches a TLSA record (RFC 7672 §3:
	// DANE-EE 3 x x, DANE-TA 2 x x).
	VerifyDANE
)

var verifyNames = [...]string{"none", "pkix", "dane"}

// String returns "none", "pkix" or "dane".
func (v Verify) String() string {
	if int(v) < len(verifyNames) {
		return verifyNames[v]
	}
	return "none"
}

// MarshalText writes the name.
func (v Verify) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// HostFacts are what DNS and MTA-STS say of one MX host, the input of
// DecideTLS.
type HostFacts struct {
	Host string
	// MXSecure: the MX RRset (or the addresses of an implicit MX) came
	// with a trusted AD bit; AddrsSecure: so did the host's A/AAAA.
	MXSecure, AddrsSecure bool
	// TLSA and TLSAErr: the host's TLSA look-up, when it was made (only
	// for a secure MX and secure addresses, RFC 7672 §2.2.2).
	TLSA    *dnsmx.TLSAResult
	TLSAErr error
	// Policy: the MTA-STS policy in force for the recipient domain, nil
	// when none (or when the MX is not the recipient domain's).
	Policy *mtasts.Policy
}

// TLSRequirement is what the transport agent demands of one MX host.
type TLSRequirement struct {
	Host    string
	Skip    bool         // not tried at all: Reason says why
	Require bool         // no delivery in clear
	Verify  Verify       // the certificate check
	TLSA    []dnsmx.TLSA // VerifyDANE: the usable records
	// Testing: an MTA-STS policy in mode testing; a failed check is logged
	// and the delivery goes on (RFC 8461 §5).
	Testing bool
	// Source names the rule: "DANE", "MTA-STS enforce", "MTA-STS testing",
	// "" for opportunistic TLS.
	Source string
	Reason string // a sentence for logs and the preview
}

// DecideTLS says what a delivery to an MX host demands (RFC 7672 §2.2,
// RFC 8461 §4, §5). DANE comes first: with a secure MX and secure
// addresses, a host whose TLSA look-up failed is skipped (RFC 7672
// §2.1.1), one with usable secure TLSA records must present a matching
// certificate, one whose secure records are all unusable still needs TLS.
// Otherwise an MTA-STS policy in mode enforce skips the hosts that match
// none of its mx patterns and needs TLS with a certificate valid for the
// host's name; in mode testing it checks the same, but only logs. Else
// TLS is opportunistic. The route preview shows this same decision.
func DecideTLS(f HostFacts) TLSRequirement {
	r := TLSRequirement{Host: f.Host}
	if f.MXSecure && f.AddrsSecure {
		if dane, ok := decideDANE(f, r); ok {
			return dane
		}
	}
	p := f.Policy
	if p == nil || p.Mode == mtasts.ModeNone {
		r.Reason = "opportunistic TLS: the certificate is not checked"
		return r
	}
	r.Source, r.Testing = "MTA-STS "+string(p.Mode), p.Mode == mtasts.ModeTesting
	if !p.Match(f.Host) {
		r.Skip = !r.Testing
		r.Reason = fmt.Sprintf("%s does not match the MTA-STS policy's mx patterns (%s)", f.Host, strings.Join(p.MX, ", "))
		return r
	}
	r.Require, r.Verify = true, VerifyPKIX
	r.Reason = "TLS required with a certificate valid for " + f.Host + " (MTA-STS " + string(p.Mode) + ")"
	return r
}

// decideDANE is DecideTLS for a host whose MX and addresses are secure;
// false when DANE does not apply (no secure TLSA RRset).
func decideDANE(f HostFacts, r TLSRequirement) (TLSRequirement, bool) {
	r.Source = "DANE"
	switch {
	case f.TLSAErr != nil && !errors.Is(f.TLSAErr, dnsmx.ErrNotFound):
		r.Skip = true
		r.Reason = "DANE: the TLSA look-up of " + f.Host + " failed (" + f.TLSAErr.Error() + ")"
		return r, true
	case f.TLSA == nil || !f.TLSA.DNSSEC.Secure || len(f.TLSA.Records) == 0:
		return r, false
	}
	r.Require = true
	r.TLSA = f.TLSA.Usable()
	if len(r.TLSA) == 0 {
		r.Reason = "DANE: TLS required, no usable TLSA record to check the certificate with (RFC 7672 §2.2)"
		return r, true
	}
	r.Verify = VerifyDANE
	r.Reason = fmt.Sprintf("DANE: TLS required with a certificate matching one of %d TLSA record(s) (DNSSEC AD)", len(r.TLSA))
	return r, true
}

// ErrCertificate is wrapped by the failed checks of a certificate.
var ErrCertificate = errors.New("certificate check failed")

// check verifies the certificate of a TLS connection as r demands.
func (r TLSRequirement) check(st tls.ConnectionState, roots *x509.CertPool, now time.Time) error {
	if len(st.PeerCertificates) == 0 {
		return fmt.Errorf("%w: no certificate", ErrCertificate)
	}
	switch r.Verify {
	case VerifyPKIX:
		return verifyPKIX(st.PeerCertificates, r.Host, roots, now)
	case VerifyDANE:
		return verifyDANE(st.PeerCertificates, r.Host, r.TLSA, now)
	}
	return nil
}

// verifyPKIX checks the chain against roots and the name against host
// (RFC 8461 §4.2, RFC 6125).
func verifyPKIX(chain []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) error {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: now})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCertificate, err)
	}
	return nil
}

// verifyDANE checks the chain against the TLSA records (RFC 7672 §3.1):
// DANE-EE matches the server's own certificate, nothing else checked
// (§3.1.1: no name, no dates); DANE-TA matches a certificate of the chain
// that then serves as the trust anchor of a chain valid for host
// (§3.1.2, §3.2.2).
func verifyDANE(chain []*x509.Certificate, host string, records []dnsmx.TLSA, now time.Time) error {
	var taErr error
	for _, rec := range records {
		switch rec.Usage {
		case dnsmx.DANEEE:
			if tlsaMatch(rec, chain[0]) {
				return nil
			}
		case dnsmx.DANETA:
			for i := 1; i < len(chain); i++ {
				if !tlsaMatch(rec, chain[i]) {
					continue
				}
				if taErr = verifyFromAnchor(chain[:i+1], host, now); taErr == nil {
					return nil
				}
			}
		}
	}
	if taErr != nil {
		return fmt.Errorf("%w: DANE-TA: %w", ErrCertificate, taErr)
	}
	return fmt.Errorf("%w: no TLSA record matches the certificate chain", ErrCertificate)
}

// verifyFromAnchor verifies chain[0] up to the trust anchor chain[n-1],
// for the name host.
func verifyFromAnchor(chain []*x509.Certificate, host string, now time.Time) error {
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(chain[len(chain)-1])
	for _, c := range chain[1 : len(chain)-1] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: now})
	return err
}

// tlsaMatch tells whether a certificate matches a TLSA record: its
// selector (0 the certificate, 1 its SubjectPublicKeyInfo) hashed by its
// matching type (0 none, 1 SHA-256, 2 SHA-512), RFC 6698 §2.1.2–2.1.3.
func tlsaMatch(rec dnsmx.TLSA, c *x509.Certificate) bool {
	data := c.Raw
	if rec.Selector == 1 {
		data = c.RawSubjectPublicKeyInfo
	}
	switch rec.MatchingType {
	case 1:
		sum := sha256.Sum256(data)
		data = sum[:]
	case 2:
		sum := sha512.Sum512(data)
		data = sum[:]
	}
	return bytes.Equal(data, rec.Data)
}
