package mailsys

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"facteur/localmta"
	"facteur/localmta/mda"
)

func TestMTAConfigFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"users":     "marc:{plain}secret\n# comment\n",
		"aliases":   "postmaster: marc\n",
		"transport": "example.com SMTP:[192.168.23.56]:20025\n",
		"relayhost": "# smarthost\n[smtp.example.com]:587\nusername alice\npassword s3cret\nrequire_tls\n",
		"domains":   "machin.com\nMachin.ORG.\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := LoadConfig(dir, Settings{SMTP: "127.0.0.1:2525", Submission: Off, Hostname: "smtp.machin.com", DNS: "127.0.0.1:53"})
	if err != nil {
		t.Fatal(err)
	}
	rh := localmta.RelayHost{Host: "smtp.example.com", Port: 587, NoMX: true, Username: "alice", Password: "s3cret", RequireTLS: true}
	switch {
	case cfg.Users["marc"] != "{plain}secret":
		t.Errorf("users: %v", cfg.Users)
	case len(cfg.Aliases["postmaster"]) != 1:
		t.Errorf("aliases: %v", cfg.Aliases)
	case cfg.Transports["example.com"].Port != 20025:
		t.Errorf("transport: %v", cfg.Transports)
	case cfg.RelayHost == nil || *cfg.RelayHost != rh:
		t.Errorf("relayhost: %+v", cfg.RelayHost)
	case fmt.Sprint(cfg.LocalDomains) != "[smtp.machin.com localhost machin.com machin.org]":
		t.Errorf("domains: %v", cfg.LocalDomains)
	case len(cfg.Listeners) != 1 || cfg.Listeners[0].Addr != "127.0.0.1:2525" || cfg.DNSServer != "127.0.0.1:53":
		t.Errorf("listeners %v, dns %q", cfg.Listeners, cfg.DNSServer)
	}
	empty, err := LoadConfig(t.TempDir(), Settings{SMTP: "127.0.0.1:2525", Submission: "127.0.0.1:2587"})
	if err != nil || empty.Users != nil || empty.RelayHost != nil || empty.LocalDomains != nil || len(empty.Listeners) != 2 || !empty.Listeners[1].Submission {
		t.Fatalf("without files: %+v, %v", empty, err)
	}
}

