package oauth

import (
	"errors"
	"testing"

	"github.com/emersion/go-sasl"

	"facteur/mua/oauth/oauthtest"
)

func TestChooseMechanism(t *testing.T) {
	tests := []struct {
		offered []string
		want    string
	}{
		{[]string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}, OAuthBearer},
		{[]string{"login", "xoauth2"}, XOAuth2},
		{[]string{"oauthbearer"}, OAuthBearer},
	}
	for _, tt := range tests {
		if got, err := ChooseMechanism(tt.offered); got != tt.want || err != nil {
			t.Errorf("ChooseMechanism(%q) = %q, %v; want %q", tt.offered, got, err, tt.want)
		}
	}
	_, err := ChooseMechanism([]string{"PLAIN", "LOGIN"})
	var me *MechanismError
	if !errors.Is(err, ErrNoMechanism) || !errors.As(err, &me) || len(me.Offered) != 2 {
		t.Fatalf("no OAuth2 mechanism: %v", err)
	}
}

func TestXOAUTH2InitialResponse(t *testing.T) {
	mech, ir, err := NewXOAUTH2Client("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg").Start()
	// The example of https://developers.google.com/gmail/imap/xoauth2-protocol
	want := "user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
	if mech != "XOAUTH2" || string(ir) != want || err != nil {
		t.Fatalf("Start = %q, %q, %v", mech, ir, err)
	}
}

// exchange runs a SASL client against a server in memory, as a protocol
// would carry it, and returns the server's final error.
func exchange(t *testing.T, c sasl.Client, s sasl.Server) error {
	t.Helper()
	_, resp, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		challenge, done, err := s.Next(resp)
		if done || err != nil {
			return err
		}
		if resp, err = c.Next(challenge); err != nil {
			t.Fatalf("client Next: %v", err)
		}
	}
	t.Fatal("the exchange does not end")
	return nil
}

func TestSASLClientsAgainstServers(t *testing.T) {
	check := func(user, token string) error {
		if user == "marc@machin.test" && token == "good" {
			return nil
		}
		return errors.New("bad token")
	}
	for _, mech := range []string{OAuthBearer, XOAuth2} {
		t.Run(mech, func(t *testing.T) {
			var who string
			srv := oauthtest.NewServerMechanism(mech, check, func(u string) { who = u })
			c := NewSASLClient(mech, SASLOptions{User: "marc@machin.test", Token: "good", Host: "imap.machin.test", Port: 993})
			if err := exchange(t, c, srv); err != nil || who != "marc@machin.test" || c.Challenged() {
				t.Fatalf("good token: %v, user %q", err, who)
			}
			c = NewSASLClient(mech, SASLOptions{User: "marc@machin.test", Token: "stale"})
			err := exchange(t, c, oauthtest.NewServerMechanism(mech, check, nil))
			var ref *oauthtest.Refusal
			if !errors.As(err, &ref) || !c.Challenged() {
				t.Fatalf("stale token: %v (challenged %v)", err, c.Challenged())
			}
			r := c.Rejected(err)
			if !errors.Is(r, ErrRejected) || r.Status != "invalid_token" || r.Mechanism != mech {
				t.Fatalf("Rejected = %+v", r)
			}
		})
	}
}
