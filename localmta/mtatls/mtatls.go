// Package mtatls holds the TLS certificate of the local mail system: the
// one its SMTP server offers with STARTTLS (RFC 3207), its POP3 server
// with STLS (RFC 2595) and its IMAP server with STARTTLS and implicit TLS
// (RFC 9051, RFC 8314). It is self-signed, made on first use in the MTA's
// tls/ directory.
package mtatls

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
	"os"
	"path/filepath"
	"time"

	"facteur/internal/atomicfile"
)

// LoadOrCreate loads dir/cert.pem and dir/key.pem, creating a
// self-signed ECDSA P-256 certificate for hostname (and localhost,
// 127.0.0.1, ::1) when they do not exist yet. key.pem is private: mode
// 0600, on Windows a DACL for the owner alone (atomicfile).
func LoadOrCreate(dir, hostname string) (tls.Certificate, error) {
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return cert, err
	}
	certPEM, keyPEM, err := selfSigned(hostname)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, err
	}
	if err := atomicfile.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := atomicfile.WriteFile(certFile, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

func selfSigned(hostname string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hostname, Organization: []string{"Facteur local MTA"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{hostname, "localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

// ServerConfig returns the TLS configuration of a server of the mail
// system of mtaDir: the certificate of mtaDir/tls for hostname, created on
// first use, TLS 1.2 at least.
func ServerConfig(mtaDir, hostname string) (*tls.Config, error) {
	cert, err := LoadOrCreate(filepath.Join(mtaDir, "tls"), hostname)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
