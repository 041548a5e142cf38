package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/dnsmx"
	"facteur/internal/profile"
	"facteur/mua/account"
	"facteur/mua/autoconfig"
)

// selfSignedServer accepts TLS connections on loopback with a self-signed
// certificate and closes them after the handshake. It returns its port and
// the certificate's fingerprint.
func selfSignedServer(t *testing.T) (int, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "imap.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.(*tls.Conn).Handshake()
			conn.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, account.Fingerprint(der)
}

func TestWizardPinsAnUntrustedCertificate(t *testing.T) {
	h := newHarness(t)
	w := h.c.showWizard()
	port, fp := selfSignedServer(t)
	w.address.SetText("marc@machin.test")
	w.password.SetText("secret")
	in := autoconfig.Server{Protocol: autoconfig.IMAP, Source: autoconfig.SourceGuess, Origin: "127.0.0.1",
		Server: account.Server{Host: "127.0.0.1", Port: port, Security: account.SecurityTLS}}
	w.discovered("marc@machin.test", in, autoconfig.Server{}, nil)
	h.waitFor("the login test", func() bool { return w.findBtn.Disabled() == false })
	if !strings.Contains(w.found.Text, "127.0.0.1") || !strings.Contains(w.found.Text, "guess") {
		t.Errorf("servers shown: %q", w.found.Text)
	}
	if !w.trustBtn.Visible() || !strings.Contains(w.finger.Text, fp) || !w.problem.Visible() {
		t.Fatalf("no fingerprint to trust: problem %q, fingerprint %q", w.problem.Text, w.finger.Text)
	}
	test.Tap(w.trustBtn)
	h.waitFor("the second test", func() bool { return !w.findBtn.Disabled() })
	if w.acct.Incoming.Fingerprint != fp {
		t.Errorf("pinned %q, want %q", w.acct.Incoming.Fingerprint, fp)
	}
	if strings.Contains(w.problem.Text, "not trusted") || w.trustBtn.Visible() {
		t.Errorf("the pinned certificate is still refused: %q", w.problem.Text)
	}
}

func TestWizardShowsWhyNothingWasFound(t *testing.T) {
	h := newHarness(t)
	h.c.newDiscoverer = func() *autoconfig.Discoverer {
		return &autoconfig.Discoverer{
			Resolver: dnsmx.New(dnsmx.Config{Server: "127.0.0.1:1", Timeout: 200 * time.Millisecond}),
			Skip:     map[autoconfig.Source]bool{autoconfig.SourceAutoconfig: true, autoconfig.SourceSRV: true, autoconfig.SourceGuess: true},
		}
	}
	w := h.c.showWizard()
	test.Type(w.address, "fred@truc.invalid")
	test.Tap(w.findBtn)
	h.waitFor("the discovery", func() bool { return !w.findBtn.Disabled() })
	if !w.problem.Visible() || w.problem.Text == "" {
		t.Errorf("problem %q", w.problem.Text)
	}
	// no dead end: the servers by hand, guessed from the domain, can be saved
	if !w.manual.box.Visible() || w.manual.inHost.Text != "imap.truc.invalid" || w.saveBtn.Disabled() {
		t.Errorf("manual settings shown %v (%q), save enabled %v", w.manual.box.Visible(), w.manual.inHost.Text, !w.saveBtn.Disabled())
	}
}

func TestWizardSavesTheAccount(t *testing.T) {
	h := newHarness(t)
	h.c.credsBackend = account.BackendFile
	w := h.c.showWizard()
	w.password.SetText("secret")
	w.acct = account.Account{Name: "Travail", Identity: account.Identity{Address: "marc@machin.test"}, Protocol: account.IMAP,
		Incoming: account.Server{Host: "127.0.0.1", Port: 993, Security: account.SecurityTLS}}
	w.tested = true
	w.saveBtn.Enable()
	test.Tap(w.saveBtn)
	h.settle()
	p, err := profile.Open(h.c.opts.Profile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := account.OpenBook(p.ConfigFile()).Get("Travail"); err != nil {
		t.Fatalf("account not saved: %v (%q)", err, w.problem.Text)
	}
	if pw, err := account.OpenCredentials(p.Dir, account.BackendFile).Get(account.PasswordKey("Travail", false)); err != nil || pw != "secret" {
		t.Errorf("password %q, %v", pw, err)
	}
	if !w.note.Visible() || w.note.Text == "" {
		t.Error("no warning that the password is kept in a file")
	}
}

func TestCheckMailShowsErrorsUnderTheFolders(t *testing.T) {
	h := newHarness(t)
	h.c.credsBackend = account.BackendFile
	h.c.checkMail()
	h.settle()
	if !strings.Contains(h.c.check.status.Text, "No account") {
		t.Errorf("without accounts: %q", h.c.check.status.Text)
	}
	p, err := profile.Open(h.c.opts.Profile)
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{Name: "Boite", Identity: account.Identity{Address: "fred@truc.test"}, Protocol: account.POP3,
		Incoming: account.Server{Host: "127.0.0.1", Port: 1, Security: account.SecurityTLS}}
	if err := account.OpenBook(p.ConfigFile()).Add(a); err != nil {
		t.Fatal(err)
	}
	if err := account.OpenCredentials(p.Dir, account.BackendFile).Set(account.PasswordKey("Boite", false), "pw"); err != nil {
		t.Fatal(err)
	}
	h.c.typedKey(&fyne.KeyEvent{Name: fyne.KeyF5})
	h.waitFor("the check", func() bool { return h.c.check.cancel == nil && !h.c.check.button.Disabled() })
	st := h.c.check.status
	if !st.Visible() || st.Importance != widget.DangerImportance || h.c.check.lastError == "" {
		t.Errorf("status %q (importance %v)", st.Text, st.Importance)
	}
}
