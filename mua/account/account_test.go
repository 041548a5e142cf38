package account

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/atomicfile"
	"facteur/mua/internal/testtls"
)

func sample(name string) Account {
	return Account{
		Name:     name,
		Identity: Identity{Name: "Marc", Address: "marc@machin.com"},
		Protocol: IMAP,
		Incoming: Server{Host: "imap.machin.com"},
		Outgoing: Server{Host: "smtp.machin.com", Security: SecurityStartTLS},
	}
}

func TestBookKeepsOtherSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"theme":"dark","accounts":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	b := OpenBook(path)
	if err := b.Add(sample("work")); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(sample("home")); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(sample("home")); !errors.Is(err, ErrExists) {
		t.Fatalf("second Add: %v, want ErrExists", err)
	}
	// the account list names servers and users: 0600, owner alone on Windows
	if err := atomicfile.CheckPrivate(path); err != nil {
		t.Error(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"theme": "dark"`) {
		t.Errorf("other settings lost:\n%s", data)
	}
	list, err := b.List()
	if err != nil || len(list) != 2 || list[0].Name != "home" {
		t.Fatalf("List = %v, %v", list, err)
	}
	a := sample("home")
	a.Options.DeleteAfterDays = 7
	if err := b.Put(a); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Get("home"); got.Options.DeleteAfterDays != 7 {
		t.Errorf("Put not saved: %+v", got)
	}
	if err := b.Remove("work"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get("work"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get removed: %v", err)
	}
	if err := b.Remove("work"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove twice: %v", err)
	}
}

func TestBookCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(path, []byte(`{"accounts": 3`), 0o600)
	var ce *ConfigError
	if _, err := OpenBook(path).List(); !errors.As(err, &ce) {
		t.Fatalf("List of a broken file: %v", err)
	}
}

// validateCase changes a valid account with mod: Validate must then
// accept it (field "") or refuse it with a *FieldError for field.
type validateCase struct {
	name  string
	mod   func(*Account)
	field string
}

func checkValidate(t *testing.T, tests []validateCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sample("x")
			tt.mod(&a)
			err := a.Validate()
			var fe *FieldError
			if tt.field == "" && err != nil || tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
				t.Errorf("Validate = %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []validateCase{
		{"ok", func(*Account) {}, ""},
		{"no name", func(a *Account) { a.Name = " " }, "name"},
		{"slash", func(a *Account) { a.Name = "a/b" }, "name"},
		{"proto", func(a *Account) { a.Protocol = "nntp" }, "protocol"},
		{"host", func(a *Account) { a.Incoming.Host = "" }, "incoming.host"},
		{"security", func(a *Account) { a.Incoming.Security = "ssl3" }, "incoming.security"},
		{"port", func(a *Account) { a.Outgoing.Port = 70000 }, "outgoing.port"},
		{"fingerprint", func(a *Account) { a.Incoming.Fingerprint = "abcd" }, "incoming.fingerprint"},
		{"days", func(a *Account) { a.Options.DeleteAfterDays = -1 }, "options.deleteAfterDays"},
	}
	checkValidate(t, tests)
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		proto string
		sec   Security
		port  int
	}{
		{"imap", "", 993}, {"imap", SecurityStartTLS, 143}, {"pop3", SecurityTLS, 995},
		{"pop3", SecurityNone, 110}, {"smtp", SecurityTLS, 465}, {"smtp", SecurityStartTLS, 587},
	}
	for _, tt := range tests {
		if got := DefaultPort(tt.proto, tt.sec); got != tt.port {
			t.Errorf("DefaultPort(%s, %q) = %d, want %d", tt.proto, tt.sec, got, tt.port)
		}
	}
	if got := (Server{Host: "h"}).Address("imap"); got != "h:993" {
		t.Errorf("Address = %s", got)
	}
	for in, want := range map[string]Security{"SSL": SecurityTLS, "stls": SecurityStartTLS, "plain": SecurityNone} {
		if got, err := ParseSecurity(in); err != nil || got != want {
			t.Errorf("ParseSecurity(%s) = %v, %v", in, got, err)
		}
	}
}

func TestCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	c := OpenCredentials(dir, BackendFile)
	if _, err := c.Get("work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	if err := c.Set("work", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(PasswordKey("work", true), "smtp-pw"); err != nil {
		t.Fatal(err)
	}
	c2 := OpenCredentials(dir, BackendFile)
	if pw, err := c2.Get("work"); err != nil || pw != "s3cret" {
		t.Fatalf("Get = %q, %v", pw, err)
	}
	// mode 0600, and on Windows a DACL for the owner alone
	if err := atomicfile.CheckPrivate(filepath.Join(dir, CredentialsFile)); err != nil {
		t.Error(err)
	}
	w := c2.Warning()
	if w == nil || !strings.Contains(w.String(), CredentialsFile) {
		t.Errorf("Warning = %v", w)
	}
	if err := c2.Delete("work"); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Get("work"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get deleted: %v", err)
	}
	if pw, _ := c2.Get(PasswordKey("work", true)); pw != "smtp-pw" {
		t.Errorf("smtp password lost")
	}
}

// tlsServer accepts TLS connections with cfg on loopback and completes the
// handshake; it returns the address.
func tlsServer(t *testing.T, cfg *tls.Config) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	return ln.Addr().String()
}

func TestDialTLSAndPinning(t *testing.T) {
	pki, err := testtls.New()
	if err != nil {
		t.Fatal(err)
	}
	good := tlsServer(t, pki.Server)
	self := tlsServer(t, pki.SelfSigned)
	d := &Dialer{RootCAs: pki.Roots}
	pin := Fingerprint(pki.SelfDER)
	tests := []struct {
		name, addr, host, pin string
		untrusted             bool
	}{
		{"CA-signed", good, "127.0.0.1", "", false},
		{"CA-signed localhost", good, "localhost", "", false},
		{"self-signed", self, "127.0.0.1", "", true},
		{"self-signed pinned", self, "127.0.0.1", strings.ToUpper(pin), false},
		{"wrong pin", self, "127.0.0.1", Fingerprint([]byte("other")), true},
		{"wrong name", good, "imap.example.org", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, port, _ := net.SplitHostPort(tt.addr)
			s := Server{Host: tt.host, Fingerprint: tt.pin}
			d := *d
			d.DialContext = func(ctx context.Context, n, _ string) (net.Conn, error) {
				var nd net.Dialer
				return nd.DialContext(ctx, n, "127.0.0.1:"+port)
			}
			conn, err := d.Dial(context.Background(), s, "imap")
			if conn != nil {
				conn.Close()
			}
			var ce *CertificateError
			if !tt.untrusted {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				return
			}
			if !errors.As(err, &ce) || !errors.Is(err, ErrUntrusted) {
				t.Fatalf("Dial = %v, want *CertificateError", err)
			}
			if tt.addr == self && (ce.Fingerprint != pin || !ce.SelfSigned) {
				t.Errorf("fingerprint %s (self-signed %v), want %s", ce.Fingerprint, ce.SelfSigned, pin)
			}
		})
	}
}

func TestParseFingerprint(t *testing.T) {
	fp := Fingerprint([]byte("x"))
	a, err := ParseFingerprint(fp)
	b, err2 := ParseFingerprint(strings.ToUpper(strings.ReplaceAll(fp, ":", "")))
	if err != nil || err2 != nil || string(a) != string(b) {
		t.Fatalf("ParseFingerprint: %v %v", err, err2)
	}
	if _, err := ParseFingerprint("zz"); err == nil {
		t.Error("bad fingerprint accepted")
	}
}
