package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"facteur/mua/account"
)

// RefreshMargin: an access token that expires within that long is
// refreshed before use, so that a session that starts with it logs in.
const RefreshMargin = 2 * time.Minute

// Secrets keeps tokens and client secrets by key; *account.Credentials
// is one (the OS keyring, or a file of mode 0600 with a warning).
type Secrets interface {
	Get(key string) (string, error)
	Set(key, value string) error
}

// Tokens gives the access tokens of OAuth2 accounts: the stored one while
// it is valid, else a new one from the token endpoint, saved before it is
// returned. Safe for concurrent use.
type Tokens struct {
	Secrets Secrets
	// HTTPClient talks to the token endpoints; nil means a client with a
	// 30 s timeout.
	HTTPClient *http.Client

	mu sync.Mutex // one refresh at a time
}

// storedToken is the JSON kept under account.TokenKey.
type storedToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

// Authorize runs the flow for the account (its provider, client ID and
// scopes; login_hint is its address), then stores clientSecret, when not
// "", and the token. It is what `facteur account add --oauth2` and the
// account wizard call before they save the account; open receives the URL
// to show (see Flow.Open). It ends with ctx.
func (t *Tokens) Authorize(ctx context.Context, a account.Account, clientSecret string, open func(authURL string) error) error {
	p, err := ProviderOf(a)
	if err != nil {
		return err
	}
	f := &Flow{Config: p.Config(a.OAuth2.ClientID, clientSecret), AuthParams: authParams(p, a), Open: open, HTTPClient: t.HTTPClient}
	tok, err := f.Run(ctx)
	if err != nil {
		return err
	}
	if tok.RefreshToken == "" {
		return &TokenError{Op: "exchange", Err: errors.New("the provider issued no refresh token (is offline access in the scopes?)")}
	}
	if clientSecret != "" {
		if err := t.Secrets.Set(account.ClientSecretKey(a.Name), clientSecret); err != nil {
			return err
		}
	}
	return t.Save(a.Name, tok)
}

func authParams(p Provider, a account.Account) map[string]string {
	m := map[string]string{}
	for k, v := range p.AuthParams {
		m[k] = v
	}
	if addr := a.Identity.Address; addr != "" {
		m["login_hint"] = addr
	}
	return m
}

// AccessToken returns an access token of the account that is valid for
// RefreshMargin at least, refreshing (RFC 6749 §6) and saving the new
// token when needed. No stored token is ErrNotAuthorized; a refresh
// token that the provider refuses is a *TokenError matching
// ErrReauthorize.
func (t *Tokens) AccessToken(ctx context.Context, a account.Account) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tok, err := t.Load(a.Name)
	if err != nil {
		return "", err
	}
	if tok.AccessToken != "" && (tok.Expiry.IsZero() || time.Until(tok.Expiry) > RefreshMargin) {
		return tok.AccessToken, nil
	}
	fresh, err := t.refresh(ctx, a, tok.RefreshToken)
	if err != nil {
		return "", err
	}
	if err := t.Save(a.Name, fresh); err != nil {
		return "", err
	}
	return fresh.AccessToken, nil
}

// refresh asks the token endpoint for a new access token. The provider
// may send a new refresh token too (Microsoft does); golang.org/x/oauth2
// keeps the old one when it does not.
func (t *Tokens) refresh(ctx context.Context, a account.Account, refreshToken string) (*oauth2.Token, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("%w: the access token expired and there is no refresh token", ErrReauthorize)
	}
	p, err := ProviderOf(a)
	if err != nil {
		return nil, err
	}
	secret, err := t.Secrets.Get(account.ClientSecretKey(a.Name))
	if err != nil && !errors.Is(err, account.ErrNotFound) {
		return nil, err
	}
	cfg := p.Config(a.OAuth2.ClientID, secret)
	tok, err := cfg.TokenSource(withClient(ctx, t.HTTPClient), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, &TokenError{Op: "refresh", Err: err}
	}
	return tok, nil
}

// Load returns the stored token of an account; ErrNotAuthorized when
// there is none.
func (t *Tokens) Load(name string) (*oauth2.Token, error) {
	raw, err := t.Secrets.Get(account.TokenKey(name))
	if errors.Is(err, account.ErrNotFound) {
		return nil, fmt.Errorf("%w: account %q", ErrNotAuthorized, name)
	}
	if err != nil {
		return nil, err
	}
	var st storedToken
	if err := json.NewDecoder(strings.NewReader(raw)).Decode(&st); err != nil {
		return nil, fmt.Errorf("%w: account %q: unreadable stored token: %v", ErrNotAuthorized, name, err)
	}
	return &oauth2.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Expiry: st.Expiry}, nil
}

// Save stores the token of an account.
func (t *Tokens) Save(name string, tok *oauth2.Token) error {
	st := storedToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return t.Secrets.Set(account.TokenKey(name), string(raw))
}

// LoginSecret returns what logs in to the account's incoming server: a
// valid access token for an OAuth2 account, the stored password
// otherwise. imapsync.New and pop3.Collect take it as their password.
func (t *Tokens) LoginSecret(ctx context.Context, a account.Account) (string, error) {
	if a.UsesOAuth2() {
		return t.AccessToken(ctx, a)
	}
	return t.Secrets.Get(account.PasswordKey(a.Name, false))
}
