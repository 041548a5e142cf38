package pop3test

import (
	"net"
	"sync"
	"testing"

	"facteur/mua/account"
)

// Mute is a server that takes connections and never says a word (a server
// that hangs), on 127.0.0.1:0 until the end of the test; it returns the
// account server that points at it, in plaintext.
func Mute(t testing.TB) account.Server {
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
	return account.Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: account.SecurityNone, User: User}
}
