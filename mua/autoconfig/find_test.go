package autoconfig

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"facteur/mua/account"
)

// TestFind: the set-up of both front doors, from the autoconfig XML to the
// account, with the security asked for.
func TestFind(t *testing.T) {
	xml := strings.ReplaceAll(clientXML, "%PORT%", "10993")
	xml = strings.Replace(xml, "<authentication>password-cleartext</authentication>",
		"<authentication>password-cleartext</authentication><authentication>OAuth2</authentication>", 1)
	srv, _ := startHTTPS(t, map[string]string{"/.well-known/autoconfig/mail/config-v1.1.xml": xml})
	d := &Discoverer{RootCAs: pki().Roots, Resolver: startDNS(t), URLs: baseURLs(srv.URL),
		Skip: map[Source]bool{SourceSRV: true, SourceGuess: true}}
	for _, tc := range []struct {
		name    string
		opt     FindOptions
		in, out string
		wantErr error
		oauth2  []string
	}{
		{name: "best", in: "imap 127.0.0.1:10993 (tls)", out: "smtp smtp.example.test:587 (starttls)", oauth2: []string{"127.0.0.1"}},
		{name: "starttls asked", opt: FindOptions{Security: account.SecurityStartTLS},
			in: "imap 127.0.0.1:143 (starttls)", out: "smtp smtp.example.test:587 (starttls)", oauth2: []string{"127.0.0.1"}},
		{name: "plaintext asked", opt: FindOptions{Security: account.SecurityNone},
			in: "imap 127.0.0.1:143 (none)", out: "smtp smtp.example.test:587 (none)", oauth2: []string{"127.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := d.Find(context.Background(), "Travail", testUser, tc.opt)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if f.Incoming.String() != tc.in || f.Outgoing.String() != tc.out {
				t.Errorf("chose %s and %s, want %s and %s", f.Incoming, f.Outgoing, tc.in, tc.out)
			}
			if a := f.Account; a.Name != "Travail" || a.Identity.Address != testUser || a.Incoming.Host != "127.0.0.1" || a.Outgoing.User != "marc" {
				t.Errorf("account = %+v", a)
			}
			if got := f.OAuth2Hosts(); !slices.Equal(got, tc.oauth2) {
				t.Errorf("OAuth2 hosts = %q, want %q", got, tc.oauth2)
			}
		})
	}
}
