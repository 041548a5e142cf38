package account

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Dialer opens connections to an account's servers. The zero value uses the
// system roots and a 30 s connection timeout.
type Dialer struct {
	// RootCAs verifies server certificates; nil means the system roots.
	RootCAs *x509.CertPool
	// Timeout bounds connecting and the TLS handshake; 0 means 30 s.
	Timeout time.Duration
	// DialContext, when set, replaces net.Dialer.DialContext (tests, proxies).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (d *Dialer) timeout() time.Duration {
	if d == nil || d.Timeout == 0 {
		return 30 * time.Second
	}
	return d.Timeout
}

// DialTCP opens a plain TCP connection to addr.
func (d *Dialer) DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	if d != nil && d.DialContext != nil {
		return d.DialContext(ctx, "tcp", addr)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", addr)
}

// Dial connects to s: with implicit TLS when s.Sec() is SecurityTLS, in
// plaintext otherwise (the protocol then runs STARTTLS with Handshake).
func (d *Dialer) Dial(ctx context.Context, s Server, proto string) (net.Conn, error) {
	conn, err := d.DialTCP(ctx, s.Address(proto))
	if err != nil || s.Sec() != SecurityTLS {
		return conn, err
	}
	tc, err := d.Handshake(ctx, conn, s)
	if err != nil {
		return nil, err
	}
	return tc, nil
}

// Handshake runs a TLS client handshake on conn for s, with verification and
// pinning (see TLSConfig). conn is closed when it fails.
func (d *Dialer) Handshake(ctx context.Context, conn net.Conn, s Server) (*tls.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	tc := tls.Client(conn, d.TLSConfig(s))
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// TLSConfig returns the client configuration for s: a certificate whose
// SHA-256 matches s.Fingerprint is accepted; any other has its chain
// verified against the roots and the host name, and the handshake fails
// with a *CertificateError when that fails.
func (d *Dialer) TLSConfig(s Server) *tls.Config {
	var roots *x509.CertPool
	if d != nil {
		roots = d.RootCAs
	}
	pin, _ := ParseFingerprint(s.Fingerprint)
	return &tls.Config{
		ServerName:         s.Host,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // verified below, with pinning as the only exception
		VerifyConnection: func(cs tls.ConnectionState) error {
			return verify(cs, s.Host, roots, pin)
		},
	}
}

func verify(cs tls.ConnectionState, host string, roots *x509.CertPool, pin []byte) error {
	if len(cs.PeerCertificates) == 0 {
		return &CertificateError{Host: host, Err: errors.New("no certificate")}
	}
	leaf := cs.PeerCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	if pin != nil && bytes.Equal(pin, sum[:]) {
		// the certificate the user accepted: accepted whatever the chain,
		// and the system's roots are not loaded (about 50 ms of CPU per
		// process, a third of a flag-only resync with nothing changed)
		return nil
	}
	opts := x509.VerifyOptions{Roots: roots, DNSName: host, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := leaf.Verify(opts)
	if err == nil {
		return nil
	}
	return &CertificateError{
		Host: host, Fingerprint: FormatFingerprint(sum[:]), Err: err,
		Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
		SelfSigned: bytes.Equal(leaf.RawIssuer, leaf.RawSubject),
	}
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as
// FormatFingerprint writes it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return FormatFingerprint(sum[:])
}

// FormatFingerprint writes a digest as lower-case hex pairs joined by colons.
func FormatFingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = hex.EncodeToString([]byte{b})
	}
	return strings.Join(parts, ":")
}

// ParseFingerprint reads a SHA-256 fingerprint in hex, with or without
// colons or spaces, any case; "" gives nil.
func ParseFingerprint(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(s)
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("not a SHA-256 fingerprint (64 hex digits)")
	}
	return b, nil
}
