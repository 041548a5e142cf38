package oauth

import (
	"fmt"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/endpoints"

	"facteur/mua/account"
)

// Provider is an authorization server and what mail needs from it.
type Provider struct {
	Name     string // account.ProviderGoogle, ProviderMicrosoft or ProviderCustom
	AuthURL  string // the authorization endpoint (RFC 6749 §3.1)
	TokenURL string // the token endpoint (RFC 6749 §3.2)
	Scopes   []string
	// AuthParams are added to the authorization URL.
	AuthParams map[string]string
	// AuthStyle is how the client authenticates at the token endpoint;
	// the zero value tries both ways.
	AuthStyle oauth2.AuthStyle
}

// Google is Gmail's and Google Workspace's authorization server. The mail
// scope covers IMAP, POP3 and SMTP; access_type=offline and
// prompt=consent make it issue a refresh token every time.
var Google = Provider{
	Name:       account.ProviderGoogle,
	AuthURL:    endpoints.Google.AuthURL,  // https://accounts.google.com/o/oauth2/auth
	TokenURL:   endpoints.Google.TokenURL, // https://oauth2.googleapis.com/token
	Scopes:     []string{"https://mail.google.com/"},
	AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"},
	AuthStyle:  oauth2.AuthStyleInParams,
}

// Microsoft is the Microsoft identity platform (Outlook.com, Hotmail,
// Microsoft 365) for any tenant; offline_access gives the refresh token.
var Microsoft = Provider{
	Name:     account.ProviderMicrosoft,
	AuthURL:  "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
	TokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
	Scopes: []string{
		"https://outlook.office.com/IMAP.AccessAsUser.All",
		"https://outlook.office.com/POP.AccessAsUser.All",
		"https://outlook.office.com/SMTP.Send",
		"offline_access",
	},
	AuthStyle: oauth2.AuthStyleInParams,
}

// Preset returns the provider of that name (account.ProviderGoogle or
// account.ProviderMicrosoft), or an error matching ErrUnknownProvider.
func Preset(name string) (Provider, error) {
	switch strings.ToLower(name) {
	case account.ProviderGoogle:
		return Google, nil
	case account.ProviderMicrosoft:
		return Microsoft, nil
	}
	return Provider{}, fmt.Errorf("%w: %q (google or microsoft, or custom endpoints)", ErrUnknownProvider, name)
}

// Detect picks the preset of an address's domain (gmail.com,
// outlook.com, hotmail.fr...) or, for a domain of its own (Google
// Workspace, Microsoft 365), of its servers' host names (imap.gmail.com,
// outlook.office365.com): the servers that autoconfiguration lists with
// the "OAuth2" authentication.
func Detect(address string, hosts ...string) (Provider, bool) {
	_, domain, _ := strings.Cut(strings.ToLower(address), "@")
	switch {
	case domain == "gmail.com" || domain == "googlemail.com":
		return Google, true
	case microsoftDomain(domain):
		return Microsoft, true
	}
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		switch {
		case hasDomain(h, "gmail.com", "googlemail.com", "google.com"):
			return Google, true
		case hasDomain(h, "office365.com", "outlook.com", "office.com", "hotmail.com"):
			return Microsoft, true
		}
	}
	return Provider{}, false
}

// microsoftDomain recognises Microsoft's consumer domains: outlook.com,
// hotmail.fr, live.co.uk, msn.com...
func microsoftDomain(domain string) bool {
	first, rest, ok := strings.Cut(domain, ".")
	if !ok {
		return false
	}
	switch first {
	case "outlook", "hotmail", "live", "msn", "windowslive":
		return !strings.Contains(rest, ".") || strings.HasPrefix(rest, "co.") || strings.HasPrefix(rest, "com.")
	}
	return false
}

// hasDomain tells whether host is one of the domains or under one.
func hasDomain(host string, domains ...string) bool {
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// ProviderOf returns the provider of an OAuth2 account: its preset, with
// the account's own endpoints and scopes in place of the preset's where it
// sets them; for account.ProviderCustom, the account's alone.
func ProviderOf(a account.Account) (Provider, error) {
	o := a.OAuth2
	if o == nil {
		return Provider{}, &account.FieldError{Field: "oauth2", Reason: "the account has no OAuth2 settings"}
	}
	p := Provider{Name: account.ProviderCustom}
	if o.Provider != account.ProviderCustom {
		var err error
		if p, err = Preset(o.Provider); err != nil {
			return Provider{}, err
		}
	}
	if o.AuthURL != "" {
		p.AuthURL = o.AuthURL
	}
	if o.TokenURL != "" {
		p.TokenURL = o.TokenURL
	}
	if len(o.Scopes) > 0 {
		p.Scopes = o.Scopes
	}
	return p, nil
}

// Config returns the golang.org/x/oauth2 configuration of the provider for
// a client. RedirectURL is left for Flow to set.
func (p Provider) Config(clientID, clientSecret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL, AuthStyle: p.AuthStyle},
		Scopes:       append([]string(nil), p.Scopes...),
	}
}
