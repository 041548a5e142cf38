package imaptest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/internal/testtls"
)

// A server named by the environment as interop/window.sh names its
// Dovecot (STARTTLS, a self-signed certificate in a file): the helpers log
// in over STARTTLS trusting that certificate, create the folders it lacks
// once, append and read; its Incoming pins the certificate, with which
// Facteur's own client logs in.
func TestTargetFromEnvOverSTARTTLS(t *testing.T) {
	pki, err := testtls.New()
	if err != nil {
		t.Fatal(err)
	}
	opt := imaptest.Options(imaptest.Sessions(imaptest.NewUser(t)))
	opt.TLSConfig, opt.InsecureAuth = pki.SelfSigned, false // no login before STARTTLS
	srv := imaptest.Serve(t, imaptest.Listen(t), opt)
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.SelfDER}), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, env string
		ok        bool
		tls       bool
	}{
		{"unset", "", false, false},
		{"plaintext", srv.Addr + " marc secret", true, false},
		{"STARTTLS", srv.Addr + " marc secret " + certFile, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FACTEUR_TEST_TARGET", tc.env)
			g, ok := imaptest.FromEnv(t, "FACTEUR_TEST_TARGET")
			if ok != tc.ok || (g.Cert != nil) != tc.tls {
				t.Fatalf("FromEnv(%q) = %+v, %v", tc.env, g, ok)
			}
			if !ok || g.Addr != srv.Addr || g.User != imaptest.User || g.Password != imaptest.Password {
				return
			}
			in := g.Incoming()
			if !tc.tls {
				if in.Security != account.SecurityNone || in.Fingerprint != "" {
					t.Errorf("Incoming = %+v, want plaintext", in)
				}
				return
			}
			sum := sha256.Sum256(pki.SelfDER)
			if in.Security != account.SecurityStartTLS || in.Fingerprint != hex.EncodeToString(sum[:]) {
				t.Errorf("Incoming = %+v, want STARTTLS with the certificate pinned", in)
			}
			g.Create(t, "Archive", "Trash")
			g.Create(t, "Archive", "Sent") // Archive is there: only Sent is created
			if got := g.Mailboxes(t); !slices.Equal(got, []string{"Archive", "INBOX", "Sent", "Trash"}) {
				t.Errorf("Mailboxes = %q", got)
			}
			g.Append(t, "Archive", "Subject: One\r\n\r\nBody.\r\n")
			if subjects, flags := g.Messages(t, "Archive"); !slices.Equal(subjects, []string{"One"}) || len(flags[0]) != 0 {
				t.Errorf("Messages = %q, %q", subjects, flags)
			}
			a := account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"}, Incoming: in}
			s := imapsync.New(a, g.Password, imapsync.Options{})
			defer s.Close()
			if folders, err := s.Folders(context.Background()); err != nil || len(folders) != 4 {
				t.Errorf("Facteur's client with the pinned certificate: %v, %v", folders, err)
			}
		})
	}
}
