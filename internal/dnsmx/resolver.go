package dnsmx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Config configures a Resolver.
type Config struct {
	// Server is the DNS server to ask, "host:port" such as "127.0.0.1:5353"
	// (a missing port means 53). Empty: the system's servers, from
	// /etc/resolv.conf (Unix, macOS) or the network adapters (Windows),
	// else a resolver on localhost.
	Server string
	// Timeout bounds one attempt at one server, UDP or TCP; 0 means 5 s.
	Timeout time.Duration
}

// Resolver looks up mail records. It caches answers by TTL and makes
// concurrent identical questions share one query; it is safe for concurrent
// use.
type Resolver struct {
	server   string
	udp, tcp *dns.Client

	once    sync.Once
	servers []string

	mu     sync.Mutex
	cache  map[question]entry
	flight map[question]*call
	now    func() time.Time // the clock of the cache; tests replace it
}

// question is a cache key: a lower-case FQDN and a type.
type question struct {
	name  string
	qtype uint16
}

// entry is a cached answer, NOERROR or NXDOMAIN.
type entry struct {
	msg     *dns.Msg
	expires time.Time
}

// call is a query in flight, shared by every caller of the same question.
type call struct {
	done chan struct{}
	msg  *dns.Msg
	err  error
}

const (
	defaultTimeout = 5 * time.Second
	maxTTL         = 6 * time.Hour // longer TTLs are cut to this
	maxEntries     = 4096          // cache size that triggers a sweep
	ednsSize       = 1232          // EDNS0 UDP payload size (DNS flag day 2020)
)

// defaultServers are asked when the system names no server, as Go does.
var defaultServers = []string{"127.0.0.1:53", "[::1]:53"}

// errNoServer: there is no server to ask.
var errNoServer = errors.New("no DNS server configured")

// New returns a Resolver. It sends nothing until the first look-up.
func New(cfg Config) *Resolver {
	t := cfg.Timeout
	if t <= 0 {
		t = defaultTimeout
	}
	return &Resolver{
		server: cfg.Server,
		udp:    &dns.Client{Net: "udp", Timeout: t, UDPSize: ednsSize},
		tcp:    &dns.Client{Net: "tcp", Timeout: t},
		cache:  make(map[question]entry),
		flight: make(map[question]*call),
		now:    time.Now,
	}
}

// serverList returns the servers to ask, read once.
func (r *Resolver) serverList() []string {
	r.once.Do(func() {
		if r.server == "" {
			r.servers = systemServers()
			return
		}
		r.servers = []string{withPort(r.server)}
	})
	return r.servers
}

// withPort adds port 53 to a server address without one.
func withPort(s string) string {
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s
	}
	return net.JoinHostPort(strings.Trim(s, "[]"), "53")
}

// query returns the answer to a question, NOERROR or NXDOMAIN, from the
// cache or from the one query in flight for it. The caller's ctx only stops
// its own wait: the query itself, bounded by the timeouts, still fills the
// cache for the others.
func (r *Resolver) query(ctx context.Context, q question) (*dns.Msg, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemporary, err)
	}
	r.mu.Lock()
	if e, ok := r.cache[q]; ok && r.now().Before(e.expires) {
		r.mu.Unlock()
		return e.msg, nil
	}
	c, ok := r.flight[q]
	if !ok {
		c = &call{done: make(chan struct{})}
		r.flight[q] = c
		go r.run(q, c)
	}
	r.mu.Unlock()
	select {
	case <-c.done:
		return c.msg, c.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrTemporary, ctx.Err())
	}
}

// run sends a question, caches the answer and wakes the callers.
func (r *Resolver) run(q question, c *call) {
	defer func() {
		if p := recover(); p != nil {
			c.msg, c.err = nil, fmt.Errorf("%w: panic: %v", ErrTemporary, p)
		}
		r.mu.Lock()
		delete(r.flight, q)
		if c.err == nil {
			r.store(q, c.msg)
		}
		r.mu.Unlock()
		close(c.done)
	}()
	c.msg, c.err = r.exchange(q)
}

// store caches an answer for its TTL; r.mu is held.
func (r *Resolver) store(q question, m *dns.Msg) {
	ttl := cacheTTL(m)
	if ttl <= 0 {
		return
	}
	if len(r.cache) >= maxEntries {
		r.sweep()
	}
	r.cache[q] = entry{msg: m, expires: r.now().Add(ttl)}
}

// sweep drops the expired entries and, if that is not enough, half of the
// others; r.mu is held.
func (r *Resolver) sweep() {
	now, n := r.now(), 0
	for q, e := range r.cache {
		if !now.Before(e.expires) || len(r.cache) >= maxEntries && n%2 == 0 {
			delete(r.cache, q)
		}
		n++
	}
}

