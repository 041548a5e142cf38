package oauth

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"facteur/mua/account"
	"facteur/mua/oauth/oauthtest"
)

func customProvider(s *oauthtest.Server) Provider {
	return Provider{Name: account.ProviderCustom, AuthURL: s.AuthURL(), TokenURL: s.TokenURL(), Scopes: []string{"mail", "offline"}}
}

// flowResult is what runFlow saw.
type flowResult struct {
	Token *oauth2.Token
	Page  oauthtest.Page
}

// runFlow runs a Flow whose Open hands the URL to the browser, after
// edit (nil: none) may change it; it returns the token and the page.
func runFlow(t *testing.T, s *oauthtest.Server, b *oauthtest.Browser, edit func(string) string) (*flowResult, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pages <-chan oauthtest.Result
	f := &Flow{
		Config:     customProvider(s).Config("facteur-test", "s3cret"),
		AuthParams: map[string]string{"login_hint": "marc@machin.test"},
		Open: func(u string) error {
			if edit != nil {
				u = edit(u)
			}
			pages = b.OpenAsync(ctx, u)
			return nil
		},
	}
	tok, err := f.Run(ctx)
	res := &flowResult{Token: tok}
	if pages != nil {
		r := <-pages
		if r.Err != nil {
			t.Fatalf("browser: %v", r.Err)
		}
		res.Page = r.Page
	}
	return res, err
}

func TestFlowEndToEnd(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "s3cret")
	res, err := runFlow(t, s, &oauthtest.Browser{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := s.LastAuthorize()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	if redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "" || redirect.Path != "/" {
		t.Errorf("redirect_uri %q, want http://127.0.0.1:PORT/", q.Get("redirect_uri"))
	}
	for k, want := range map[string]string{"code_challenge_method": "S256", "scope": "mail offline", "login_hint": "marc@machin.test", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 20 || len(q.Get("code_challenge")) != 43 {
		t.Errorf("state %q, code_challenge %q", q.Get("state"), q.Get("code_challenge"))
	}
	if res.Page.Status != 200 || !strings.Contains(res.Page.Body, "You can close this window") {
		t.Errorf("page %d %q", res.Page.Status, res.Page.Body)
	}
	if !res.Token.Valid() {
		t.Fatal("no valid token")
	}
	if c, err := net.Dial("tcp", redirect.Host); err == nil {
		c.Close()
		t.Error("the loopback listener is still open after Run")
	}
}

func TestFlowIssuedTokenWorks(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "s3cret")
	ctx := context.Background()
	b := &oauthtest.Browser{}
	var pages <-chan oauthtest.Result
	f := &Flow{Config: customProvider(s).Config("facteur-test", "s3cret"),
		Open: func(u string) error { pages = b.OpenAsync(ctx, u); return nil }}
	tok, err := f.Run(ctx)
	<-pages
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || s.Check(oauthtest.DefaultUser, tok.AccessToken) != nil {
		t.Fatalf("token %+v not accepted by the server", tok)
	}
}

func TestFlowForgedState(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "s3cret")
	b := &oauthtest.Browser{Rewrite: func(u *url.URL) {
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
	}}
	res, err := runFlow(t, s, b, nil)
	if !errors.Is(err, ErrState) {
		t.Fatalf("Run = %v, want ErrState", err)
	}
	if res.Page.Status != 400 || !strings.Contains(res.Page.Body, "does not belong") {
		t.Errorf("page %d %q", res.Page.Status, res.Page.Body)
	}
}

func TestFlowDenied(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "s3cret")
	s.Deny("access_denied")
	res, err := runFlow(t, s, &oauthtest.Browser{}, nil)
	var ae *AuthorizationError
	if !errors.As(err, &ae) || ae.Code != "access_denied" {
		t.Fatalf("Run = %v, want access_denied", err)
	}
	if res.Page.Status != 400 || !strings.Contains(res.Page.Body, "Access was not granted") {
		t.Errorf("page %d %q", res.Page.Status, res.Page.Body)
	}
}

// TestFlowPKCEChecked: the server saw another challenge than the one of
// the verifier that Run sends: the exchange fails.
func TestFlowPKCEChecked(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "s3cret")
	other := strings.Repeat("A", 43)
	_, err := runFlow(t, s, &oauthtest.Browser{}, func(u string) string {
		p, _ := url.Parse(u)
		q := p.Query()
		q.Set("code_challenge", other)
		p.RawQuery = q.Encode()
		return p.String()
	})
	var te *TokenError
	if !errors.As(err, &te) || te.Op != "exchange" || te.Code() != "invalid_grant" {
		t.Fatalf("Run = %v, want an invalid_grant exchange", err)
	}
}

func TestFlowWrongClientSecret(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "other")
	_, err := runFlow(t, s, &oauthtest.Browser{}, nil)
	var te *TokenError
	if !errors.As(err, &te) || te.Code() != "invalid_client" {
		t.Fatalf("Run = %v, want invalid_client", err)
	}
}

func TestFlowEndsWithContext(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "")
	ctx, cancel := context.WithCancel(context.Background())
	var redirect string
	f := &Flow{Config: customProvider(s).Config("facteur-test", ""), Open: func(u string) error {
		p, _ := url.Parse(u)
		redirect = p.Query().Get("redirect_uri")
		cancel() // the user closes the browser
		return nil
	}}
	if _, err := f.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	u, _ := url.Parse(redirect)
	if c, err := net.Dial("tcp", u.Host); err == nil {
		c.Close()
		t.Error("the loopback listener is still open")
	}
}

func TestFlowOpenError(t *testing.T) {
	s := oauthtest.NewServer(t, "facteur-test", "")
	boom := errors.New("no browser")
	f := &Flow{Config: customProvider(s).Config("facteur-test", ""), Open: func(string) error { return boom }}
	if _, err := f.Run(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("Run = %v", err)
	}
}
