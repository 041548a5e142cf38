package oauthtest

import (
	"context"
	"net"
	"strconv"
	"testing"

	"facteur/mua/account"
)

// OAuth2 is the OAuth2 configuration of an account whose tokens come from
// s: a custom provider with s's endpoints, its client, the scope "mail".
func (s *Server) OAuth2() *account.OAuth2 {
	return &account.OAuth2{Provider: account.ProviderCustom, ClientID: s.ClientID,
		AuthURL: s.AuthURL(), TokenURL: s.TokenURL(), Scopes: []string{"mail"}}
}

// Incoming is the IMAP server as an account's incoming server, in
// plaintext.
func (s *IMAPServer) Incoming() account.Server {
	host, port, _ := net.SplitHostPort(s.Addr)
	p, _ := strconv.Atoi(port)
	return account.Server{Host: host, Port: p, Security: account.SecurityNone}
}

// Account is the IMAP account name of the server's user (its address),
// which logs in with the tokens of auth.
func (s *IMAPServer) Account(name string, auth *Server) account.Account {
	return account.Account{
		Name: name, Identity: account.Identity{Address: s.name}, Protocol: account.IMAP,
		Incoming: s.Incoming(), Auth: account.AuthOAuth2, OAuth2: auth.OAuth2(),
	}
}

// Authorizer is what oauth.Tokens does (this package does not import
// mua/oauth, whose own tests use it).
type Authorizer interface {
	Authorize(ctx context.Context, a account.Account, clientSecret string, open func(authURL string) error) error
}

// Authorize runs tk.Authorize for a with a Browser that follows the
// authorization URL, and waits for the page it ends on; an error fails the
// test.
func Authorize(t testing.TB, tk Authorizer, a account.Account, clientSecret string) {
	t.Helper()
	ctx := context.Background()
	var pages <-chan Result
	err := tk.Authorize(ctx, a, clientSecret, func(u string) error {
		pages = (&Browser{}).OpenAsync(ctx, u)
		return nil
	})
	if pages != nil {
		<-pages
	}
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
}
