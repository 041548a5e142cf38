package route

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"facteur/internal/dnsmx"
	"facteur/internal/dnsmx/dnstest"
	"facteur/internal/mtasts"
	"facteur/internal/mtasts/ststest"
	"facteur/localmta"
	"facteur/mua/account"
)

const zoneText = `
sts.test.              60 IN MX 10 mx.sts.test.
sts.test.              60 IN MX 20 backup.elsewhere.test.
mx.sts.test.           60 IN A 127.0.0.2
backup.elsewhere.test. 60 IN A 127.0.0.3
_mta-sts.sts.test.     60 IN TXT "v=STSv1; id=20260101"
_smtp._tls.sts.test.   60 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"
dane.test.             60 IN MX 10 mx.dane.test.
mx.dane.test.          60 IN A 127.0.0.4
_25._tcp.mx.dane.test. 60 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
null.test.             60 IN MX 0 .
nohost.test.           60 IN TXT "no mail here"
implicit.test.         60 IN A 127.0.0.5
strict.test.           60 IN MX 10 mx.strict.test.
mx.strict.test.        60 IN A 127.0.0.6
_mta-sts.strict.test.  60 IN TXT "v=STSv1; id=1"
`

type fixture struct {
	res *dnsmx.Resolver
	sts *mtasts.Client
	srv *ststest.Server
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	z := dnstest.New(t, zoneText)
	z.Secure("dane.test", "mx.dane.test", "_25._tcp.mx.dane.test")
	z.Bogus("forged.test")
	z.ServFail("broken.test")
	srv := ststest.Start(t, nil)
	srv.Set("sts.test", "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 86400\n")
	srv.Set("strict.test", "version: STSv1\nmode: enforce\nmx: *.other.test\nmax_age: 86400\n")
	res := dnsmx.New(dnsmx.Config{Server: z.Start(t)})
	return fixture{res: res, sts: mtasts.New(res, mtasts.Options{RootCAs: srv.CA.Pool(), DialContext: srv.Dial}), srv: srv}
}

