// Package testtls makes the certificates of Facteur's mua tests: a test CA
// with a server certificate for 127.0.0.1 and localhost, and a self-signed
// certificate (to be pinned by fingerprint). Never for production.
package testtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"time"
)

// PKI is a test CA and two server configurations.
type PKI struct {
	Roots      *x509.CertPool // holds the test CA
	Server     *tls.Config    // certificate signed by the CA, for 127.0.0.1 and localhost
	SelfSigned *tls.Config    // self-signed certificate, same names
	SelfDER    []byte         // the self-signed certificate (for its fingerprint)
}

// New makes a fresh PKI.
func New() (*PKI, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := template("Facteur Test CA", true)
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	p := &PKI{Roots: x509.NewCertPool()}
	p.Roots.AddCert(ca)
	if p.Server, _, err = leaf(ca, caKey); err != nil {
		return nil, err
	}
	p.SelfSigned, p.SelfDER, err = leaf(nil, nil)
	return p, err
}

func template(cn string, ca bool) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	t := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         ca,
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},

		BasicConstraintsValid: true,
	}
	return t
}

// leaf makes a server certificate signed by ca, or self-signed when ca is nil.
func leaf(ca *x509.Certificate, caKey *ecdsa.PrivateKey) (*tls.Config, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := template("localhost", false)
	parent, signer := ca, caKey
	if ca == nil {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, der, nil
}
