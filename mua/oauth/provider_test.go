package oauth

import (
	"errors"
	"slices"
	"testing"

	"facteur/mua/account"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		address string
		hosts   []string
		want    string
	}{
		{"fred@gmail.com", nil, account.ProviderGoogle},
		{"fred@googlemail.com", nil, account.ProviderGoogle},
		{"fred@truc.fr", []string{"imap.gmail.com", "smtp.gmail.com"}, account.ProviderGoogle},
		{"marc@outlook.com", nil, account.ProviderMicrosoft},
		{"marc@hotmail.fr", nil, account.ProviderMicrosoft},
		{"marc@live.co.uk", nil, account.ProviderMicrosoft},
		{"marc@machin.com", []string{"outlook.office365.com."}, account.ProviderMicrosoft},
		{"marc@machin.com", []string{"smtp-mail.outlook.com"}, account.ProviderMicrosoft},
		{"marc@live.machin.com", nil, ""},
		{"marc@machin.com", []string{"imap.machin.com", "notgmail.com"}, ""},
	}
	for _, tt := range tests {
		p, ok := Detect(tt.address, tt.hosts...)
		if p.Name != tt.want || ok != (tt.want != "") {
			t.Errorf("Detect(%s, %q) = %q, %v; want %q", tt.address, tt.hosts, p.Name, ok, tt.want)
		}
	}
}

func TestProviderOf(t *testing.T) {
	a := account.Account{OAuth2: &account.OAuth2{Provider: account.ProviderMicrosoft, ClientID: "id"}}
	p, err := ProviderOf(a)
	if err != nil || p.TokenURL != Microsoft.TokenURL || !slices.Contains(p.Scopes, "offline_access") {
		t.Fatalf("preset: %+v, %v", p, err)
	}
	a.OAuth2.Provider = account.ProviderGoogle
	a.OAuth2.Scopes = []string{"https://mail.google.com/", "email"}
	p, _ = ProviderOf(a)
	cfg := p.Config("id", "sec")
	if cfg.Endpoint.AuthURL != Google.AuthURL || len(cfg.Scopes) != 2 || cfg.ClientSecret != "sec" || p.AuthParams["access_type"] != "offline" {
		t.Fatalf("overridden scopes: %+v", cfg)
	}
	a.OAuth2 = &account.OAuth2{Provider: account.ProviderCustom, ClientID: "id", AuthURL: "https://a.test/auth", TokenURL: "https://a.test/token", Scopes: []string{"x"}}
	if p, _ = ProviderOf(a); p.AuthURL != "https://a.test/auth" || p.Name != account.ProviderCustom || p.AuthParams != nil {
		t.Fatalf("custom: %+v", p)
	}
	a.OAuth2.Provider = "yahoo"
	if _, err := ProviderOf(a); !errors.Is(err, ErrUnknownProvider) {
		t.Fatalf("unknown: %v", err)
	}
}
