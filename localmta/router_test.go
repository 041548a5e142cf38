package localmta

import (
	"testing"
)

// The routing agent alone decides as the MTA of the same configuration
// would, without running it (the route preview).
func TestRouter(t *testing.T) {
	cfg := Config{
		Hostname:     "smtp.truc.fr",
		Listeners:    []Listener{{Addr: "127.0.0.2:2525"}},
		LocalDomains: []string{"truc.fr", "smtp.truc.fr"},
		Transports: TransportTable{
			"machin.com": {Kind: TransportSMTP, Host: "192.168.23.56", Port: 20025, NoMX: true},
			".sub.test":  {Kind: TransportSMTP, Host: "gw.sub.test"},
			"bad.test":   {Kind: TransportError, Text: "no mail for bad.test"},
			"here.test":  {Kind: TransportLocal},
		},
	}
	withRelay := cfg
	withRelay.RelayHost = &RelayHost{Host: "smtp.isp.test", Port: 587, NoMX: true}
	tests := []struct {
		cfg  Config
		rcpt string
		kind RouteKind
		by   RouteBy
		hop  string
	}{
		{cfg, "marc@machin.com", RouteRemote, ByTransport, "[192.168.23.56]:20025"},
		{cfg, "a@x.sub.test", RouteRemote, ByTransport, "gw.sub.test"},
		{cfg, "a@bad.test", RouteError, ByTransport, ""},
		{cfg, "a@here.test", RouteLocal, ByTransport, ""},
		{cfg, "fred@truc.fr", RouteLocal, ByLocalDomain, ""},
		{cfg, "fred@[127.0.0.2]", RouteLocal, ByLocalDomain, ""},
		{cfg, "x@[192.0.2.1]", RouteRemote, ByLiteral, "[[192.0.2.1]]"},
		{cfg, "bob@example.org", RouteRemote, ByMX, "example.org"},
		{withRelay, "bob@example.org", RouteRemote, ByRelayHost, "[smtp.isp.test]:587"},
		{withRelay, "marc@machin.com", RouteRemote, ByTransport, "[192.168.23.56]:20025"},
	}
	for _, tt := range tests {
		r := NewRouter(tt.cfg).Route(tt.rcpt)
		if r.Kind != tt.kind || r.By != tt.by || tt.hop != "" && r.Hop.String() != tt.hop {
			t.Errorf("Route(%s) = %+v (hop %s); want kind %v by %v hop %s", tt.rcpt, r, r.Hop, tt.kind, tt.by, tt.hop)
		}
		if tt.by == ByTransport && r.Transport.Kind == "" {
			t.Errorf("Route(%s): no transport entry", tt.rcpt)
		}
	}
	if r := NewRouter(cfg); r.Hostname() != "smtp.truc.fr" || r.MXPort() != 25 {
		t.Errorf("Hostname %q, MXPort %d", r.Hostname(), r.MXPort())
	}
}

// The pick-up, which runs no MTA, routes its recipients with the routing
// agent of its configuration: a local user, a remote domain, an unknown
// local user refused.
func TestPickupRoutes(t *testing.T) {
	cfg := Config{Dir: t.TempDir(), Hostname: "smtp.truc.fr", LocalDomains: []string{"truc.fr"}, LocalUsers: []string{"fred"}, Logger: testLogger(t)}
	msg := PickupMessage{
		From:  "fred@truc.fr",
		Rcpts: []string{"fred@truc.fr", "marc@machin.com", "nobody@truc.fr"},
		Trace: func(id string, _ []string) string { return "Received: by smtp.truc.fr id " + id + "\r\n" },
		Body:  []byte("Subject: hi\r\n\r\nhello\r\n"),
	}
	id, refused, err := Pickup(t.Context(), cfg, msg)
	if err != nil || id == "" {
		t.Fatalf("Pickup = %q, %v", id, err)
	}
	if len(refused) != 1 || refused[0].Rcpt != "nobody@truc.fr" {
		t.Fatalf("refused = %v; want nobody@truc.fr alone", refused)
	}
}
