package submit

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"facteur/mua/account"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"
)

// oauthSession offers mechs and checks tokens with the authorization
// server; a refused token is 535 5.7.8 (RFC 4954 §6).
type oauthSession struct {
	*session
	mechs []string
	check oauthtest.Check
	used  *usedMechs
}

type usedMechs struct {
	mu   sync.Mutex
	list []string
}

func (u *usedMechs) add(m string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.list = append(u.list, m)
}

func (u *usedMechs) get() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.list)
}

func (s *oauthSession) AuthMechanisms() []string { return s.mechs }

func (s *oauthSession) Auth(mech string) (sasl.Server, error) {
	if mech == sasl.Plain {
		return s.session.Auth(mech)
	}
	srv := oauthtest.NewServerMechanism(mech, s.check, func(user string) {
		s.cur.User = user
		s.used.add(mech)
	})
	if srv == nil {
		return nil, errors.New("unsupported mechanism")
	}
	return &smtpRefusal{srv}, nil
}

type smtpRefusal struct{ sasl.Server }

func (r *smtpRefusal) Next(resp []byte) ([]byte, bool, error) {
	ch, done, err := r.Server.Next(resp)
	var ref *oauthtest.Refusal
	if errors.As(err, &ref) {
		err = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Username and Password not accepted"}
	}
	return ch, done, err
}

// oauthSetup is an authorization server, a submission server offering
// mechs over STARTTLS, and an OAuth2 account authorized on a profile.
type oauthSetup struct {
	auth  *oauthtest.Server
	ts    *testServer
	used  *usedMechs
	acct  account.Account
	creds *account.Credentials
}

func newOAuthSetup(t *testing.T, mechs ...string) *oauthSetup {
	t.Helper()
	o := &oauthSetup{auth: oauthtest.NewServer(t, "facteur-test", ""), used: &usedMechs{}}
	o.ts = startServer(t, serverOpts{startTLS: true, wrap: func(s *session) smtp.Session {
		return &oauthSession{session: s, mechs: mechs, check: o.auth.Check, used: o.used}
	}})
	o.acct = testAccount(o.ts, account.SecurityStartTLS)
	o.acct.Auth = account.AuthOAuth2
	o.acct.OAuth2 = o.auth.OAuth2()
	if err := o.acct.Validate(); err != nil {
		t.Fatal(err)
	}
	o.creds = account.OpenCredentials(t.TempDir(), account.BackendFile)
	oauthtest.Authorize(t, &oauth.Tokens{Secrets: o.creds}, o.acct, "")
	return o
}

// client submits with the profile's credentials alone, as the composer
// does: the tokens come from them.
func (o *oauthSetup) client() *Client {
	return &Client{Dialer: &account.Dialer{RootCAs: o.ts.PKI.Roots}, Passwords: o.creds}
}

func TestSendOAuth2(t *testing.T) {
	tests := []struct {
		offered []string
		want    string
	}{
		{[]string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}, "OAUTHBEARER"},
		{[]string{"PLAIN", "XOAUTH2"}, "XOAUTH2"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			o := newOAuthSetup(t, tt.offered...)
			if err := o.client().Send(context.Background(), o.acct, build(t, sampleDraft())); err != nil {
				t.Fatal(err)
			}
			got := o.ts.messages()
			if len(got) != 1 || got[0].User != "fred@truc.fr" || !got[0].TLS {
				t.Fatalf("server got %+v", got)
			}
			if used := o.used.get(); !slices.Equal(used, []string{tt.want}) {
				t.Fatalf("mechanisms used %q, want %s", used, tt.want)
			}
		})
	}
}

func TestSendOAuth2RefreshesExpiredToken(t *testing.T) {
	o := newOAuthSetup(t, "XOAUTH2")
	tk := &oauth.Tokens{Secrets: o.creds}
	tok, _ := tk.Load(o.acct.Name)
	tok.Expiry = time.Now().Add(-time.Minute)
	tk.Save(o.acct.Name, tok)
	if err := o.client().Send(context.Background(), o.acct, build(t, sampleDraft())); err != nil {
		t.Fatal(err)
	}
	saved, _ := tk.Load(o.acct.Name)
	if o.auth.Refreshes() != 1 || saved.AccessToken == tok.AccessToken || len(o.ts.messages()) != 1 {
		t.Fatalf("%d refreshes, token saved %v", o.auth.Refreshes(), saved.AccessToken != tok.AccessToken)
	}
}

func TestSendOAuth2Rejected(t *testing.T) {
	for _, mech := range []string{"OAUTHBEARER", "XOAUTH2"} {
		t.Run(mech, func(t *testing.T) {
			o := newOAuthSetup(t, mech)
			o.auth.RevokeAll() // the stored access token is still fresh, the server refuses it
			err := o.client().Send(context.Background(), o.acct, build(t, sampleDraft()))
			var re *oauth.RejectedError
			var se *smtp.SMTPError
			if !errors.As(err, &re) || re.Mechanism != mech || re.Status != "invalid_token" || !errors.As(err, &se) || se.Code != 535 {
				t.Fatalf("Send = %v, want a *RejectedError over 535", err)
			}
			if Temporary(err) || o.ts.mailCount() != 0 {
				t.Fatalf("Temporary %v, %d MAIL commands", Temporary(err), o.ts.mailCount())
			}
		})
	}
}

func TestSendOAuth2NoMechanism(t *testing.T) {
	o := newOAuthSetup(t, "PLAIN")
	err := o.client().Send(context.Background(), o.acct, build(t, sampleDraft()))
	var me *oauth.MechanismError
	if !errors.Is(err, oauth.ErrNoMechanism) || !errors.As(err, &me) || !slices.Equal(me.Offered, []string{"PLAIN"}) {
		t.Fatalf("Send = %v, want ErrNoMechanism", err)
	}
	if Temporary(err) || o.ts.mailCount() != 0 {
		t.Fatal("a server without OAuth2 mechanism is not worth retrying, and nothing is sent")
	}
}

func TestCheckOAuth2(t *testing.T) {
	o := newOAuthSetup(t, "OAUTHBEARER")
	if err := o.client().Check(context.Background(), o.acct); err != nil {
		t.Fatal(err)
	}
	o.auth.RevokeAll()
	if err := o.client().Check(context.Background(), o.acct); !errors.Is(err, oauth.ErrRejected) {
		t.Fatalf("Check = %v, want ErrRejected", err)
	}
}
