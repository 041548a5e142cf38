package mtatls

import (
	"bytes"
	"crypto/x509"
	"path/filepath"
	"testing"

	"facteur/internal/atomicfile"
)

// TestLoadOrCreateKeepsTheCertificate: the first call makes a certificate
// for the host name and loopback, later calls load the same one.
func TestLoadOrCreateKeepsTheCertificate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	first, err := LoadOrCreate(dir, "mail.example.test")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(first.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"mail.example.test", "localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(host); err != nil {
			t.Errorf("certificate does not name %s: %v", host, err)
		}
	}
	// the private key: mode 0600, and on Windows a DACL for the owner alone
	if err := atomicfile.CheckPrivate(filepath.Join(dir, "key.pem")); err != nil {
		t.Fatal(err)
	}
	cfg, err := ServerConfig(filepath.Dir(dir), "other.name")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cfg.Certificates[0].Certificate[0], first.Certificate[0]) {
		t.Fatal("a second load made another certificate")
	}
}
