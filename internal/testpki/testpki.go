// Package testpki is a certificate authority for tests: it issues server
// certificates for any names (mta-sts.example.test, mx.example.test), on
// demand by SNI, so that tests can check certificate verification (RFC
// 5280, RFC 6125), MTA-STS (RFC 8461) and DANE (RFC 7672) on loopback.
// Never for production.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// CA is a test certificate authority. Its methods are safe for concurrent
// use.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey

	mu    sync.Mutex
	certs map[string]*tls.Certificate // by server name, issued on demand
}

// New makes a fresh CA named cn.
func New(t testing.TB, cn string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := template(cn)
	tmpl.IsCA, tmpl.KeyUsage = true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Cert: cert, key: key, certs: map[string]*tls.Certificate{}}
}

// Pool returns a pool that trusts the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// PEM returns the CA's certificate in PEM (for SSL_CERT_FILE).
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Issue makes a server certificate for names (DNS names or IP
// addresses), its chain holding the leaf then the CA.
func (ca *CA) Issue(names ...string) (*tls.Certificate, error) {
	if len(names) == 0 {
		return nil, errors.New("testpki: no name")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := template(names[0])
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// MustIssue is Issue that ends the test on error.
func (ca *CA) MustIssue(t testing.TB, names ...string) *tls.Certificate {
	t.Helper()
	c, err := ca.Issue(names...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ServerConfig returns a server configuration that presents, for each
// server name the client sends (SNI), a certificate for that name issued
// on first use; without SNI, one for "localhost" and 127.0.0.1.
func (ca *CA) ServerConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		return ca.forName(strings.ToLower(hello.ServerName))
	}}
}

func (ca *CA) forName(name string) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c, ok := ca.certs[name]; ok {
		return c, nil
	}
	names := []string{name}
	if name == "" {
		names = []string{"localhost", "127.0.0.1"}
	}
	c, err := ca.Issue(names...)
	if err != nil {
		return nil, err
	}
	ca.certs[name] = c
	return c, nil
}

func template(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
}
