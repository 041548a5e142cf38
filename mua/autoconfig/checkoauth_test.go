package autoconfig

import (
	"context"
	"errors"
	"testing"

	"facteur/mua/account"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"
)

func TestCheckOAuth2(t *testing.T) {
	auth := oauthtest.NewServer(t, "facteur-test", "")
	srv := oauthtest.NewIMAPServer(t, "marc@machin.test", auth.Check, "XOAUTH2", "OAUTHBEARER")
	a := srv.Account("machin", auth)
	tokens := &oauth.Tokens{Secrets: account.OpenCredentials(t.TempDir(), account.BackendFile)}
	ctx := context.Background()

	if err := CheckOAuth2(ctx, nil, a, tokens); !errors.Is(err, oauth.ErrNotAuthorized) {
		t.Fatalf("before the authorization: %v, want ErrNotAuthorized", err)
	}
	oauthtest.Authorize(t, tokens, a, "")
	if err := CheckOAuth2(ctx, nil, a, tokens); err != nil {
		t.Fatalf("after the authorization: %v", err)
	}
	if got := srv.Mechanisms(); len(got) != 1 || got[0] != "OAUTHBEARER" {
		t.Errorf("mechanisms used %v, want [OAUTHBEARER]", got)
	}

	auth.RevokeAll()
	err := CheckOAuth2(ctx, nil, a, tokens)
	var ae *Error
	var re *oauth.RejectedError
	if !errors.As(err, &ae) || ae.Kind != KindAuth || ae.Protocol != IMAP || !errors.As(err, &re) {
		t.Fatalf("a revoked token: %v, want a KindAuth *Error with the *oauth.RejectedError", err)
	}
}
