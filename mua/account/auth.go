package account

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// AuthMethod is how the user logs in to an account's servers.
type AuthMethod string

// The authentication methods.
const (
	// AuthPassword logs in with a password (IMAP LOGIN, POP3 USER/PASS
	// or SASL PLAIN, SMTP AUTH PLAIN or LOGIN). The default.
	AuthPassword AuthMethod = "password"
	// AuthOAuth2 logs in with an OAuth2 access token (RFC 6749) through
	// SASL OAUTHBEARER (RFC 7628) or XOAUTH2; see package facteur/mua/oauth.
	AuthOAuth2 AuthMethod = "oauth2"
)

// The OAuth2 provider presets (package facteur/mua/oauth holds their
// endpoints and scopes).
const (
	ProviderGoogle    = "google"
	ProviderMicrosoft = "microsoft"
	ProviderCustom    = "custom" // the account's own endpoints and scopes
)

// OAuth2 is the authorization server of an account. The tokens are not
// here: they are kept like passwords (TokenKey, ClientSecretKey).
type OAuth2 struct {
	// Provider is ProviderGoogle, ProviderMicrosoft or ProviderCustom.
	Provider string `json:"provider"`
	// ClientID is the client the user registered with the provider.
	ClientID string `json:"clientId"`
	// AuthURL and TokenURL override the preset's endpoints; required
	// for ProviderCustom. https, or http on a loopback address.
	AuthURL  string `json:"authUrl,omitempty"`
	TokenURL string `json:"tokenUrl,omitempty"`
	// Scopes override the preset's; required for ProviderCustom.
	Scopes []string `json:"scopes,omitempty"`
}

// UsesOAuth2 tells whether the account logs in with OAuth2.
func (a Account) UsesOAuth2() bool { return a.Auth == AuthOAuth2 }

// TokenKey is the Credentials key of an account's OAuth2 token (JSON
// with the refresh token).
func TokenKey(account string) string { return account + "#oauth2" }

// ClientSecretKey is the Credentials key of an account's OAuth2 client
// secret, when the provider gave one.
func ClientSecretKey(account string) string { return account + "#oauth2-secret" }

// SecretKeys are the Credentials keys of every secret an account may have:
// the passwords of its incoming and outgoing servers, its OAuth2 token and
// client secret. Removing an account removes them all.
func SecretKeys(account string) []string {
	return []string{PasswordKey(account, false), PasswordKey(account, true), TokenKey(account), ClientSecretKey(account)}
}

// ForgetSecrets deletes every secret of an account (SecretKeys); those it
// never had are no error.
func (c *Credentials) ForgetSecrets(account string) error {
	return c.forget(SecretKeys(account))
}

// ForgetOAuth2 deletes the OAuth2 token and client secret of an account
// authorized but not saved (its set-up failed or was cancelled, in the
// wizard or `facteur account add --oauth2`); its passwords stay.
func (c *Credentials) ForgetOAuth2(account string) error {
	return c.forget([]string{TokenKey(account), ClientSecretKey(account)})
}

func (c *Credentials) forget(keys []string) error {
	var errs []error
	for _, key := range keys {
		if err := c.Delete(key); err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkAuth validates Auth and OAuth2.
func (a Account) checkAuth() error {
	switch a.Auth {
	case "", AuthPassword:
		return nil
	case AuthOAuth2:
	default:
		return &FieldError{Field: "auth", Reason: fmt.Sprintf("%q is not password or oauth2", a.Auth)}
	}
	o := a.OAuth2
	switch {
	case o == nil || strings.TrimSpace(o.ClientID) == "":
		return &FieldError{Field: "oauth2.clientId", Reason: "missing"}
	case o.Provider != ProviderGoogle && o.Provider != ProviderMicrosoft && o.Provider != ProviderCustom:
		return &FieldError{Field: "oauth2.provider", Reason: fmt.Sprintf("%q is not google, microsoft or custom", o.Provider)}
	case o.Provider == ProviderCustom && (o.AuthURL == "" || o.TokenURL == "" || len(o.Scopes) == 0):
		return &FieldError{Field: "oauth2", Reason: "a custom provider needs its authorization URL, token URL and scopes"}
	}
	if err := checkEndpoint("oauth2.authUrl", o.AuthURL); err != nil {
		return err
	}
	return checkEndpoint("oauth2.tokenUrl", o.TokenURL)
}

// checkEndpoint accepts "" (the preset's), an https URL, or http on a
// loopback address (RFC 6749 §3.1 and §3.2 require TLS).
func checkEndpoint(field, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return &FieldError{Field: field, Reason: "not an absolute URL"}
	}
	ip := net.ParseIP(u.Hostname())
	if u.Scheme == "https" || u.Scheme == "http" && (u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil
	}
	return &FieldError{Field: field, Reason: "must be https (http only on a loopback address)"}
}
