package app

import (
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"facteur/mua/account"
	"facteur/mua/watch"
)

func TestCancelStopsTheCheck(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0") // accepts, and never greets
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	h.addAccount(account.Account{Name: "Muet", Protocol: account.POP3, Identity: account.Identity{Address: "marc@muet.test"},
		Incoming: account.Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: account.SecurityNone}}, "pw")
	h.c.checkMail()
	// the check job stays pending: drain the UI queue without waiting for idle
	deadline := time.Now().Add(15 * time.Second)
	for h.c.accts.status["Muet"].State != watch.Checking {
		if time.Now().After(deadline) {
			t.Fatal("the check never started")
		}
		h.q.drain()
		time.Sleep(10 * time.Millisecond)
	}
	test.Tap(h.c.check.stopBtn)
	h.waitFor("the end of the check", func() bool { return h.c.check.cancel == nil })
	if got := h.c.check.status.Text; !strings.Contains(got, "cancelled") || strings.Count(got, "cancelled") != 1 {
		t.Errorf("status %q", got)
	}
	h.waitFor("the account back to waiting", func() bool { return h.c.accts.status["Muet"].State == watch.Waiting })
}
