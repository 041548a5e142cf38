package autoconfig

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"

	"facteur/mua/account"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"
)

func TestCheckOAuth2(t *testing.T) {
	auth := oauthtest.NewServer(t, "facteur-test", "")
	srv := oauthtest.NewIMAPServer(t, "marc@machin.test", auth.Check, "XOAUTH2", "OAUTHBEARER")
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	a := account.Account{
		Name: "machin", Identity: account.Identity{Address: "marc@machin.test"}, Protocol: account.IMAP,
		Incoming: account.Server{Host: host, Port: p, Security: account.SecurityNone},
		Auth:     account.AuthOAuth2,
		OAuth2: &account.OAuth2{Provider: account.ProviderCustom, ClientID: "facteur-test",
			AuthURL: auth.AuthURL(), TokenURL: auth.TokenURL(), Scopes: []string{"mail"}},
	}
	tokens := &oauth.Tokens{Secrets: account.OpenCredentials(t.TempDir(), account.BackendFile)}
	ctx := context.Background()

	if err := CheckOAuth2(ctx, nil, a, tokens); !errors.Is(err, oauth.ErrNotAuthorized) {
		t.Fatalf("before the authorization: %v, want ErrNotAuthorized", err)
	}
	var pages <-chan oauthtest.Result
	err := tokens.Authorize(ctx, a, "", func(u string) error { pages = (&oauthtest.Browser{}).OpenAsync(ctx, u); return nil })
	if pages != nil {
		<-pages
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckOAuth2(ctx, nil, a, tokens); err != nil {
		t.Fatalf("after the authorization: %v", err)
	}
	if got := srv.Mechanisms(); len(got) != 1 || got[0] != "OAUTHBEARER" {
		t.Errorf("mechanisms used %v, want [OAUTHBEARER]", got)
	}

	auth.RevokeAll()
	err = CheckOAuth2(ctx, nil, a, tokens)
	var ae *Error
	var re *oauth.RejectedError
	if !errors.As(err, &ae) || ae.Kind != KindAuth || ae.Protocol != IMAP || !errors.As(err, &re) {
		t.Fatalf("a revoked token: %v, want a KindAuth *Error with the *oauth.RejectedError", err)
	}
}
