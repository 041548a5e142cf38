package autoconfig

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxConfigSize bounds the autoconfig XML read (real ones are a few KiB).
const maxConfigSize = 1 << 20

// autoconfig fetches the clientConfig from the URLs in turn and returns
// the servers of the first document that parses.
func (d *Discoverer) autoconfig(ctx context.Context, domain, address string) ([]Server, error) {
	urls := StandardURLs
	if d.URLs != nil {
		urls = d.URLs
	}
	client := d.httpClient()
	var errs []error
	for _, u := range urls(domain, address) {
		found, err := fetchConfig(ctx, client, u, address)
		if err == nil {
			return found, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// fetchConfig gets and parses one clientConfig; only https:// URLs.
func fetchConfig(ctx context.Context, client *http.Client, u, address string) ([]Server, error) {
	if !strings.HasPrefix(strings.ToLower(u), "https://") {
		return nil, fmt.Errorf("%s: refused, not https", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/xml, text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxConfigSize))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	found, err := ParseConfig(data, address)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	for i := range found {
		found[i].Origin = u
	}
	return found, nil
}

func (d *Discoverer) httpClient() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = d.dial
	tr.TLSClientConfig = &tls.Config{RootCAs: d.RootCAs, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second, CheckRedirect: httpsOnly}
}

// httpsOnly refuses a redirect away from https, and long chains.
func httpsOnly(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %s refused: not https", req.URL.Redacted())
	}
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	return nil
}

func queryEscape(s string) string { return url.QueryEscape(s) }
