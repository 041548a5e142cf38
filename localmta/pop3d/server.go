// Package pop3d is Facteur's POP3 server for local mailboxes: the course's
// pop.machin.com, from which a mail client collects what the local MDA
// delivered into the Local account of the mailstore.
//
// It implements POP3 (RFC 1939): USER/PASS, STAT, LIST, RETR, DELE, NOOP,
// RSET, QUIT, UIDL and TOP, the AUTHORIZATION, TRANSACTION and UPDATE
// states, byte-stuffing of lines that start with '.', CRLF line ends on
// the wire whatever the Maildir file uses, and sizes counted in octets of
// that CRLF form. With it come CAPA and the response codes of RFC 2449
// (TOP, UIDL, USER, SASL, STLS, RESP-CODES, PIPELINING, IMPLEMENTATION),
// the AUTH-RESP-CODE of RFC 3206 ([AUTH], [SYS/TEMP]), STLS of RFC 2595
// (with the MTA's self-signed certificate, mtatls.LoadOrCreate) and
// SASL PLAIN of RFC 5034 and RFC 4616, with or without initial response.
//
// Plaintext logins (USER/PASS, AUTH PLAIN) are refused with "-ERR [AUTH]"
// unless the connection is under TLS or comes from a trusted network
// (loopback by default), as RFC 2595 §2.3 recommends. Credentials are
// mtausers.Users. A maildrop is a mailstore folder (Local/INBOX by
// default); one session at a time holds it ([IN-USE] for the others, RFC
// 2449 §8.1.1); the unique-id of UIDL is the message's Maildir key, stable
// across sessions. Messages deleted with DELE are removed for good at
// UPDATE (QUIT), never on a dropped connection (RFC 1939 §6).
//
// Sessions time out after 10 minutes of silence (RFC 1939 §3), lines are
// limited in length, every session ends when the server's context ends,
// and a panic ends only the session it happened in.
package pop3d

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"time"

	"facteur/localmta/clientlimit"
	"facteur/localmta/mda"
	"facteur/localmta/mtausers"
	"facteur/mailstore"
)

// DefaultAddr is where Facteur's POP3 server listens by default.
const DefaultAddr = "127.0.0.1:1110"

// Config configures a Server. Zero values mean the documented defaults.
type Config struct {
	// Store holds the maildrops. Required.
	Store *mailstore.Store
	// Users is the table of logins and passwords (mtausers.Load).
	Users mtausers.Users
	// Authenticate, when set, checks credentials instead of Users.
	Authenticate func(username, password string) error
	// Maildrop returns the folder of a login; nil means Local/INBOX for
	// every login (mda.LocalInbox, where the MDA delivers).
	Maildrop func(login string) (mailstore.FolderRef, error)
	// Hostname is shown in the greeting; "" means "localhost".
	Hostname string
	// TLS enables STLS; nil means no STLS (see mtatls.ServerConfig).
	TLS *tls.Config
	// PlaintextNets are the client networks where USER/PASS and AUTH
	// PLAIN are allowed without TLS; nil means loopback only, an empty
	// non-nil slice means nowhere.
	PlaintextNets []netip.Prefix
	// IdleTimeout ends a silent session; 0 means 10 minutes (RFC 1939 §3).
	IdleTimeout time.Duration
	// MaxLineLength bounds a command line and a SASL response, CRLF
	// included; 0 means 1024 octets.
	MaxLineLength int
	// AuthFailureDelay slows down password guessing: the wait before a
	// failed login is answered; 0 means 1 s, negative means none.
	AuthFailureDelay time.Duration
	// MaxAuthFailures closes a session after so many failed logins; 0
	// means 3. A client with 10 recent failures in all its sessions is
	// refused at once (package clientlimit).
	MaxAuthFailures int
	// Logger; nil means slog.Default(). Command lines are logged at Debug
	// level with passwords masked.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Hostname == "" {
		c.Hostname = "localhost"
	}
	if c.PlaintextNets == nil {
		c.PlaintextNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 10 * time.Minute
	}
	if c.MaxLineLength <= 0 {
		c.MaxLineLength = 1024
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Server serves maildrops over POP3. It is safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	sizes  *sizeCache
	logins *clientlimit.Logins

	mu     sync.Mutex
	locked map[mailstore.FolderRef]bool
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errNoStore
	}
	cfg = cfg.withDefaults()
	logins := clientlimit.NewLogins(clientlimit.LoginConfig{Delay: cfg.AuthFailureDelay, MaxPerSession: cfg.MaxAuthFailures})
	return &Server{cfg: cfg, log: cfg.Logger, sizes: newSizeCache(), logins: logins, locked: map[mailstore.FolderRef]bool{}}, nil
}

// ListenAndServe listens on addr ("" means DefaultAddr) and serves until
// ctx ends.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	if addr == "" {
		addr = DefaultAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln until ctx ends, then closes ln, ends
// every session (a session cut so never reaches UPDATE) and returns nil
// once they have all ended. It returns an error if ln fails.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	s.log.Info("pop3 server started", "addr", ln.Addr().String())
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			backoff = s.acceptBackoff(ctx, err, backoff)
			continue
		}
		backoff = 0
		wg.Go(func() { s.serveConn(ctx, c) })
	}
}

// acceptBackoff waits after a failed Accept (out of file descriptors,
// say), from 5 ms doubling up to 1 s, as net/http does.
func (s *Server) acceptBackoff(ctx context.Context, err error, prev time.Duration) time.Duration {
	d := min(max(2*prev, 5*time.Millisecond), time.Second)
	s.log.Warn("pop3 accept failed; retrying", "err", err, "in", d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return d
}

// serveConn runs one session: the boundary where its panics stop.
func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	sess := newSession(s, c)
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("pop3 session panicked", "client", c.RemoteAddr().String(), "panic", r, "stack", string(debug.Stack()))
		}
		sess.close()
	}()
	sess.run(ctx)
}

// lock takes the maildrop lock of a folder for one session.
func (s *Server) lock(ref mailstore.FolderRef) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked[ref] {
		return false
	}
	s.locked[ref] = true
	return true
}

func (s *Server) unlock(ref mailstore.FolderRef) {
	s.mu.Lock()
	delete(s.locked, ref)
	s.mu.Unlock()
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

// maildropOf returns the folder a login collects.
func (s *Server) maildropOf(login string) (mailstore.FolderRef, error) {
	if s.cfg.Maildrop != nil {
		return s.cfg.Maildrop(login)
	}
	return mda.LocalInbox, nil
}

// sizeCache remembers the CRLF sizes of message files, which never change
// (a Maildir file is written once; flags only rename it), so that a client
// that leaves its mail on the server does not make every session read
// every file again.
type sizeCache struct {
	mu sync.Mutex
	m  map[sizeKey]int64
}

type sizeKey struct {
	id  int64
	key string
}

const maxCachedSizes = 200_000

func newSizeCache() *sizeCache { return &sizeCache{m: map[sizeKey]int64{}} }

func (c *sizeCache) get(k sizeKey) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.m[k]
	return n, ok
}

func (c *sizeCache) put(k sizeKey, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedSizes {
		clear(c.m)
	}
	c.m[k] = n
}
