package clientlimit

import (
	"errors"
	"net/netip"
	"sync"
)

// Errors of Conns.Acquire, for errors.Is.
var (
	ErrTooManyConns       = errors.New("clientlimit: too many connections")
	ErrTooManyClientConns = errors.New("clientlimit: too many connections from this client")
)

// Conns counts the open connections of a server, in all and per client,
// as Postfix's smtpd_client_connection_count_limit does with anvil. It
// is safe for concurrent use.
type Conns struct {
	maxTotal, maxPerClient int
	exempt                 func(netip.Addr) bool

	mu     sync.Mutex
	total  int
	client map[netip.Prefix]int
}

// NewConns returns a counter that allows maxTotal connections and
// maxPerClient per client (0 or less: no limit). The clients for which
// exempt is true (nil: none) have no limit of their own, as Postfix's
// smtpd_client_event_limit_exceptions, but count in the total.
func NewConns(maxTotal, maxPerClient int, exempt func(netip.Addr) bool) *Conns {
	if exempt == nil {
		exempt = func(netip.Addr) bool { return false }
	}
	return &Conns{maxTotal: maxTotal, maxPerClient: maxPerClient, exempt: exempt, client: map[netip.Prefix]int{}}
}

// Acquire counts a new connection of ip. When a limit is reached it
// counts nothing and returns ErrTooManyConns or ErrTooManyClientConns;
// otherwise release, called once when the connection ends, uncounts it.
func (c *Conns) Acquire(ip netip.Addr) (release func(), err error) {
	key, limited := Key(ip), c.maxPerClient > 0 && !c.exempt(ip.Unmap())
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.maxTotal > 0 && c.total >= c.maxTotal:
		return nil, ErrTooManyConns
	case limited && c.client[key] >= c.maxPerClient:
		return nil, ErrTooManyClientConns
	}
	c.total++
	c.client[key]++
	var once sync.Once
	return func() { once.Do(func() { c.release(key) }) }, nil
}

func (c *Conns) release(key netip.Prefix) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total--
	if c.client[key]--; c.client[key] <= 0 {
		delete(c.client, key)
	}
}

// Open returns the connections counted now, in all and of ip's client.
func (c *Conns) Open(ip netip.Addr) (total, client int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, c.client[Key(ip)]
}
