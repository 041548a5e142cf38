package mtatls

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"testing"
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
	// Windows has no mode bits but read-only: 0666 there
	if st, err := os.Stat(filepath.Join(dir, "key.pem")); err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("key.pem: %v, mode %v", err, st.Mode())
	}
	cfg, err := ServerConfig(filepath.Dir(dir), "other.name")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cfg.Certificates[0].Certificate[0], first.Certificate[0]) {
		t.Fatal("a second load made another certificate")
	}
}
