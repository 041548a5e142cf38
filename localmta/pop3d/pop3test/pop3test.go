// Package pop3test runs Facteur's own POP3 server (localmta/pop3d) on
// loopback, over a store of its own, for the tests of the POP3 clients
// (mua/pop3, mua/watch, the app).
package pop3test

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"strings"
	"testing"

	"facteur/localmta/mda"
	"facteur/localmta/mtausers"
	"facteur/localmta/pop3d"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
)

// The user the server knows.
const (
	User     = "marc"
	Password = "secret"
)

// Options are the server's TLS: none by default.
type Options struct {
	// TLS, when set, is offered with STLS; with Implicit, the listener
	// speaks TLS from the start (POP3S) instead.
	TLS      *tls.Config
	Implicit bool
}

// Server is a pop3d server with marc/secret on 127.0.0.1:0.
type Server struct {
	Addr string
	// Store is the server's own store: it serves Local/INBOX
	// (mda.LocalInbox), where Add delivers.
	Store *mailstore.Store
}

// Start serves a new store until the end of the test, which fails if the
// server ends in an error. A failed login is answered at once, and the
// server logs nothing.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	st := storetest.Open(t)
	cfg := pop3d.Config{
		Store: st, Users: mtausers.Users{User: "{plain}" + Password},
		AuthFailureDelay: -1, Logger: slog.New(slog.DiscardHandler),
	}
	if !opt.Implicit {
		cfg.TLS = opt.TLS
	}
	srv, err := pop3d.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Implicit {
		ln = tls.NewListener(ln, opt.TLS)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &Server{Addr: ln.Addr().String(), Store: st}
}

// Add delivers the message raw into the mailbox served.
func (s *Server) Add(t testing.TB, raw string) mailstore.Summary {
	t.Helper()
	sum, err := s.Store.Add(context.Background(), mda.LocalInbox, strings.NewReader(raw), mailstore.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
