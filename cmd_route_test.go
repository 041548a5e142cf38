package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/mtasts"
	"facteur/internal/mtasts/ststest"
)

const routeZone = `
sts.test.            60 IN MX 10 mx.sts.test.
mx.sts.test.         60 IN A 127.0.0.2
_mta-sts.sts.test.   60 IN TXT "v=STSv1; id=7"
_smtp._tls.sts.test. 60 IN TXT "v=TLSRPTv1; rua=mailto:rpt@sts.test"
null.test.           60 IN MX 0 .
`

// routeFixture serves the zone and a policy server, and points `facteur
// route` at that server for the test.
func routeFixture(t *testing.T) string {
	t.Helper()
	srv := ststest.Start(t, nil)
	srv.Set("sts.test", "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 3600\n")
	routePolicyOptions = mtasts.Options{RootCAs: srv.CA.Pool(), DialContext: srv.Dial}
	t.Cleanup(func() { routePolicyOptions = mtasts.Options{} })
	return serveZone(t, routeZone)
}

func TestRouteCommand(t *testing.T) {
	dns := routeFixture(t)
	dir := t.TempDir()
	code, out, errOut := facteur(t, dir, "route", "--dns", dns, "Marc <marc@sts.test>", "x@null.test")
	if code != 1 || !strings.Contains(errOut, "1 recipient domain(s) or address(es) cannot take the message") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"Delivery preview from the account Local\n!! null.test: null.test accepts no mail: it publishes a null MX (RFC 7505)\n",
		"sts.test (marc@sts.test)\n  1. the local MTA ",
		"  2. the MX hosts of sts.test, by preference\n  MX: 1 host(s)\n    10 mx.sts.test: 127.0.0.2\n      MTA-STS: matches the policy\n      DANE _25._tcp.mx.sts.test: none\n      the local MTA: TLS required with a certificate valid for mx.sts.test (MTA-STS enforce)\n",
		"    mode enforce, mx mx.sts.test, max_age 3600 s (fetched, id 7)\n  TLS-RPT: reports to mailto:rpt@sts.test\n",
		"DNSSEC: the DNSSEC AD bit comes from the DNS server you configured",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = facteur(t, dir, "route", "--json", "--dns", dns, "marc@sts.test")
	var r struct {
		Account string `json:"account"`
		Domains []struct {
			Domain string `json:"domain"`
			Hosts  []struct {
				Match *bool `json:"mta_sts_match"`
			} `json:"hosts"`
		} `json:"domains"`
	}
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.Account != "Local" || len(r.Domains) != 1 || !*r.Domains[0].Hosts[0].Match {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
}

// The Local account's path is the local MTA's own routing: its
// transport table and relayhost, read from the profile's mta/ files.
func TestRouteCommandUsesMTATables(t *testing.T) {
	dns := routeFixture(t)
	dir := t.TempDir()
	mta := filepath.Join(dir, "mta")
	if err := os.MkdirAll(mta, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mta, "transport"), []byte("machin.com smtp:[127.0.0.3]:2526\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := facteur(t, dir, "route", "--dns", dns, "marc@machin.com")
	if code != 0 || !strings.Contains(out, "  2. the transport table sends it to smtp:[127.0.0.3]:2526\n  3. the host [127.0.0.3]:2526 (no MX look-up)\n") {
		t.Fatalf("exit %d %s\n%s", code, errOut, out)
	}
	if err := os.WriteFile(filepath.Join(mta, "relayhost"), []byte("[smtp.isp.test]:587\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = facteur(t, dir, "route", "--dns", dns, "x@null.test")
	if code != 1 || !strings.Contains(out, "  2. the relayhost (smarthost) [smtp.isp.test]:587\n  3. the relayhost delivers to the MX hosts of null.test\n") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if code, _, errOut := facteur(t, dir, "route"); code != 2 || !strings.Contains(errOut, "usage: facteur route") {
		t.Errorf("no address: exit %d %q", code, errOut)
	}
}
