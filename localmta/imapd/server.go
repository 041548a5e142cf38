package imapd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"facteur/localmta/clientlimit"
	"facteur/localmta/mtausers"
	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// The default addresses of the IMAP server: plain with STARTTLS, and
// implicit TLS (off unless asked for).
const (
	DefaultAddr = "127.0.0.1:1143"
)

// Config configures a Server. Zero values mean the documented defaults.
type Config struct {
	// Store holds the mailboxes. Required.
	Store *mailstore.Store
	// Account is the store account served; "" means "Local".
	Account string
	// Users is the table of logins and passwords (mtausers.Load).
	Users mtausers.Users
	// Authenticate, when set, checks credentials instead of Users.
	Authenticate func(username, password string) error
	// TLS enables STARTTLS and implicit TLS (ServeTLS); nil means neither
	// (see mtatls.ServerConfig).
	TLS *tls.Config
	// PlaintextNets are the client networks where LOGIN and AUTHENTICATE
	// PLAIN are allowed without TLS; nil means loopback only, an empty
	// non-nil slice means nowhere.
	PlaintextNets []netip.Prefix
	// AuthFailureDelay is the wait before a failed login is answered; 0
	// means 1 s, negative means none. MaxAuthFailures ends a session after
	// so many; 0 means 3 (package clientlimit).
	AuthFailureDelay time.Duration
	MaxAuthFailures  int
	// MaxConnections and MaxClientConnections bound the sessions in all
	// and per client (clients of PlaintextNets count only in the total);
	// 0 means 500 and 50.
	MaxConnections, MaxClientConnections int
	// CheckInterval is how often, at most, commands look for changes that
	// other programs made to the files of the selected folder; 0 means
	// 1 s. IdleCheck is how often IDLE looks; 0 means 5 s.
	CheckInterval, IdleCheck time.Duration
	// Version is Facteur's version, given to clients by ID (RFC 2971);
	// "" means "dev".
	Version string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Account == "" {
		c.Account = "Local"
	}
	if c.PlaintextNets == nil {
		c.PlaintextNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = 500
	}
	if c.MaxClientConnections == 0 {
		c.MaxClientConnections = 50
	}
	if c.CheckInterval <= 0 {
		c.CheckInterval = time.Second
	}
	if c.IdleCheck <= 0 {
		c.IdleCheck = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	return c
}

// checkTimes are the intervals of the checks for other programs' changes.
type checkTimes struct{ command, idle time.Duration }

// capabilities are those announced besides what imapserver adds itself.
var capabilities = imap.CapSet{
	imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {},
	imap.CapNamespace: {}, imap.CapUIDPlus: {}, imap.CapESearch: {}, imap.CapSearchRes: {},
	imap.CapListExtended: {}, imap.CapListStatus: {}, imap.CapMove: {}, imap.CapStatusSize: {},
	imap.CapChildren: {}, imap.CapSpecialUse: {}, imap.CapCreateSpecialUse: {}, imap.CapLiteralPlus: {},
}

// Server serves the Local account over IMAP. It is safe for concurrent use.
type Server struct {
	cfg      Config
	log      *slog.Logger
	b        *backend
	logins   *clientlimit.Logins
	conns    *clientlimit.Conns
	trusted  *imapserver.Server // LOGIN allowed without TLS
	strict   *imapserver.Server // LOGIN only under TLS
	sessions sessionLog
	stop     context.CancelFunc
	done     chan struct{}
	once     sync.Once

	mu      sync.Mutex
	closing bool
	lns     map[net.Listener]struct{}
	serving sync.WaitGroup // the Serve calls under way

	// beforeIdle, for tests, runs in IDLE after "+ idling" is written and
	// before the session listens for its mailbox's changes.
	beforeIdle func(context.Context, *mailbox)
}

// New opens the UID index of cfg.Store and returns a Server that follows
// the store's changes until Close.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("imapd: no store")
	}
	cfg = cfg.withDefaults()
	ctx, stop := context.WithCancel(context.Background())
	b, err := newBackend(ctx, cfg.Store, cfg.Account, cfg.Logger, checkTimes{cfg.CheckInterval, cfg.IdleCheck})
	if err != nil {
		stop()
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, b: b, stop: stop, done: make(chan struct{}), lns: map[net.Listener]struct{}{},
		logins: clientlimit.NewLogins(clientlimit.LoginConfig{Delay: cfg.AuthFailureDelay, MaxPerSession: cfg.MaxAuthFailures}),
	}
	s.conns = clientlimit.NewConns(cfg.MaxConnections, cfg.MaxClientConnections, s.trustedIP)
	s.trusted = s.imapServer(true)
	s.strict = s.imapServer(false)
	go func() {
		defer close(s.done)
		b.follow(ctx)
	}()
	return s, nil
}