// cacheTTL returns how long an answer may be kept: the smallest TTL of its
// records, or for a negative answer the smaller of the SOA's TTL and
// MINIMUM (RFC 2308 §5); 0 when it must not be kept.
func cacheTTL(m *dns.Msg) time.Duration {
	ttl, found := uint32(math.MaxUint32), false
	for _, rr := range m.Answer {
		ttl, found = min(ttl, rr.Header().Ttl), true
	}
	if !found {
		for _, rr := range m.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				ttl, found = min(ttl, soa.Hdr.Ttl, soa.Minttl), true
			}
		}
	}
	if !found {
		return 0
	}
	return min(time.Duration(ttl)*time.Second, maxTTL)
}

// exchange asks each server in turn until one answers. A server that fails
// temporarily outranks one that cannot be reached in the error returned.
func (r *Resolver) exchange(q question) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(q.name, q.qtype) // recursion desired
	// AD and DO ask a validating resolver to say whether the answer is
	// authentic (RFC 6840 §5.7, RFC 3225); see DNSSEC.
	m.AuthenticatedData = true
	m.SetEdns0(ednsSize, true)
	err := fmt.Errorf("%w: %w", ErrOffline, errNoServer)
	for _, srv := range r.serverList() {
		in, e := r.exchangeOne(m, srv)
		if e == nil {
			return in, nil
		}
		if errors.Is(e, ErrTemporary) || !errors.Is(err, ErrTemporary) {
			err = e
		}
	}
	return nil, err
}

// exchangeOne asks one server over UDP, then over TCP if the answer was
// truncated (RFC 7766 §5), and checks the answer.
func (r *Resolver) exchangeOne(m *dns.Msg, srv string) (*dns.Msg, error) {
	in, _, err := r.udp.Exchange(m, srv)
	if in != nil && in.Truncated {
		in, _, err = r.tcp.Exchange(m, srv)
	}
	if err != nil {
		return nil, classify(err)
	}
	return in, checkAnswer(m, in)
}

// checkAnswer accepts an answer to the question asked whose RCODE is
// NOERROR or NXDOMAIN; SERVFAIL, REFUSED and the others are temporary.
func checkAnswer(m, in *dns.Msg) error {
	if len(in.Question) != 1 || !strings.EqualFold(in.Question[0].Name, m.Question[0].Name) || in.Question[0].Qtype != m.Question[0].Qtype {
		return fmt.Errorf("%w: answer to another question", ErrTemporary)
	}
	switch in.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		return nil
	}
	if ede, ok := extendedError(in); ok && dnssecFailure(ede.InfoCode) {
		return fmt.Errorf("%w: %w: server answered %s, %s", ErrTemporary, ErrBogus, dns.RcodeToString[in.Rcode], edeText(ede))
	} else if ok {
		return fmt.Errorf("%w: server answered %s, %s", ErrTemporary, dns.RcodeToString[in.Rcode], edeText(ede))
	}
	return fmt.Errorf("%w: server answered %s", ErrTemporary, dns.RcodeToString[in.Rcode])
}

// extendedError is the first extended DNS error of an answer (RFC 8914),
// which says why a resolver failed.
func extendedError(in *dns.Msg) (*dns.EDNS0_EDE, bool) {
	opt := in.IsEdns0()
	if opt == nil {
		return nil, false
	}
	for _, o := range opt.Option {
		if ede, ok := o.(*dns.EDNS0_EDE); ok {
			return ede, true
		}
	}
	return nil, false
}

// dnssecFailure reports whether an extended error code is a failed DNSSEC
// validation (RFC 8914 §4.7 to §4.13): a zone that claims to be signed
// and whose signatures do not hold.
func dnssecFailure(code uint16) bool {
	switch code {
	case dns.ExtendedErrorCodeDNSBogus, dns.ExtendedErrorCodeSignatureExpired,
		dns.ExtendedErrorCodeSignatureNotYetValid, dns.ExtendedErrorCodeDNSKEYMissing,
		dns.ExtendedErrorCodeRRSIGsMissing, dns.ExtendedErrorCodeNoZoneKeyBitSet,
		dns.ExtendedErrorCodeNSECMissing:
		return true
	}
	return false
}

// edeText is an extended error as a resolver's log writes it:
// `extended error 6 (DNSSEC Bogus): validation failure <...>`, the
// server's free text on one line, its control characters made spaces.
func edeText(ede *dns.EDNS0_EDE) string {
	name, ok := dns.ExtendedErrorCodeToString[ede.InfoCode]
	if !ok {
		name = "unassigned"
	}
	s := fmt.Sprintf("extended error %d (%s)", ede.InfoCode, name)
	text := strings.Join(strings.FieldsFunc(ede.ExtraText, func(r rune) bool {
		return r <= ' ' || r == 0x7f
	}), " ")
	if len(text) > 200 {
		text = strings.ToValidUTF8(text[:200], "")
	}
	if text != "" {
		s += ": " + text
	}
	return s
}