func (f fixture) preview(t *testing.T, req Request) *Report {
	t.Helper()
	req.Resolver, req.MTASTS = f.res, f.sts
	r, err := Preview(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func domainOf(t *testing.T, r *Report, name string) Domain {
	t.Helper()
	for _, d := range r.Domains {
		if d.Domain == name {
			return d
		}
	}
	t.Fatalf("no domain %s in %+v", name, r.Domains)
	return Domain{}
}

func TestPreviewLocalMX(t *testing.T) {
	f := newFixture(t)
	router := localmta.NewRouter(localmta.Config{Hostname: "smtp.truc.fr", Listeners: []localmta.Listener{{Addr: "127.0.0.1:2525"}}})
	r := f.preview(t, Request{MTA: router, Recipients: []string{
		"Marc <marc@sts.test>, anne@STS.test", "bob@dane.test", "x@null.test", "y@nohost.test",
		"z@gone.test", "w@implicit.test", "v@strict.test", "not an address",
		"u@forged.test", "t@broken.test",
	}})
	if r.Account != "Local" || r.DNSSEC != dnsmx.ADConfigured || len(r.Invalid) != 1 || r.Invalid[0].Text != "not an address" {
		t.Fatalf("report %+v", r)
	}
	sts := domainOf(t, r, "sts.test")
	if len(sts.Recipients) != 2 || !sts.Enforced || sts.Flag != "" || len(sts.Hosts) != 2 || sts.Security.MTASTS.Mode() != mtasts.ModeEnforce {
		t.Fatalf("sts.test %+v", sts)
	}
	if h := sts.Hosts[0]; h.Host != "mx.sts.test" || !*h.STSMatch || !h.TLS.Require || h.TLS.Verify != localmta.VerifyPKIX || h.Addrs[0].String() != "127.0.0.2" {
		t.Errorf("mx.sts.test %+v %+v", h, h.TLS)
	}
	if h := sts.Hosts[1]; *h.STSMatch || !h.TLS.Skip {
		t.Errorf("backup.elsewhere.test %+v %+v", h, h.TLS)
	}
	if rpt := sts.Security.TLSRPT.Record; rpt == nil || rpt.RUA[0] != "mailto:tlsrpt@sts.test" {
		t.Errorf("TLS-RPT %+v", sts.Security.TLSRPT)
	}
	if p := sts.Path; len(p) != 2 || p[0].Kind != StepLocalMTA || p[0].Host != "smtp.truc.fr" || p[1].Kind != StepMX || p[1].Domain != "sts.test" {
		t.Errorf("path %+v", p)
	}
	dane := domainOf(t, r, "dane.test")
	tl, _ := dane.Security.TLSA("mx.dane.test")
	if !dane.MX.DNSSEC.Secure || !tl.DNSSEC.Secure || len(tl.Records) != 1 || dane.Hosts[0].TLS.Verify != localmta.VerifyDANE || dane.Hosts[0].STSMatch != nil {
		t.Errorf("dane.test %+v, TLSA %+v, TLS %+v", dane, tl, dane.Hosts[0].TLS)
	}
	flags := map[string]Flag{"null.test": FlagNullMX, "nohost.test": FlagNoMailHost, "gone.test": FlagNoDomain, "strict.test": FlagNoAcceptedMX, "implicit.test": "",
		"forged.test": FlagDNSSECBogus, "broken.test": ""}
	for name, want := range flags {
		if d := domainOf(t, r, name); d.Flag != want || (want != "") != (d.Warning != "") {
			t.Errorf("%s: flag %q (%s); want %q", name, d.Flag, d.Warning, want)
		}
	}
	if d := domainOf(t, r, "implicit.test"); !d.MX.Implicit || len(d.Hosts) != 1 || d.Hosts[0].Host != "implicit.test" {
		t.Errorf("implicit.test %+v", d)
	}
	if len(r.Flagged()) != 5 {
		t.Errorf("flagged %d domains; want 5", len(r.Flagged()))
	}
}

func TestPreviewLocalTables(t *testing.T) {
	f := newFixture(t)
	cfg := localmta.Config{
		Hostname:     "smtp.truc.fr",
		LocalDomains: []string{"truc.fr"},
		Transports: localmta.TransportTable{
			"machin.com":    {Kind: localmta.TransportSMTP, Host: "127.0.0.3", Port: 2526, NoMX: true},
			"bounce.test":   {Kind: localmta.TransportError, Text: "we do not write to them"},
			"marc@sts.test": {Kind: localmta.TransportSMTP, Host: "gw.sub.test"},
		},
	}
	r := f.preview(t, Request{MTA: localmta.NewRouter(cfg), Recipients: []string{"fred@truc.fr", "marc@machin.com", "a@bounce.test", "marc@sts.test", "anne@sts.test"}})
	tests := []struct {
		domain string
		index  int // which group of the domain
		kinds  string
		dns    bool
		flag   Flag
	}{
		{"truc.fr", 0, "local-mta mailbox", false, ""},
		{"machin.com", 0, "local-mta transport host", true, ""}, // the course's domain need not exist in DNS
		{"bounce.test", 0, "local-mta bounce", false, FlagRejected},
		{"sts.test", 0, "local-mta transport mx", true, ""},
		{"sts.test", 1, "local-mta mx", true, ""},
	}
	seen := map[string]int{}
	for _, d := range r.Domains {
		i := seen[d.Domain]
		seen[d.Domain]++
		for _, tt := range tests {
			if tt.domain != d.Domain || tt.index != i {
				continue
			}
			var kinds []string
			for _, s := range d.Path {
				kinds = append(kinds, string(s.Kind))
			}
			if strings.Join(kinds, " ") != tt.kinds || d.DNS != tt.dns || d.Flag != tt.flag {
				t.Errorf("%s #%d: path %s dns %v flag %q; want %s %v %q", d.Domain, i, kinds, d.DNS, d.Flag, tt.kinds, tt.dns, tt.flag)
			}
		}
	}
	if seen["sts.test"] != 2 || len(r.Domains) != 5 {
		t.Errorf("domains %v", seen)
	}
	if d := r.Domains[1]; d.Path[1].Transport != "smtp:[127.0.0.3]:2526" || d.Path[2].Host != "127.0.0.3" || d.Path[2].Port != 2526 {
		t.Errorf("machin.com path %+v", d.Path)
	}
}

func TestPreviewRelayAndAccount(t *testing.T) {
	f := newFixture(t)
	relay := localmta.NewRouter(localmta.Config{Hostname: "h.test", RelayHost: &localmta.RelayHost{Host: "smtp.isp.test", Port: 587, NoMX: true}})
	r := f.preview(t, Request{MTA: relay, Recipients: []string{"x@null.test", "y@sts.test"}})
	null, sts := domainOf(t, r, "null.test"), domainOf(t, r, "sts.test")
	if null.Flag != FlagNullMX || null.Path[1].Kind != StepRelayHost || null.Path[2].Kind != StepProvider {
		t.Errorf("null.test through the relayhost %+v", null)
	}
	if sts.Enforced || sts.Hosts[0].TLS != nil || sts.Security.MTASTS.Policy == nil {
		t.Errorf("sts.test through the relayhost: the local MTA applies no policy, the facts are shown: %+v", sts)
	}
	a := &account.Account{Name: "work", Outgoing: account.Server{Host: "smtp.work.test", Security: account.SecurityStartTLS}}
	r = f.preview(t, Request{Account: a, Recipients: []string{"x@null.test", "y@sts.test"}})
	sts = domainOf(t, r, "sts.test")
	if r.Account != "work" || sts.Path[0].Kind != StepSubmission || sts.Path[0].Port != 587 || sts.Path[0].Host != "smtp.work.test" || sts.Enforced || domainOf(t, r, "null.test").Flag != FlagNullMX {
		t.Errorf("account report %+v", r)
	}
	if _, err := Preview(context.Background(), Request{Resolver: f.res}); err != ErrNoRecipient {
		t.Errorf("no recipient: %v", err)
	}
}

func TestPreviewOutput(t *testing.T) {
	f := newFixture(t)
	r := f.preview(t, Request{MTA: localmta.NewRouter(localmta.Config{Hostname: "smtp.truc.fr"}), Recipients: []string{"marc@sts.test", "x@null.test", "bob@dane.test"}})
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"!! null.test: null.test accepts no mail: it publishes a null MX (RFC 7505)",
		"  1. the local MTA smtp.truc.fr\n  2. the MX hosts of sts.test, by preference\n",
		"    10 mx.sts.test: 127.0.0.2\n      MTA-STS: matches the policy\n",
		"      the local MTA: TLS required with a certificate valid for mx.sts.test (MTA-STS enforce)\n",
		"  MTA-STS: record id=20260101, policy https://mta-sts.sts.test/.well-known/mta-sts.txt\n    mode enforce, mx mx.sts.test, max_age 86400 s (fetched, id 20260101)\n",
		"  TLS-RPT: reports to mailto:tlsrpt@sts.test\n",
		"      DANE _25._tcp.mx.dane.test: DANE-EE 3 1 1 0102",
		"(DNSSEC: AD)",
		"DNSSEC: the DNSSEC AD bit comes from the DNS server you configured and is trusted",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back["schema"].(float64) != 1 || back["dnssec_trust"] != "configured" {
		t.Fatalf("JSON %v: %s", err, buf.String())
	}
	for _, key := range []string{`"mta_sts_match": true`, `"verify": "pkix"`, `"flag": "null-mx"`, `"mode": "enforce"`, `"secure": true`, `"matching_type": 1`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

// Without an MTA-STS client the preview asks DNS only: the record is
// read, the policy is not fetched (the composer's quiet check).
func TestPreviewDNSOnly(t *testing.T) {
	f := newFixture(t)
	r, err := Preview(context.Background(), Request{Resolver: f.res, Recipients: []string{"marc@sts.test", "x@null.test"}})
	if err != nil {
		t.Fatal(err)
	}
	sts := domainOf(t, r, "sts.test")
	if sts.Security.MTASTS.Record == nil || sts.Security.MTASTS.Policy != nil || sts.Hosts[0].TLS == nil || sts.Hosts[0].TLS.Require {
		t.Errorf("sts.test without fetching %+v", sts.Security.MTASTS)
	}
	if f.srv.Fetches("sts.test") != 0 {
		t.Errorf("policy fetched")
	}
	if domainOf(t, r, "null.test").Flag != FlagNullMX {
		t.Errorf("null.test not flagged")
	}
}
