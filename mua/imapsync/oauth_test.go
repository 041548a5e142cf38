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
			c, err := dial(context.Background(), a, token, nil, &imapclient.Options{}, nil)
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
	c, err := dial(context.Background(), a, token, nil, &imapclient.Options{}, nil)
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
			_, err := s.Folders(context.Background())
			s.Close() // waits for the reading goroutine, which writes the transcript too
			if err != nil {
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

func TestTraceConn(t *testing.T) {
	// each event is what one side wrote: "C:" Facteur, "S:" the server
	tests := []struct {
		name   string
		events []string
		want   string
	}{
		{"login", []string{"C:T1 LOGIN marc secret\r\n", "S:T1 OK done\r\n"},
			"C: T1 LOGIN marc ****\nS: T1 OK done\n"},
		{"initial response", []string{"C:T2 AUTHENTICATE PLAIN AG1hcmMAc2VjcmV0\r\n", "S:T2 OK done\r\n"},
			"C: T2 AUTHENTICATE PLAIN ****\nS: T2 OK done\n"},
		{"exchange", []string{"C:T3 AUTHENTICATE XOAUTH2\r\n", "S:+ \r\n", "C:dXNlcj1tYXJj\r\n",
			"S:+ eyJzdGF0dXMiOiI0MDEifQ==\r\n", "C:\r\n", "S:T3 NO refused\r\n", "C:T4 NOOP\r\n", "S:T4 OK\r\n"},
			"C: T3 AUTHENTICATE XOAUTH2\nS: + \nC: ****\nS: + eyJzdGF0dXMiOiI0MDEifQ==\nC: ****\nS: T3 NO refused\nC: T4 NOOP\nS: T4 OK\n"},
		{"literals and cut lines", []string{"C:T5 APPEND INBOX {11+}\r\nHello world\r\n",
			"S:* 1 FETCH (BODY[] {5}\r\nab", "S:cde)\r\nT5 O", "S:K APPEND done\r\n"},
			"C: T5 APPEND INBOX {11+}\nC: [11 bytes]\nC: \nS: * 1 FETCH (BODY[] {5}\nS: [5 bytes]\nS: )\nS: T5 OK APPEND done\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			tc := traced(nil, &traceOut{w: &buf, password: "secret"}).(*traceConn)
			for _, ev := range tt.events {
				side := &tc.in
				if strings.HasPrefix(ev, "C:") {
					side = &tc.sent
				}
				tc.feed(side, []byte(ev[2:]))
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}
