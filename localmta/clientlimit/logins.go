package clientlimit

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// LoginConfig configures Logins. Zero values mean the documented defaults.
type LoginConfig struct {
	// Delay is the wait before a failed login is answered; 0 means 1 s,
	// negative means none.
	Delay time.Duration
	// MaxPerSession ends a session after so many failed logins; 0 means 3.
	MaxPerSession int
	// MaxPerClient blocks a client address with so many recent failures
	// (in all its sessions); 0 means 10, negative means never.
	MaxPerClient int
	// Drain is the time one failure of a client takes to be forgotten;
	// 0 means 1 minute.
	Drain time.Duration
	// Sleep waits d or until ctx ends; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

const (
	defaultMaxPerSession = 3
	defaultMaxPerClient  = 10
	maxClients           = 100000 // addresses remembered at most
)

func (c LoginConfig) withDefaults() LoginConfig {
	if c.Delay == 0 {
		c.Delay = time.Second
	}
	if c.MaxPerSession <= 0 {
		c.MaxPerSession = defaultMaxPerSession
	}
	if c.MaxPerClient == 0 {
		c.MaxPerClient = defaultMaxPerClient
	}
	if c.Drain <= 0 {
		c.Drain = time.Minute
	}
	if c.Sleep == nil {
		c.Sleep = Sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Sleep waits d or until ctx ends: the default delay of the limits.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Logins counts failed logins per client. It is safe for concurrent
// use; one Logins serves every session of a server.
type Logins struct {
	cfg     LoginConfig
	mu      sync.Mutex
	clients map[netip.Prefix]*bucket
}

// bucket is the failures of one client: level drains by one per Drain.
type bucket struct {
	level float64
	at    time.Time
}

// NewLogins returns a Logins.
func NewLogins(cfg LoginConfig) *Logins {
	return &Logins{cfg: cfg.withDefaults(), clients: map[netip.Prefix]*bucket{}}
}

// Session is the logins of one session of a client.
type Session struct {
	l        *Logins
	client   netip.Prefix
	failures int
}

// Session starts counting the failures of one session of client ip.
func (l *Logins) Session(ip netip.Addr) *Session {
	return &Session{l: l, client: Key(ip)}
}

// Blocked reports whether the session may not try a login now: it had
// its failures already, or its client has too many recent ones. A
// blocked attempt is refused without checking the password.
func (s *Session) Blocked() bool {
	return s.failures >= s.l.cfg.MaxPerSession || s.l.clientBlocked(s.client)
}

// Failed records a failed login, waits the delay (or until ctx ends) and
// reports whether the session must end now.
func (s *Session) Failed(ctx context.Context) (end bool) {
	s.failures++
	s.l.addFailure(s.client)
	if d := s.l.cfg.Delay; d > 0 {
		s.l.cfg.Sleep(ctx, d)
	}
	return s.Blocked()
}

// Failures returns the failed logins of the session.
func (s *Session) Failures() int { return s.failures }

func (l *Logins) clientBlocked(client netip.Prefix) bool {
	if l.cfg.MaxPerClient < 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	// blocked until there is room for one more failure: after the
	// MaxPerClient-th, for a whole Drain
	return b != nil && l.drain(b, l.cfg.Now()) > float64(l.cfg.MaxPerClient-1)
}

func (l *Logins) addFailure(client netip.Prefix) {
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	if b == nil {
		if len(l.clients) >= maxClients {
			l.forgetDrained(now)
		}
		b = &bucket{at: now}
		l.clients[client] = b
	}
	l.drain(b, now)
	b.level++
}

// drain empties b for the time since its last change and returns its level.
func (l *Logins) drain(b *bucket, now time.Time) float64 {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.level -= float64(elapsed) / float64(l.cfg.Drain)
		b.at = now
	}
	if b.level < 0 {
		b.level = 0
	}
	return b.level
}

// forgetDrained drops the clients whose bucket is empty, and if that is
// not enough, all of them: memory stays bounded under a flood of
// addresses (IPv6), at the price of forgetting.
func (l *Logins) forgetDrained(now time.Time) {
	for client, b := range l.clients {
		if l.drain(b, now) == 0 {
			delete(l.clients, client)
		}
	}
	if len(l.clients) >= maxClients {
		clear(l.clients)
	}
}
