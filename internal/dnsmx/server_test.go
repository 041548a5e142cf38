package dnsmx

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// zoneText holds the records of the test server: the course's MX examples
// (slides "Email et DNS (2)" and "(3)") and the cases a resolver meets.
const zoneText = `
machin.com.            300 IN MX 10 smtp.machin.com.
machin.com.            300 IN MX 20 backup.machin.com.
smtp.machin.com.       300 IN A 127.0.0.3
backup.machin.com.     300 IN A 127.0.0.4
truc.fr.               300 IN MX 10 smtp.truc.fr.
smtp.truc.fr.          300 IN A 127.0.0.2
domain1.com.           300 IN MX 30 backup3.domain2.com.
domain1.com.           300 IN MX 10 backup1.domain1.com.
domain1.com.           300 IN MX 20 backup2.domain1.com.
equal.example.         300 IN MX 10 a.equal.example.
equal.example.         300 IN MX 10 b.equal.example.
equal.example.         300 IN MX 10 c.equal.example.
equal.example.         300 IN MX 5  first.equal.example.
implicit.example.      300 IN A 127.0.0.5
implicit.example.      300 IN AAAA ::5
v6only.example.        300 IN AAAA 2001:db8::25
nullmx.example.        300 IN MX 0 .
nullmx.example.        300 IN A 127.0.0.6
nomail.example.        300 IN TXT "no mail here"
alias.example.         300 IN CNAME machin.com.
outside.example.       300 IN CNAME implicit.example.
loop1.example.         300 IN CNAME loop2.example.
loop2.example.         300 IN CNAME loop1.example.
xn--bcher-kva.example. 300 IN MX 10 mx.xn--bcher-kva.example.
short.example.         1   IN MX 10 mx.short.example.
3.0.0.127.in-addr.arpa. 300 IN PTR smtp.machin.com.
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa. 300 IN PTR localhost.
_imaps._tcp.machin.com.      300 IN SRV 0 1 993 imap.machin.com.
_submission._tcp.machin.com. 300 IN SRV 10 1 587 smtp2.machin.com.
_submission._tcp.machin.com. 300 IN SRV 0 5 587 smtp.machin.com.
_submission._tcp.machin.com. 300 IN SRV 0 50 465 smtps.machin.com.
_pop3._tcp.machin.com.       300 IN SRV 0 0 0 .
machin.com.            300 IN TXT "v=spf1 ip4:127.0.0.3 " "ip4:127.0.0.4 -all"
machin.com.            300 IN TXT "course=" "itineraire"
sel._domainkey.machin.com. 300 IN TXT "v=DKIM1; k=ed25519; " "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
empty.machin.com.      300 IN TXT ""
txtalias.example.      300 IN CNAME sel._domainkey.machin.com.
sel._domainkey.xn--bcher-kva.example. 300 IN TXT "v=DKIM1; p="
`

// testZone serves zoneText on 127.0.0.1, UDP and TCP on one port, like an
// authoritative server that also answers recursive questions: it follows
// CNAMEs inside the zone except for outside.example, truncates UDP answers
// to the client's EDNS0 size, and has special names: servfail.example
// (SERVFAIL), drop.example (never answered), slow.example (answered after
// 200 ms), big.example (60 MX, too big for UDP) and
// key._domainkey.big.example (a TXT record of 1500 bytes, likewise).
type testZone struct {
	addr    string
	records map[string][]dns.RR // by lower-case owner name
	soa     dns.RR

	mu     sync.Mutex
	counts map[string]int // "name TYPE net" -> questions received
}

func newTestZone(t *testing.T) *testZone {
	t.Helper()
	z := &testZone{records: map[string][]dns.RR{}, counts: map[string]int{}}
	for _, line := range strings.Split(zoneText, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		z.add(t, line)
	}
	for i := range 60 {
		z.add(t, fmt.Sprintf("big.example. 300 IN MX %d a-rather-long-mail-exchanger-name-%02d.big.example.", i, i))
	}
	z.add(t, "slow.example. 300 IN MX 10 mx.slow.example.")
	z.add(t, "slow.example. 300 IN TXT \"slow\"")
	z.add(t, "key._domainkey.big.example. 300 IN TXT"+strings.Repeat(" \""+strings.Repeat("k", 250)+"\"", 6))
	z.soa = mustRR(t, "example. 300 IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60")
	z.start(t)
	return z
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return rr
}

func (z *testZone) add(t *testing.T, s string) {
	rr := mustRR(t, s)
	name := strings.ToLower(rr.Header().Name)
	z.records[name] = append(z.records[name], rr)
}

// start listens on one free port for UDP and TCP.
func (z *testZone) start(t *testing.T) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			continue
		}
		z.addr = pc.LocalAddr().String()
		z.serve(t, &dns.Server{PacketConn: pc, Handler: z})
		z.serve(t, &dns.Server{Listener: l, Handler: z})
		return
	}
	t.Fatal("no free port for UDP and TCP")
}

func (z *testZone) serve(t *testing.T, srv *dns.Server) {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
}

// count returns how many questions for name and type arrived over net
// ("udp", "tcp", or "" for both).
func (z *testZone) count(name string, qtype uint16, network string) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	n := 0
	for _, nw := range []string{"udp", "tcp"} {
		if network == "" || network == nw {
			n += z.counts[fmt.Sprintf("%s %s %s", dns.Fqdn(name), dns.TypeToString[qtype], nw)]
		}
	}
	return n
}

func (z *testZone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	q := req.Question[0]
	name, network := strings.ToLower(q.Name), w.LocalAddr().Network()
	z.mu.Lock()
	z.counts[fmt.Sprintf("%s %s %s", name, dns.TypeToString[q.Qtype], network)]++
	z.mu.Unlock()
	switch name {
	case "drop.example.":
		return
	case "slow.example.":
		time.Sleep(200 * time.Millisecond)
	}
	m := z.answer(req, name, q.Qtype)
	if network == "udp" {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// answer builds the reply to one question.
func (z *testZone) answer(req *dns.Msg, name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	if name == "servfail.example." {
		m.Rcode = dns.RcodeServerFailure
		return m
	}
	m.Answer = z.chase(name, qtype)
	if len(m.Answer) == 0 {
		if _, ok := z.records[name]; !ok {
			m.Rcode = dns.RcodeNameError
		}
		m.Ns = []dns.RR{z.soa}
	}
	return m
}

// chase returns the records of name and type, following in-zone CNAMEs.
func (z *testZone) chase(name string, qtype uint16) []dns.RR {
	var out []dns.RR
	for range 4 {
		next := ""
		for _, rr := range z.records[name] {
			switch {
			case rr.Header().Rrtype == qtype:
				out = append(out, rr)
			case rr.Header().Rrtype == dns.TypeCNAME:
				out, next = append(out, rr), strings.ToLower(rr.(*dns.CNAME).Target)
			}
		}
		if next == "" || name == "outside.example." {
			return out
		}
		name = next
	}
	return out
}