func TestMTARelayHostSyntax(t *testing.T) {
	tests := []struct {
		in   string
		want localmta.RelayHost
	}{
		{"[smtp.example.com]:587", localmta.RelayHost{Host: "smtp.example.com", Port: 587, NoMX: true}},
		{"[192.168.23.56]", localmta.RelayHost{Host: "192.168.23.56", NoMX: true}},
		{"relay.example.com", localmta.RelayHost{Host: "relay.example.com"}},
		{"relay.example.com:2525", localmta.RelayHost{Host: "relay.example.com", Port: 2525}},
	}
	for _, tt := range tests {
		got, err := parseRelayHost(tt.in)
		if err != nil || *got != tt.want {
			t.Errorf("parseRelayHost(%q) = %+v, %v", tt.in, got, err)
		}
	}
	for _, bad := range []string{"[x", "[x]y", "[]:25", "host:0", "host:http", "a b"} {
		if got, err := parseRelayHost(bad); err == nil {
			t.Errorf("parseRelayHost(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestMTAOptionsFile(t *testing.T) {
	dir := t.TempDir()
	content := "# test network\ndeliver mbox\nrelay-nets 127.0.0.1/32, 10.1.2.3\nsource-ip 127.0.0.3\nmx-port 2526\nhostname from.file\ndelay-warning 4h\nmax-connections none\nmax-client-connections 20\n"
	if err := os.WriteFile(filepath.Join(dir, "options"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	opt, err := ReadSettings(dir, Settings{SMTP: "127.0.0.1:2525", Hostname: "from.flags", Set: map[string]bool{"hostname": true}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	mb, ok := cfg.MDA.(*mda.Mbox)
	switch {
	case cfg.Hostname != "from.flags":
		t.Errorf("hostname %q: the command line must win", cfg.Hostname)
	case !ok || mb.Dir != filepath.Join(dir, "mail"):
		t.Errorf("deliver mbox: MDA %#v", cfg.MDA)
	case fmt.Sprint(cfg.RelayNets) != "[127.0.0.1/32 10.1.2.3/32]":
		t.Errorf("relay nets %v", cfg.RelayNets)
	case cfg.SourceIP != netip.MustParseAddr("127.0.0.3") || cfg.MXPort != 2526:
		t.Errorf("source ip %v, mx port %d", cfg.SourceIP, cfg.MXPort)
	case cfg.Queue.DelayWarning != 4*time.Hour:
		t.Errorf("delay warning %v, want 4h", cfg.Queue.DelayWarning)
	case cfg.MaxConnections != -1 || cfg.MaxClientConnections != 20:
		t.Errorf("max connections %d, per client %d", cfg.MaxConnections, cfg.MaxClientConnections)
	}
	none, err := LoadConfig(dir, Settings{SMTP: "127.0.0.1:2525", RelayNets: "none"})
	if err != nil || none.RelayNets == nil || len(none.RelayNets) != 0 || none.MDA != nil {
		t.Errorf("relay-nets none: %v, MDA %v, %v", none.RelayNets, none.MDA, err)
	}
}

func TestMTABadOptions(t *testing.T) {
	for _, opt := range []Settings{
		{Deliver: "procmail"}, {RelayNets: "10.0.0.0/33"}, {RelayNets: "bogus"},
		{SourceIP: "host.example"}, {MXPort: "0"}, {MXPort: "smtp"}, {DelayWarning: "4 hours"}, {DelayWarning: "-1h"},
		{MaxConns: "0"}, {MaxConns: "-5"}, {MaxClientConns: "many"},
	} {
		opt.SMTP = "127.0.0.1:2525"
		if _, err := LoadConfig(t.TempDir(), opt); err == nil {
			t.Errorf("%+v: no error", opt)
		}
	}
	for _, content := range []string{"bogus 1\n", "deliver mbox\ndeliver maildir\n", "smtp off\n"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "options"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSettings(dir, Settings{SMTP: "127.0.0.1:2525"}); err == nil {
			t.Errorf("options file %q: no error", content)
		}
	}
}

// TestIMAPOffForMbox: with deliver mbox the IMAP server is off unless an
// address was asked for: local mail does not reach its folders.
func TestIMAPOffForMbox(t *testing.T) {
	tests := []struct {
		deliver, imap string
		set           bool
		want          string
	}{
		{"maildir", DefaultIMAP, false, DefaultIMAP},
		{"mbox", DefaultIMAP, false, Off},
		{"MBOX", DefaultIMAP, false, Off},
		{"mbox", DefaultIMAP, true, DefaultIMAP},            // --imap given
		{"mbox", "127.0.0.1:1993", false, "127.0.0.1:1993"}, // from mta/options
	}
	for _, tt := range tests {
		opt := Settings{Deliver: tt.deliver, IMAP: tt.imap, Set: map[string]bool{"imap": tt.set}}
		if got := opt.imapOffForMbox().IMAP; got != tt.want {
			t.Errorf("deliver %s, imap %s (given %v): %s, want %s", tt.deliver, tt.imap, tt.set, got, tt.want)
		}
	}
}

// TestLoaderMboxTurnsIMAPOff: the Loader the GUI and `facteur mta` use
// reads the options file, and "deliver mbox" there turns the default IMAP
// address off, while the addresses a caller of Start asks for are kept
// as defaults.
func TestLoaderMboxTurnsIMAPOff(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "options"), []byte("deliver mbox\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, addrs, err := DefaultSettings("marc").Loader()(dir, Addrs{SMTP: "127.0.0.1:12525"}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if addrs.IMAP != Off || addrs.SMTP != "127.0.0.1:12525" || cfg.Listeners[0].Addr != "127.0.0.1:12525" {
		t.Errorf("addresses %+v, listeners %+v", addrs, cfg.Listeners)
	}
	if _, ok := cfg.MDA.(*mda.Mbox); !ok || len(cfg.LocalUsers) != 1 || cfg.LocalUsers[0] != "marc" {
		t.Errorf("MDA %#v, local users %v", cfg.MDA, cfg.LocalUsers)
	}
}
