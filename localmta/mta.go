// Package localmta is Facteur's local mail transfer agent, after the
// course's split of an MTA into a routing agent and a transport agent:
//
//   - an SMTP server (RFC 5321) on github.com/emersion/go-smtp with
//     PIPELINING, 8BITMIME, SIZE (RFC 1870), ENHANCEDSTATUSCODES (RFC 2034,
//     RFC 3463), SMTPUTF8 (RFC 6531), STARTTLS (RFC 3207), AUTH PLAIN and
//     LOGIN (RFC 4954) only under TLS or on loopback, DSN parameters
//     (RFC 3461), submission (RFC 6409); it refuses bare CR and bare LF
//     in DATA (SMTP smuggling), relays only for loopback or authenticated
//     clients ("554 5.7.1 Relay access denied"; a local part is a mailbox
//     name, never a route), and adds a Received trace field in the form
//     of RFC 5321 §4.4 (RFC 5322 §3.6.7); it holds Postfix's limits:
//     connections in all and per client, soft and hard error limits,
//     slowed and counted AUTH failures (clients.go, limits.go, package
//     localmta/clientlimit);
//   - the durable queue of localmta/queue (fsync before 250, retries,
//     RFC 3464 bounces);
//   - a routing agent: local domains and /etc/aliases to the MDA
//     (localmta/mda), Postfix's transport table, a relayhost, else the DNS
//     MX records (RFC 5321 §5.1, null MX of RFC 7505) through
//     internal/dnsmx; a secondary MX keeps mail for its domain and
//     forwards it to better MXes only; loops ("mail loops back to myself")
//     bounce;
//   - a transport agent: an SMTP client with opportunistic STARTTLS
//     (RFC 7435) and a transcript of each session; when it delivers by
//     MX it honours MTA-STS (RFC 8461, package internal/mtasts: in mode
//     enforce only the MX hosts of the policy, over TLS with a certificate
//     valid for their name; in mode testing it logs) and DANE (RFC 7672:
//     with secure TLSA records, from a resolver whose AD bit is trusted,
//     TLS and a certificate matching DANE-EE or DANE-TA); a host that does
//     not meet them is not used and the message is deferred (4.7.4, 4.7.5)
//     with the reason. DecideTLS is that decision, which the route
//     preview of the user agent shows, and Router the routing agent alone.
//
// The POP3 server for local mailboxes (RFC 1939) is package
// localmta/pop3d; package localmta/control lets other processes (the
// facteur queue and sendmail commands) find and drive a running MTA.
package localmta

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"runtime/debug"
	"sync"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/localmta/clientlimit"
	"facteur/localmta/mtatls"
	"facteur/localmta/queue"
)

// MTA is a running mail transfer agent.
type MTA struct {
	cfg       Config
	log       *slog.Logger
	queue     *queue.Queue
	resolver  *dnsmx.Resolver
	tls       *tls.Config
	logins    *clientlimit.Logins // failed AUTH per client
	conns     *clientlimit.Conns  // open SMTP connections
	router    *Router             // the routing agent; its self IPs are those bound
	sts       *mtasts.Client      // MTA-STS policies (RFC 8461)
	listeners []*listener

	sessMu   sync.Mutex
	sessions []OutSession

	deliveries deliveryLog // events.go

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New opens the queue (recovering what a crash left), loads or creates
// the TLS certificate and binds the listeners. Start serves them.
func New(ctx context.Context, cfg Config) (*MTA, error) {
	if cfg.Dir == "" {
		return nil, errors.New("localmta: Config.Dir is empty")
	}
	cfg = cfg.withDefaults()
	m := &MTA{cfg: cfg, log: cfg.Logger, logins: clientlimit.NewLogins(cfg.AuthLimit), router: &Router{cfg: cfg}}
	m.conns = clientlimit.NewConns(cfg.MaxConnections, cfg.MaxClientConnections, m.inRelayNets)
	m.resolver = dnsmx.New(dnsmx.Config{Server: cfg.DNSServer, Timeout: cfg.DNSTimeout})
	m.sts = mtasts.New(m.resolver, cfg.MTASTS)
	q, err := queue.Open(ctx, QueueDir(cfg.Dir), cfg.Queue)
	if err != nil {
		return nil, err
	}
	m.queue = q
	if m.tls, err = m.serverTLS(); err != nil {
		return nil, err
	}
	if err := m.listen(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// serverTLS returns the configured TLS or the generated certificate.
func (m *MTA) serverTLS() (*tls.Config, error) {
	if m.cfg.TLS != nil {
		return m.cfg.TLS, nil
	}
	cert, err := mtatls.LoadOrCreate(filepath.Join(m.cfg.Dir, "tls"), m.cfg.Hostname)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func (m *MTA) listen(ctx context.Context) error {
	var lc net.ListenConfig
	for _, l := range m.cfg.Listeners {
		ln, err := lc.Listen(ctx, "tcp", l.Addr)
		if err != nil {
			m.closeListeners()
			return fmt.Errorf("localmta: listen on %s: %w", l.Addr, err)
		}
		m.listeners = append(m.listeners, &listener{cfg: l, ln: ln})
		if ap, err := netip.ParseAddrPort(ln.Addr().String()); err == nil && !ap.Addr().IsUnspecified() {
			m.router.selfIPs = append(m.router.selfIPs, ap.Addr().Unmap())
		}
	}
	return nil
}

func (m *MTA) closeListeners() {
	for _, l := range m.listeners {
		l.ln.Close()
	}
}

// Start serves the listeners and runs the queue until ctx ends or Close.
func (m *MTA) Start(ctx context.Context) {
	m.ctx, m.cancel = context.WithCancel(ctx)
	for _, l := range m.listeners {
		l.srv = m.newServer(l)
		m.goSafe("smtp server "+l.cfg.Addr, func() {
			if err := l.srv.Serve(clientListener{l.ln, m}); err != nil && m.ctx.Err() == nil {
				m.log.Error("smtp server stopped", "addr", l.cfg.Addr, "err", err)
			}
		})
	}
	m.goSafe("queue", func() { m.queue.Run(m.ctx, m) })
	m.goSafe("shutdown", func() {
		<-m.ctx.Done()
		for _, l := range m.listeners {
			l.srv.Close()
			// A Serve that had not taken its listener yet when Close ran
			// would block in Accept: the closed listener ends it.
			l.ln.Close()
		}
	})
	m.log.Info("mta started", "hostname", m.cfg.Hostname, "listen", m.Addrs())
}

// goSafe runs f in a goroutine that Close waits for, and logs its panic.
func (m *MTA) goSafe(name string, f func()) {
	m.wg.Go(func() {
		defer func() {
			if r := recover(); r != nil {
				m.log.Error("panic", "in", name, "panic", r, "stack", string(debug.Stack()))
			}
		}()
		f()
	})
}

// Close stops the servers and the queue and waits for them. Queued
// messages stay on disk for the next start.
func (m *MTA) Close() error {
	if m.cancel == nil {
		m.closeListeners()
		return nil
	}
	m.cancel()
	m.wg.Wait()
	return nil
}

// Addrs returns the listening addresses, in the order of Config.Listeners.
func (m *MTA) Addrs() []string {
	out := make([]string, len(m.listeners))
	for i, l := range m.listeners {
		out[i] = l.ln.Addr().String()
	}
	return out
}

// Queue returns the MTA's queue (mailq, flush, hold, delete).
func (m *MTA) Queue() *queue.Queue { return m.queue }

// Hostname returns the name the MTA uses.
func (m *MTA) Hostname() string { return m.cfg.Hostname }
