package imapsync

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mua/account"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"
)

// oauthIMAP is an IMAP server offering mechs, whose tokens come from a
// real OAuth2 authorization server, and an account authorized on it.
func oauthIMAP(t *testing.T, mechs ...string) (*oauthtest.IMAPServer, *oauthtest.Server, account.Account, string) {
	t.Helper()
	auth := oauthtest.NewServer(t, "facteur-test", "")
	srv := oauthtest.NewIMAPServer(t, "marc@machin.test", auth.Check, mechs...)
	a := srv.Account("machin", auth)
	tk := &oauth.Tokens{Secrets: account.OpenCredentials(t.TempDir(), account.BackendFile)}
	oauthtest.Authorize(t, tk, a, "")
	token, err := tk.LoginSecret(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return srv, auth, a, token
}

func TestLoginOAuth2(t *testing.T) {
	tests := []struct {
		offered []string
		want    string
	}{
		{[]string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}, "OAUTHBEARER"},
		{[]string{"XOAUTH2"}, "XOAUTH2"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			srv, _, a, token := oauthIMAP(t, tt.offered...)
			s := New(a, token, Options{})
			defer s.Close()
			folders, err := s.Folders(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(folders) == 0 || !slices.Equal(srv.Mechanisms(), []string{tt.want}) {
				t.Fatalf("folders %v, mechanisms %q", folders, srv.Mechanisms())
			}
		})
	}
}

func TestLoginOAuth2Rejected(t *testing.T) {
	for _, mech := range []string{"OAUTHBEARER", "XOAUTH2"} {
		t.Run(mech, func(t *testing.T) {
			_, auth, a, token := oauthIMAP(t, mech)
			auth.RevokeAll()
			c, err := dial(context.Background(), a, token, nil, &imapclient.Options{})
			if c != nil {
				c.Close()
			}
			var re *oauth.RejectedError
			if !errors.Is(err, ErrAuth) || !errors.As(err, &re) || re.Status != "invalid_token" || re.Mechanism != mech {
				t.Fatalf("dial = %v, want ErrAuth and a *RejectedError", err)
			}
		})
	}
}

func TestLoginOAuth2NoMechanism(t *testing.T) {
	_, _, a, token := oauthIMAP(t, "PLAIN")
	c, err := dial(context.Background(), a, token, nil, &imapclient.Options{})
	if c != nil {
		c.Close()
	}
	if !errors.Is(err, oauth.ErrNoMechanism) {
		t.Fatalf("dial = %v, want ErrNoMechanism", err)
	}
}

func TestTranscriptHidesTheToken(t *testing.T) {
	for _, mech := range []string{"OAUTHBEARER", "XOAUTH2"} {
		t.Run(mech, func(t *testing.T) {
			_, _, a, token := oauthIMAP(t, mech)
			var buf strings.Builder
			s := New(a, token, Options{Transcript: &buf})
			defer s.Close()
			if _, err := s.Folders(context.Background()); err != nil {
				t.Fatal(err)
			}
			text := buf.String()
			if !strings.Contains(text, "AUTHENTICATE "+mech) {
				t.Fatalf("no AUTHENTICATE in the transcript:\n%s", text)
			}
			for _, w := range strings.Fields(text) {
				dec, err := base64.StdEncoding.DecodeString(w)
				if strings.Contains(w, token) || err == nil && strings.Contains(string(dec), token) {
					t.Fatalf("the token shows in the transcript (%q):\n%s", w, text)
				}
			}
		})
	}
}

func TestMaskWriter(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"login", "T1 LOGIN marc secret\r\n", "T1 LOGIN marc ****\r\n"},
		{"initial response", "T2 AUTHENTICATE PLAIN AG1hcmMAc2VjcmV0\r\nT2 OK done\r\n", "T2 AUTHENTICATE PLAIN ****\r\nT2 OK done\r\n"},
		{"exchange", "T3 AUTHENTICATE XOAUTH2\r\n+ \r\ndXNlcj1tYXJj\r\n+ eyJzdGF0dXMiOiI0MDEifQ==\r\n\r\nT3 NO refused\r\nT4 NOOP\r\n",
			"T3 AUTHENTICATE XOAUTH2\r\n+ \r\n****\r\n+ eyJzdGF0dXMiOiI0MDEifQ==\r\n\r\nT3 NO refused\r\nT4 NOOP\r\n"},
		{"other commands", "* 3 EXISTS\r\nT5 SELECT INBOX\r\n", "* 3 EXISTS\r\nT5 SELECT INBOX\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			m := &maskWriter{w: &buf, password: "secret"}
			for _, line := range strings.SplitAfter(tt.in, "\n") {
				m.Write([]byte(line))
			}
			if buf.String() != tt.want {
				t.Errorf("got %q\nwant %q", buf.String(), tt.want)
			}
		})
	}
}
