package account

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestValidateAuth(t *testing.T) {
	custom := func() *OAuth2 {
		return &OAuth2{Provider: ProviderCustom, ClientID: "id", AuthURL: "https://id.test/auth",
			TokenURL: "http://127.0.0.1:8080/token", Scopes: []string{"mail"}}
	}
	tests := []validateCase{
		{"password", func(a *Account) { a.Auth = AuthPassword }, ""},
		{"google", func(a *Account) { a.Auth, a.OAuth2 = AuthOAuth2, &OAuth2{Provider: ProviderGoogle, ClientID: "id"} }, ""},
		{"custom", func(a *Account) { a.Auth, a.OAuth2 = AuthOAuth2, custom() }, ""},
		{"method", func(a *Account) { a.Auth = "kerberos" }, "auth"},
		{"no settings", func(a *Account) { a.Auth = AuthOAuth2 }, "oauth2.clientId"},
		{"no client", func(a *Account) { a.Auth, a.OAuth2 = AuthOAuth2, &OAuth2{Provider: ProviderGoogle} }, "oauth2.clientId"},
		{"provider", func(a *Account) { a.Auth, a.OAuth2 = AuthOAuth2, &OAuth2{Provider: "yahoo", ClientID: "id"} }, "oauth2.provider"},
		{"custom without scopes", func(a *Account) {
			a.Auth, a.OAuth2 = AuthOAuth2, custom()
			a.OAuth2.Scopes = nil
		}, "oauth2"},
		{"plain http", func(a *Account) {
			a.Auth, a.OAuth2 = AuthOAuth2, custom()
			a.OAuth2.TokenURL = "http://id.test/token"
		}, "oauth2.tokenUrl"},
		{"relative", func(a *Account) {
			a.Auth, a.OAuth2 = AuthOAuth2, custom()
			a.OAuth2.AuthURL = "/auth"
		}, "oauth2.authUrl"},
	}
	checkValidate(t, tests)
}

func TestAuthSavedInBook(t *testing.T) {
	b := OpenBook(filepath.Join(t.TempDir(), "config.json"))
	a := sample("g")
	a.Auth, a.OAuth2 = AuthOAuth2, &OAuth2{Provider: ProviderGoogle, ClientID: "123.apps.googleusercontent.com"}
	if err := b.Add(a); err != nil {
		t.Fatal(err)
	}
	got, err := b.Get("g")
	if err != nil || !got.UsesOAuth2() || got.OAuth2 == nil || got.OAuth2.ClientID != a.OAuth2.ClientID {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if sample("p").UsesOAuth2() {
		t.Error("a password account UsesOAuth2")
	}
}

// TestForgetSecrets: removing an account forgets every secret it had;
// a set-up that failed forgets its OAuth2 secrets and keeps the rest.
func TestForgetSecrets(t *testing.T) {
	tests := []struct {
		name   string
		forget func(*Credentials) error
		left   []string
	}{
		{"account removed", func(c *Credentials) error { return c.ForgetSecrets("g") }, nil},
		{"OAuth2 set-up failed", func(c *Credentials) error { return c.ForgetOAuth2("g") },
			[]string{PasswordKey("g", false), PasswordKey("g", true)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := OpenCredentials(t.TempDir(), BackendFile)
			for _, key := range append(SecretKeys("g"), PasswordKey("other", false)) {
				if err := c.Set(key, "s-"+key); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.forget(c); err != nil {
				t.Fatal(err)
			}
			if err := tt.forget(c); err != nil { // nothing left to forget: no error
				t.Fatalf("again: %v", err)
			}
			for _, key := range append(SecretKeys("g"), PasswordKey("other", false)) {
				_, err := c.Get(key)
				want := key == PasswordKey("other", false) || slices.Contains(tt.left, key)
				if got := err == nil; got != want {
					t.Errorf("%s kept: %v (%v), want %v", key, got, err, want)
				}
			}
		})
	}
}
