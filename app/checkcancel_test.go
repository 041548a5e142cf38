package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"facteur/localmta/pop3d/pop3test"
	"facteur/mua/account"
	"facteur/mua/account/accounttest"
	"facteur/mua/watch"
)

func TestCancelStopsTheCheck(t *testing.T) {
	h := newHarness(t)
	h.addAccount(account.Account{Name: "Muet", Protocol: account.POP3, Identity: account.Identity{Address: "marc@muet.test"},
		Incoming: accounttest.Mute(t, pop3test.User)}, "pw")
	h.c.checkMail()
	// the check job stays pending: the UI queue is run, woken by what the
	// background posts, without waiting for idle
	h.until("the check to start", func() bool { return h.c.accts.status["Muet"].State == watch.Checking })
	test.Tap(h.c.check.stopBtn)
	h.waitFor("the end of the check", func() bool { return h.c.check.cancel == nil })
	if got := h.c.check.status.Text; !strings.Contains(got, "cancelled") || strings.Count(got, "cancelled") != 1 {
		t.Errorf("status %q", got)
	}
	h.waitFor("the account back to waiting", func() bool { return h.c.accts.status["Muet"].State == watch.Waiting })
}
