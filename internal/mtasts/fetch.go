package mtasts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"facteur/internal/dnsmx"
)

// Options configure a Client. Zero values mean the documented defaults.
type Options struct {
	// RootCAs verify the policy server's certificate; nil means the
	// system's roots (on Unix, SSL_CERT_FILE and SSL_CERT_DIR choose them).
	RootCAs *x509.CertPool
	// DialContext connects to "mta-sts.DOMAIN:443"; nil resolves the name
	// with the Client's resolver (the same DNS server as the rest) and
	// dials its addresses in turn. Tests point it at a loopback server.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds one fetch, connection included; 0 means 20 s.
	Timeout time.Duration
	// MaxBytes bounds a policy body; 0 means 64 KiB (RFC 8461 §3.3).
	MaxBytes int64
	// Now is the cache's clock; nil means time.Now.
	Now func() time.Time
}

const (
	defaultTimeout  = 20 * time.Second
	defaultMaxBytes = 64 << 10
)

// The ways a fetch fails, wrapped by *FetchError for errors.Is.
var (
	ErrRedirect    = errors.New("redirect not followed (RFC 8461 §3.3)")
	ErrStatus      = errors.New("HTTP status is not 200")
	ErrContentType = errors.New("media type is not text/plain")
	ErrTooLarge    = errors.New("policy larger than the limit")
)

// FetchError is a failed policy fetch: the URL, the HTTP status when one
// came, and the cause (a connection or certificate error, one of the
// errors above, or ErrSyntax).
type FetchError struct {
	URL    string
	Status int
	Err    error
}

// Error returns "mtasts: fetching URL: cause".
func (e *FetchError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("mtasts: fetching %s: HTTP %d: %v", e.URL, e.Status, e.Err)
	}
	return fmt.Sprintf("mtasts: fetching %s: %v", e.URL, e.Err)
}

// Unwrap returns the cause.
func (e *FetchError) Unwrap() error { return e.Err }

// PolicyURL is where a domain's policy is (RFC 8461 §3.3).
func PolicyURL(domain string) string {
	return "https://mta-sts." + strings.TrimSuffix(strings.ToLower(domain), ".") + "/.well-known/mta-sts.txt"
}

// newHTTPClient builds the client of the fetches: no proxy, no redirect,
// no cookie, the certificate verified (RFC 8461 §3.3).
func newHTTPClient(res *dnsmx.Resolver, opt Options) *http.Client {
	dial := opt.DialContext
	if dial == nil {
		dial = resolverDialer(res)
	}
	tr := &http.Transport{
		DialContext:       dial,
		TLSClientConfig:   &tls.Config{RootCAs: opt.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
		DisableKeepAlives: true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       opt.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// resolverDialer dials a host's addresses, looked up with res, in turn.
func resolverDialer(res *dnsmx.Resolver) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ips, err := res.Addrs(ctx, host)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		for _, ip := range ips {
			var c net.Conn
			if c, err = d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port)); err == nil {
				return c, nil
			}
		}
		return nil, err
	}
}

// Fetch gets and parses a domain's policy over HTTPS, without the cache.
// Its error is a *FetchError.
func (c *Client) Fetch(ctx context.Context, domain string) (Policy, error) {
	url := PolicyURL(domain)
	fail := func(status int, err error) (Policy, error) {
		return Policy{}, &FetchError{URL: url, Status: status, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fail(0, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fail(0, unwrapURL(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fail(resp.StatusCode, fmt.Errorf("%w: Location %q", ErrRedirect, resp.Header.Get("Location")))
	case resp.StatusCode != http.StatusOK:
		return fail(resp.StatusCode, ErrStatus)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/plain" {
		return fail(resp.StatusCode, fmt.Errorf("%w: %q", ErrContentType, resp.Header.Get("Content-Type")))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBytes+1))
	if err != nil {
		return fail(resp.StatusCode, err)
	}
	if int64(len(body)) > c.opt.MaxBytes {
		return fail(resp.StatusCode, fmt.Errorf("%w (%d bytes)", ErrTooLarge, c.opt.MaxBytes))
	}
	p, err := ParsePolicy(body)
	if err != nil {
		return fail(resp.StatusCode, err)
	}
	return p, nil
}

// unwrapURL drops the *url.Error around a transport error, which repeats
// the URL that FetchError already names.
func unwrapURL(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
