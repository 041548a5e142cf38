package inspect

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/internal/mtasts/ststest"
)

// The DNS tab shows, for a recipient's domain, its MTA-STS, DANE and
// TLS-RPT facts: those of the route preview.
func TestResolveSecurity(t *testing.T) {
	z := newTestZone(t)
	z.Add(t, `_mta-sts.machin.com. 300 IN TXT "v=STSv1; id=42"`,
		`_smtp._tls.machin.com. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls@machin.com"`,
		`_25._tcp.smtp.machin.com. 300 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20`)
	z.Secure("machin.com", "_25._tcp.smtp.machin.com")
	srv := ststest.Start(t, nil)
	srv.Set("machin.com", "version: STSv1\nmode: testing\nmx: smtp.machin.com\nmx: *.machin.com\nmax_age: 600\n")
	addr := startDNS(t, z)
	sts := mtasts.New(dnsmx.New(dnsmx.Config{Server: addr}), mtasts.Options{RootCAs: srv.CA.Pool(), DialContext: srv.Dial})
	raw, err := os.ReadFile(filepath.Join("testdata", "messages", "primary-mx.eml"))
	if err != nil {
		t.Fatal(err)
	}
	r, updates := resolveFile(t, raw, addr, Options{MTASTS: sts})
	var d DomainMX
	for _, dm := range r.DNS.Domains {
		if dm.Domain == "machin.com" {
			d = dm
		}
		if dm.Domain == "truc.fr" && dm.Security != nil {
			t.Errorf("the sender's domain got security look-ups")
		}
	}
	sec := d.Security
	if sec == nil || !d.DNSSEC.Secure || r.DNS.DNSSECTrust != dnsmx.ADConfigured {
		t.Fatalf("machin.com %+v (trust %v)", d, r.DNS.DNSSECTrust)
	}
	if sec.MTASTS.Mode() != mtasts.ModeTesting || sec.MTASTS.PolicyID != "42" || sec.TLSRPT.Record == nil || len(sec.DANE) != 2 {
		t.Errorf("security %+v", sec)
	}
	if tl, ok := sec.TLSA("smtp.machin.com"); !ok || !tl.DNSSEC.Secure || len(tl.Records) != 1 || !tl.Usable() {
		t.Errorf("TLSA of smtp.machin.com %+v", tl)
	}
	seen := false
	for _, u := range updates {
		seen = seen || u.Kind == UpdateSecurity && u.Security.Domain == "machin.com" && u.Security.Security != nil
	}
	if !seen {
		t.Errorf("no UpdateSecurity among %v", updates)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    MX answer with the DNSSEC AD bit\n    MTA-STS: record id=42, policy https://mta-sts.machin.com/.well-known/mta-sts.txt\n    mode testing, mx smtp.machin.com, *.machin.com, max_age 600 s (fetched, id 42)\n",
		"    DANE _25._tcp.smtp.machin.com: DANE-EE 3 1 1 0102",
		"    DANE _25._tcp.backup.machin.com: none\n",
		"    TLS-RPT: reports to mailto:tls@machin.com\n",
		"  DNSSEC: the DNSSEC AD bit comes from the DNS server you configured",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"mta_sts": {`) || !strings.Contains(js.String(), `"dnssec_trust": "configured"`) {
		t.Errorf("JSON %v:\n%s", err, js.String())
	}
}
