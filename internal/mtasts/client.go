package mtasts

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"facteur/internal/dnsmx"
)

// Client finds domains' policies and caches them. It is safe for
// concurrent use.
type Client struct {
	res  *dnsmx.Resolver
	opt  Options
	http *http.Client

	mu    sync.Mutex
	cache map[string]cached // by domain
}

// cached is a policy kept for its max_age under its record's id.
type cached struct {
	id      string
	policy  Policy
	expires time.Time
}

// New returns a Client that asks res for the TXT records.
func New(res *dnsmx.Resolver, opt Options) *Client {
	if opt.Timeout <= 0 {
		opt.Timeout = defaultTimeout
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = defaultMaxBytes
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Client{res: res, opt: opt, http: newHTTPClient(res, opt), cache: map[string]cached{}}
}

// Result is what is known of a domain's MTA-STS.
type Result struct {
	Domain string
	// Record is the "_mta-sts" TXT record, nil when the look-up failed:
	// RecordErr says why (dnsmx.ErrNotFound: the domain publishes none).
	Record    *dnsmx.STSRecord
	RecordErr error
	// Policy is the policy in force, fetched or cached; nil when there is
	// none (no record and nothing cached, or a fetch that failed with
	// nothing cached: deliver as without MTA-STS, RFC 8461 §5.1).
	Policy    *Policy
	PolicyID  string    // the record id the policy was fetched under
	FromCache bool      // Policy came from the cache, not fetched now
	Expires   time.Time // when the cached policy expires
	// FetchErr is a failed fetch (a *FetchError); a cached policy may
	// still be in force.
	FetchErr error
}

// Mode is the mode of the policy in force, ModeNone when there is none.
func (r Result) Mode() Mode {
	if r.Policy == nil {
		return ModeNone
	}
	return r.Policy.Mode
}

// Lookup finds the policy in force for domain (RFC 8461 §5.1): the cached
// one when the record's id has not changed and it has not expired;
// otherwise it fetches the policy and caches it for its max_age. When the
// record cannot be read or the fetch fails, an unexpired cached policy
// stays in force (§3.3, §10.3).
func (c *Client) Lookup(ctx context.Context, domain string) Result {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	r := Result{Domain: domain}
	rec, err := c.res.MTASTS(ctx, domain)
	if err != nil {
		r.RecordErr = err
	} else {
		r.Record = &rec
	}
	old, ok := c.get(domain)
	if ok && (r.Record == nil || r.Record.ID == old.id) {
		return r.withCached(old)
	}
	if r.Record == nil {
		return r
	}
	p, err := c.Fetch(ctx, domain)
	if err != nil {
		r.FetchErr = err
		if ok {
			return r.withCached(old)
		}
		return r
	}
	e := cached{id: r.Record.ID, policy: p, expires: c.opt.Now().Add(p.MaxAge)}
	c.put(domain, e)
	r.Policy, r.PolicyID, r.Expires = &p, e.id, e.expires
	return r
}

func (r Result) withCached(e cached) Result {
	p := e.policy
	r.Policy, r.PolicyID, r.Expires, r.FromCache = &p, e.id, e.expires, true
	return r
}

// get returns the unexpired cached policy of domain.
func (c *Client) get(domain string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.cache[domain]
	if ok && !c.opt.Now().Before(e.expires) {
		delete(c.cache, domain)
		return cached{}, false
	}
	return e, ok
}

func (c *Client) put(domain string, e cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.policy.MaxAge <= 0 {
		delete(c.cache, domain)
		return
	}
	c.cache[domain] = e
}
