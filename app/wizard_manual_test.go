package app

import (
	"net"
	"strconv"
	"testing"

	"fyne.io/fyne/v2/test"

	"facteur/mua/account"
	"facteur/mua/autoconfig"
)

// closedPort is a loopback port where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// When autoconfiguration finds nothing, the servers can be set by hand,
// prefilled with the domain's usual names, and saved even though they
// cannot be reached now.
func TestWizardManualSettingsWhenNothingIsFound(t *testing.T) {
	h := newHarness(t)
	w := h.c.showWizard()
	if !w.manual.toggle.Visible() {
		t.Fatal("no way to set the servers by hand")
	}
	w.address.SetText("marc@machin.test")
	w.password.SetText("secret")
	w.discovered("marc@machin.test", autoconfig.Server{}, autoconfig.Server{},
		&autoconfig.Error{Kind: autoconfig.KindNotFound, Host: "machin.test"})
	h.settle()
	m := w.manual
	if !m.box.Visible() {
		t.Fatal("nothing found, and the manual settings stay hidden")
	}
	if m.inHost.Text != "imap.machin.test" || m.inPort.Text != "993" || m.outHost.Text != "smtp.machin.test" || m.protocol.Selected != "IMAP" {
		t.Errorf("prefilled with %q:%q (%s), %q", m.inHost.Text, m.inPort.Text, m.protocol.Selected, m.outHost.Text)
	}
	m.protocol.SetSelected("POP3")
	m.inHost.SetText("127.0.0.1")
	m.inPort.SetText(strconv.Itoa(closedPort(t)))
	m.inSec.SetSelected(string(account.SecurityStartTLS))
	m.outHost.SetText("127.0.0.1")
	test.Tap(m.testBtn)
	h.waitFor("the login test", func() bool { return !w.findBtn.Disabled() })
	if !w.problem.Visible() {
		t.Error("a server out of reach: no problem shown")
	}
	if w.saveBtn.Disabled() {
		t.Fatal("Save stays disabled for servers set by hand")
	}
	test.Tap(w.saveBtn)
	h.settle()
	a, err := h.accountBook().Get("marc@machin.test")
	if err != nil {
		t.Fatalf("the account was not saved: %v", err)
	}
	if a.Protocol != account.POP3 || a.Incoming.Host != "127.0.0.1" || a.Incoming.Sec() != account.SecurityStartTLS || a.Outgoing.Host != "127.0.0.1" {
		t.Errorf("saved %+v", a)
	}
}

// What autoconfiguration found prefills the manual settings.
func TestWizardManualSettingsShowWhatWasFound(t *testing.T) {
	h := newHarness(t)
	w := h.c.showWizard()
	w.address.SetText("marc@machin.test")
	in := autoconfig.Server{Protocol: autoconfig.IMAP, Source: autoconfig.SourceSRV,
		Server: account.Server{Host: "127.0.0.1", Port: closedPort(t), Security: account.SecurityTLS}}
	w.discovered("marc@machin.test", in, autoconfig.Server{}, nil)
	h.waitFor("the login test", func() bool { return !w.findBtn.Disabled() })
	test.Tap(w.manual.toggle)
	if m := w.manual; !m.box.Visible() || m.inHost.Text != "127.0.0.1" || m.inPort.Text != strconv.Itoa(in.Port) {
		t.Errorf("manual settings %v: %q:%q", m.box.Visible(), m.inHost.Text, m.inPort.Text)
	}
}

// TestAddressDomain: the servers guessed for an address are those of the
// domain after its last "@" (a quoted local part may hold one).
func TestAddressDomain(t *testing.T) {
	tests := map[string]string{
		"marc@machin.com":        "machin.com",
		" Marc@Machin.COM ":      "machin.com",
		`"marc@truc"@machin.com`: "machin.com",
		"marc@machin.com.":       "machin.com",
		"marc":                   "",
	}
	for in, want := range tests {
		if got := addressDomain(in); got != want {
			t.Errorf("addressDomain(%q) = %q, want %q", in, got, want)
		}
	}
}
