// Package dnstest is an authoritative DNS server for tests: miekg/dns on a
// UDP port of 127.0.0.1, serving records written in the master-file form of
// RFC 1035 ("machin.com. 300 IN MX 10 smtp.machin.com."). A name it does
// not hold is NXDOMAIN; a name it holds without the type asked is NODATA
// with an SOA (RFC 2308). Names can be made to fail (SERVFAIL), to stay
// silent (a timeout), or to wait until Release (answers that arrive one by
// one), or to fail DNSSEC validation as a validating resolver says it
// (SERVFAIL with the extended error "DNSSEC Bogus", RFC 8914). Records can
// be added while it serves.
package dnstest

import (
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Zone is the server's data. Its methods are safe for concurrent use.
type Zone struct {
	mu       sync.Mutex
	rrs      []dns.RR
	servfail map[string]bool
	bogus    map[string]bool
	silent   map[string]bool
	held     map[string]bool
	secure   map[string]bool
	release  chan struct{}
	once     sync.Once
	queries  int
}

// New returns a zone holding the records of text: one record a line,
// blank lines skipped.
func New(t testing.TB, text ...string) *Zone {
	t.Helper()
	z := &Zone{servfail: map[string]bool{}, bogus: map[string]bool{}, silent: map[string]bool{}, held: map[string]bool{}, secure: map[string]bool{}, release: make(chan struct{})}
	z.Add(t, text...)
	return z
}

// Serve starts a zone of those records until the test ends and returns its
// address ("127.0.0.1:PORT").
func Serve(t testing.TB, text ...string) string {
	t.Helper()
	return New(t, text...).Start(t)
}

// Add publishes the records of text (one a line).
func (z *Zone) Add(t testing.TB, text ...string) {
	t.Helper()
	for _, block := range text {
		for _, line := range strings.Split(block, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			rr, err := dns.NewRR(line)
			if err != nil {
				t.Fatalf("dnstest: %q: %v", line, err)
			}
			z.AddRR(rr)
		}
	}
}

// AddRR publishes a record built in Go (a long TXT, say).
func (z *Zone) AddRR(rr dns.RR) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.rrs = append(z.rrs, rr)
}

// ServFail makes the names answer SERVFAIL.
func (z *Zone) ServFail(names ...string) { z.mark(z.servfail, names) }

// Bogus makes the names answer as a validating resolver answers for a
// forged or broken signed zone: SERVFAIL with extended DNS error 6, DNSSEC
// Bogus (RFC 8914 §4.7), when the question carries EDNS0.
func (z *Zone) Bogus(names ...string) { z.mark(z.bogus, names) }

// Silent makes the names never answered (the client times out).
func (z *Zone) Silent(names ...string) { z.mark(z.silent, names) }

// Hold keeps the answers for the names until Release.
func (z *Zone) Hold(names ...string) { z.mark(z.held, names) }

// Secure makes the answers for the names (records or denials) carry the
// AD bit when the question asked for it.
func (z *Zone) Secure(names ...string) { z.mark(z.secure, names) }

// Release lets the held answers go.
func (z *Zone) Release() { z.once.Do(func() { close(z.release) }) }

func (z *Zone) mark(set map[string]bool, names []string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, n := range names {
		set[strings.ToLower(dns.Fqdn(n))] = true
	}
}

// Queries counts the questions received.
func (z *Zone) Queries() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.queries
}

// Start serves the zone until the test ends (held answers are released
// then) and returns its address.
func (z *Zone) Start(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(z.serve)}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() {
		z.Release()
		_ = srv.Shutdown()
	})
	return pc.LocalAddr().String()
}

func (z *Zone) serve(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) == 0 {
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	z.mu.Lock()
	z.queries++
	held, silent := z.held[name], z.silent[name]
	z.mu.Unlock()
	if silent {
		return
	}
	if held {
		<-z.release
	}
	_ = w.WriteMsg(z.answer(req, name, q.Qtype))
}

// answer is the reply to one question.
func (z *Zone) answer(req *dns.Msg, name string, qtype uint16) *dns.Msg {
	z.mu.Lock()
	defer z.mu.Unlock()
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	opt := req.IsEdns0()
	m.AuthenticatedData = z.secure[name] && (req.AuthenticatedData || opt != nil && opt.Do())
	if opt != nil {
		m.SetEdns0(opt.UDPSize(), opt.Do())
	}
	if z.servfail[name] || z.bogus[name] {
		m.AuthenticatedData = false
		m.Rcode = dns.RcodeServerFailure
		if z.bogus[name] && opt != nil {
			ede := &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeDNSBogus, ExtraText: "validation failure <" + name + ">: signature crypto failed"}
			m.IsEdns0().Option = append(m.IsEdns0().Option, ede)
		}
		return m
	}
	exists := false
	for _, rr := range z.rrs {
		if strings.EqualFold(rr.Header().Name, name) {
			exists = true
			if rr.Header().Rrtype == qtype {
				m.Answer = append(m.Answer, dns.Copy(rr))
			}
		}
	}
	if !exists {
		m.Rcode = dns.RcodeNameError
	}
	if len(m.Answer) == 0 {
		soa, _ := dns.NewRR(". 1 IN SOA ns. host. 1 1 1 1 1")
		m.Ns = []dns.RR{soa}
	}
	return m
}

// ClosedPort returns a loopback UDP address where nothing listens, and
// where no server of another test can come to listen meanwhile: its port
// is below the ephemeral ranges (Linux's from 32768, Windows' from 49152)
// that a listener on port 0 gets its port from. A port freed by a socket
// of port 0 was soon given to another test's server (Wine hands them out
// in order), whose answers then came from the "closed" port.
func ClosedPort(t testing.TB) string {
	t.Helper()
	for range 100 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(20000+rand.IntN(12000)))
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			continue // taken: another one
		}
		pc.Close()
		return addr
	}
	t.Fatal("dnstest: no free UDP port between 20000 and 32000")
	return ""
}
