package oauthtest

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

// Browser plays the user's browser: it opens the authorization URL and
// follows the redirect back to the loopback redirect URI.
type Browser struct {
	// Rewrite, when set, may change the redirect to the loopback URI
	// before it is followed (a forged state, a missing code).
	Rewrite func(*url.URL)
}

// Page is what the browser ended on.
type Page struct {
	Status int
	Body   string
}

// Open follows authURL to the end.
func (b *Browser) Open(ctx context.Context, authURL string) (Page, error) {
	c := &http.Client{CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if b.Rewrite != nil && loopbackRedirect(req.URL) {
			b.Rewrite(req.URL)
		}
		return nil
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return Page{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Body: string(body)}, err
}

// OpenAsync opens authURL on a goroutine (Flow.Open must return before
// the redirect is served) and delivers the page on the channel. The
// goroutine ends with ctx at the latest.
func (b *Browser) OpenAsync(ctx context.Context, authURL string) <-chan Result {
	ch := make(chan Result, 1)
	go func() {
		p, err := b.Open(ctx, authURL)
		ch <- Result{Page: p, Err: err}
	}()
	return ch
}

// Result is a page or the error that prevented it.
type Result struct {
	Page Page
	Err  error
}

func loopbackRedirect(u *url.URL) bool { return u.Path == "/" && loopback(u.Hostname()) }
