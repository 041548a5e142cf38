package oauth

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"facteur/mua/account"
	"facteur/mua/oauth/oauthtest"
)

func oauthAccount(s *oauthtest.Server) account.Account {
	return account.Account{
		Name:     "machin",
		Identity: account.Identity{Address: "marc@machin.test"},
		Protocol: account.IMAP,
		Incoming: account.Server{Host: "127.0.0.1"},
		Auth:     account.AuthOAuth2,
		OAuth2:   s.OAuth2(),
	}
}

func TestTokensAuthorizeRefreshSave(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "s3cret")
	s.SetExpiresIn(60) // within RefreshMargin: the first use refreshes
	dir := t.TempDir()
	tk := &Tokens{Secrets: account.OpenCredentials(dir, account.BackendFile)}
	a := oauthAccount(s)
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	oauthtest.Authorize(t, tk, a, "s3cret")
	first, err := tk.Load(a.Name)
	if err != nil || first.RefreshToken == "" {
		t.Fatalf("stored token %+v, %v", first, err)
	}
	if got, _ := tk.Secrets.Get(account.ClientSecretKey(a.Name)); got != "s3cret" {
		t.Errorf("client secret stored as %q", got)
	}

	s.SetExpiresIn(3600)
	ctx := context.Background()
	at, err := tk.AccessToken(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if at == first.AccessToken || s.Refreshes() != 1 || s.Check("marc@machin.test", at) != nil {
		t.Fatalf("AccessToken %q (first %q), %d refreshes", at, first.AccessToken, s.Refreshes())
	}
	// The refreshed token was saved: a new Tokens on the same profile
	// uses it without asking the server again.
	tk2 := &Tokens{Secrets: account.OpenCredentials(dir, account.BackendFile)}
	saved, _ := tk2.Load(a.Name)
	if saved.AccessToken != at || saved.RefreshToken == first.RefreshToken || time.Until(saved.Expiry) < time.Hour-time.Minute {
		t.Fatalf("saved %+v", saved)
	}
	again, err := tk2.AccessToken(ctx, a)
	if err != nil || again != at || s.Refreshes() != 1 {
		t.Fatalf("second AccessToken %q, %v, %d refreshes", again, err, s.Refreshes())
	}
}

func TestTokensExpiredRefreshed(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "")
	tk := &Tokens{Secrets: account.OpenCredentials(t.TempDir(), account.BackendFile)}
	a := oauthAccount(s)
	oauthtest.Authorize(t, tk, a, "")
	tok, _ := tk.Load(a.Name)
	tok.Expiry = time.Now().Add(-time.Hour)
	if err := tk.Save(a.Name, tok); err != nil {
		t.Fatal(err)
	}
	at, err := tk.AccessToken(context.Background(), a)
	if err != nil || at == tok.AccessToken || s.Refreshes() != 1 {
		t.Fatalf("AccessToken %q, %v, %d refreshes", at, err, s.Refreshes())
	}
	if saved, _ := tk.Load(a.Name); saved.AccessToken != at || !saved.Expiry.After(time.Now()) {
		t.Fatalf("saved %+v", saved)
	}
}

func TestTokensRevoked(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "")
	tk := &Tokens{Secrets: account.OpenCredentials(t.TempDir(), account.BackendFile)}
	a := oauthAccount(s)
	oauthtest.Authorize(t, tk, a, "")
	s.RevokeAll()
	tok, _ := tk.Load(a.Name)
	tok.Expiry = time.Now().Add(-time.Minute)
	tk.Save(a.Name, tok)
	_, err := tk.AccessToken(context.Background(), a)
	var te *TokenError
	if !errors.Is(err, ErrReauthorize) || !errors.As(err, &te) || te.Code() != "invalid_grant" {
		t.Fatalf("AccessToken = %v, want ErrReauthorize", err)
	}
	tk.Save(a.Name, &oauth2.Token{AccessToken: "old", Expiry: time.Now().Add(-time.Minute)})
	if _, err := tk.AccessToken(context.Background(), a); !errors.Is(err, ErrReauthorize) {
		t.Fatalf("without refresh token: %v, want ErrReauthorize", err)
	}
}

func TestTokensNotAuthorized(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "")
	tk := &Tokens{Secrets: account.OpenCredentials(t.TempDir(), account.BackendFile)}
	if _, err := tk.AccessToken(context.Background(), oauthAccount(s)); !errors.Is(err, ErrNotAuthorized) {
		t.Fatalf("AccessToken = %v, want ErrNotAuthorized", err)
	}
}

func TestLoginSecret(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "")
	creds := account.OpenCredentials(t.TempDir(), account.BackendFile)
	tk := &Tokens{Secrets: creds}
	a := oauthAccount(s)
	oauthtest.Authorize(t, tk, a, "")
	ctx := context.Background()
	if sec, err := tk.LoginSecret(ctx, a); err != nil || s.Check("marc@machin.test", sec) != nil {
		t.Fatalf("OAuth2 LoginSecret %q, %v", sec, err)
	}
	pw := a
	pw.Name, pw.Auth, pw.OAuth2 = "pw", "", nil
	creds.Set(account.PasswordKey("pw", false), "hunter2")
	if sec, err := tk.LoginSecret(ctx, pw); err != nil || sec != "hunter2" {
		t.Fatalf("password LoginSecret %q, %v", sec, err)
	}
}