// trustedIP tells whether a client is on a network where passwords may
// cross without TLS (RFC 9051 §11.1 leaves it to the server).
func (s *Server) trustedIP(ip netip.Addr) bool {
	return slices.ContainsFunc(s.cfg.PlaintextNets, func(p netip.Prefix) bool { return p.Contains(ip) })
}

func (s *Server) imapServer(insecureAuth bool) *imapserver.Server {
	return imapserver.New(&imapserver.Options{
		NewSession:   s.newSession,
		Caps:         capabilities,
		Logger:       slogPrintf{s.log},
		TLSConfig:    s.cfg.TLS,
		InsecureAuth: insecureAuth,
	})
}

// slogPrintf is imapserver's Logger over slog.
type slogPrintf struct{ log *slog.Logger }

func (l slogPrintf) Printf(format string, args ...any) {
	l.log.Info("imap: " + fmt.Sprintf(format, args...))
}

// authenticate checks a login with the callback or the users table.
func (s *Server) authenticate(username, password string) error {
	if s.cfg.Authenticate != nil {
		return s.cfg.Authenticate(username, password)
	}
	if s.cfg.Users == nil {
		return mtausers.ErrBadCredentials
	}
	return s.cfg.Users.Check(username, password)
}

func (s *Server) newSession(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
	ip := remoteIP(c.NetConn())
	release, err := s.conns.Acquire(ip)
	if err != nil {
		return nil, nil, &imap.Error{Type: imap.StatusResponseTypeBye, Code: imap.ResponseCodeUnavailable, Text: "Too many connections"}
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, isTLS := c.NetConn().(*tls.Conn)
	sess := &session{srv: s, b: s.b, conn: c, ip: ip, logins: s.logins.Session(ip), ctx: ctx, cancel: cancel, release: release,
		rec: s.sessions.start(SessionInfo{Client: c.NetConn().RemoteAddr().String(), TLS: isTLS, Started: time.Now()})}
	return sess, nil, nil
}

func remoteIP(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// Serve accepts connections on ln until ctx ends or Close, then closes
// ln; sessions go on until Close. Clients of the trusted networks may log
// in without TLS.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.serving.Add(1)
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	defer s.serving.Done()
	trusted, strict := newChanListener(ln.Addr()), newChanListener(ln.Addr())
	var wg sync.WaitGroup
	wg.Go(func() { s.trusted.Serve(trusted) })
	wg.Go(func() { s.strict.Serve(strict) })
	defer wg.Wait()
	defer trusted.Close()
	defer strict.Close()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	s.log.Info("imap server started", "addr", ln.Addr().String())
	return s.accept(ctx, ln, trusted, strict)
}

func (s *Server) accept(ctx context.Context, ln net.Listener, trusted, strict *chanListener) error {
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("imap accept failed; retrying", "err", err, "in", backoff)
			clientlimit.Sleep(ctx, backoff)
			continue
		}
		backoff = 0
		if s.trustedIP(remoteIP(c)) {
			trusted.push(c)
		} else {
			strict.push(c)
		}
	}
}

// ServeTLS is Serve for implicit TLS (RFC 8314): every connection starts
// with a TLS handshake.
func (s *Server) ServeTLS(ctx context.Context, ln net.Listener) error {
	if s.cfg.TLS == nil {
		return errors.New("imapd: implicit TLS needs a certificate")
	}
	return s.Serve(ctx, tls.NewListener(ln, s.cfg.TLS))
}

// Close ends every session and stops following the store.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closing = true
		for ln := range s.lns {
			ln.Close()
		}
		s.mu.Unlock()
		s.serving.Wait()
		s.stop()
		s.trusted.Close()
		s.strict.Close()
		<-s.done
		err = s.b.close()
	})
	return err
}
