// Package accounttest gives the tests of the mail clients (mua/pop3,
// mua/watch, the app, the command line) an account's server that points
// at a test server on loopback: one of localmta's servers (pop3test) or a
// server that never answers. It lives on the mua side: localmta's test
// helpers know nothing of accounts.
package accounttest

import (
	"net"
	"strconv"
	"sync"
	"testing"

	"facteur/mua/account"
)

// Plain is the server at addr (HOST:PORT, as a test server gives it) in
// plaintext, logging in as user. A bad addr fails the test.
func Plain(t testing.TB, addr, user string) account.Server {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("accounttest: server address %q: %v", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("accounttest: server address %q: port: %v", addr, err)
	}
	return account.Server{Host: host, Port: p, Security: account.SecurityNone, User: user}
}

// Mute is a server that takes connections and never says a word (a server
// that hangs), on 127.0.0.1:0 until the end of the test; it returns the
// account server that points at it, in plaintext, logging in as user.
func Mute(t testing.TB, user string) account.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return Plain(t, ln.Addr().String(), user)
}
