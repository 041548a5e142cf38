package account

import (
	"path/filepath"
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
