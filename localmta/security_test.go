package localmta

// MTA-STS (RFC 8461) and DANE (RFC 7672) in the transport agent, end to
// end on loopback: Facteur's MTA delivers by MX to a go-smtp server with
// STARTTLS, the in-process DNS server answers MX, A, the _mta-sts TXT
// record and TLSA with the AD bit, and an HTTPS server on loopback serves
// the policies.

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"facteur/internal/mtasts"
	"facteur/internal/mtasts/ststest"
	"facteur/internal/testpki"
	"facteur/localmta/queue"

	"github.com/emersion/go-smtp"
)

// secureMX is one MX server, the DNS and the policy server around it.
type secureMX struct {
	ca   *testpki.CA
	sts  *ststest.Server
	zone *zone
	port int
	sink *sink
}

// startSecureMX runs a go-smtp server on 127.0.0.2 with tlsCfg (nil: no
// STARTTLS), a DNS zone and a policy server of the CA ca.
func startSecureMX(t *testing.T, ca *testpki.CA, tlsCfg *tls.Config) *secureMX {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip("loopback address 127.0.0.2 not usable:", err)
	}
	s := &secureMX{ca: ca, sink: &sink{}, port: ln.Addr().(*net.TCPAddr).Port}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s.sink}, nil }))
	srv.Domain, srv.TLSConfig = "mx.test", tlsCfg
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.sts = ststest.Start(t, ca)
	s.zone = newZone(t)
	return s
}

// mta starts a sending MTA that trusts the CA and reaches the policy
// server.
func (s *secureMX) mta(t *testing.T) *MTA {
	return startMTA(t, Config{
		Hostname: "sender.test", Listeners: []Listener{{Addr: "127.0.0.1:0"}},
		DNSServer: s.zone.addr, MXPort: s.port, RootCAs: s.ca.Pool(),
		MTASTS: mtasts.Options{DialContext: s.sts.Dial},
	})
}

// domain publishes "domain MX 10 host", "host A 127.0.0.2", and, when
// policy is not empty, an MTA-STS record and policy.
func (s *secureMX) domain(t *testing.T, domain, host, policy string) {
	s.zone.add(t, domain+". IN MX 10 "+host+".")
	s.zone.add(t, host+". IN A 127.0.0.2")
	if policy != "" {
		s.zone.add(t, `_mta-sts.`+domain+`. IN TXT "v=STSv1; id=1"`)
		s.sts.Set(domain, policy)
	}
}

// tlsa publishes a TLSA record of host, secure (AD) or not.
func (s *secureMX) tlsa(t *testing.T, host, record string, secure bool) {
	name := fmt.Sprintf("_%d._tcp.%s", s.port, host)
	s.zone.add(t, name+". IN TLSA "+record)
	if secure {
		s.zone.Secure(name)
	}
}

func (s *secureMX) delivered() int {
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	return len(s.sink.msgs)
}

// deliver runs one delivery of a message to rcpt and returns its result.
func deliver(t *testing.T, m *MTA, rcpt string) queue.Result {
	t.Helper()
	msg := queue.Message{ID: queue.NewID(), From: "fred@sender.test", Rcpts: []queue.Rcpt{{Addr: rcpt, Status: queue.StatusPending}}}
	body := func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("Subject: t\r\n\r\nhello\r\n")), nil
	}
	res := m.Deliver(context.Background(), msg, body)
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	return res[0]
}

func policy(mode string, mx ...string) string {
	p := "version: STSv1\nmode: " + mode + "\nmax_age: 86400\n"
	for _, h := range mx {
		p += "mx: " + h + "\n"
	}
	return p
}

func TestMTASTSDelivery(t *testing.T) {
	ca, other := testpki.New(t, "Test CA"), testpki.New(t, "Unknown CA")
	byName := ca.ServerConfig()
	wrongName := &tls.Config{Certificates: []tls.Certificate{*ca.MustIssue(t, "other.test")}}
	untrusted := &tls.Config{Certificates: []tls.Certificate{*other.MustIssue(t, "mx.sts.test")}}
	tests := []struct {
		name   string
		tls    *tls.Config
		policy string
		mxHost string
		want   string // "" delivered, else a substring of the deferral
	}{
		{"enforce, valid certificate", byName, policy("enforce", "*.sts.test"), "mx.sts.test", ""},
		{"enforce, MX not in the policy", byName, policy("enforce", "mail.sts.test"), "mx.sts.test", "451 4.7.5 mx.sts.test does not match the MTA-STS policy's mx patterns (mail.sts.test)"},
		{"enforce, certificate for another name", wrongName, policy("enforce", "mx.sts.test"), "mx.sts.test", "451 4.7.5 MTA-STS enforce: mx.sts.test: certificate check failed: x509: certificate is valid for other.test"},
		{"enforce, unknown CA", untrusted, policy("enforce", "mx.sts.test"), "mx.sts.test", "451 4.7.5 MTA-STS enforce: mx.sts.test: certificate check failed: x509: certificate signed by unknown authority"},
		{"enforce, no STARTTLS", nil, policy("enforce", "mx.sts.test"), "mx.sts.test", "451 4.7.4 MTA-STS enforce: TLS is required, but mx.sts.test offers no STARTTLS"},
		{"testing, certificate for another name", wrongName, policy("testing", "mx.sts.test"), "mx.sts.test", ""},
		{"testing, MX not in the policy", byName, policy("testing", "mail.sts.test"), "mx.sts.test", ""},
		{"testing, no STARTTLS", nil, policy("testing", "mx.sts.test"), "mx.sts.test", ""},
		{"none, unknown CA", untrusted, policy("none"), "mx.sts.test", ""},
		{"no policy, unknown CA", untrusted, "", "mx.sts.test", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSecureMX(t, ca, tt.tls)
			s.domain(t, "sts.test", tt.mxHost, tt.policy)
			m := s.mta(t)
			res := deliver(t, m, "marc@sts.test")
			checkResult(t, res, tt.want, s)
			if tt.want == "" && tt.name == "enforce, valid certificate" {
				if sess := m.Sessions(); len(sess) != 1 || !strings.Contains(sess[0].TLS, "certificate verified (MTA-STS enforce)") {
					t.Errorf("sessions %+v", sess)
				}
			}
		})
	}
}

func checkResult(t *testing.T, res queue.Result, want string, s *secureMX) {
	t.Helper()
	switch {
	case want == "" && (res.Err != nil || s.delivered() != 1):
		t.Fatalf("not delivered: %v (the MX got %d messages)", res.Err, s.delivered())
	case want == "":
		return
	}
	enh, text, _ := strings.Cut(strings.TrimPrefix(want, "451 "), " ")
	if res.Err == nil || !strings.Contains(res.Err.Error(), text) {
		t.Fatalf("result %v; want a deferral with %q", res.Err, text)
	}
	if perm, code, got := queue.Classify(res.Err); perm || code != 451 || got != enh {
		t.Fatalf("%v is not a deferral %s (permanent %v, code %d, %s)", res.Err, enh, perm, code, got)
	}
	if s.delivered() != 0 {
		t.Fatalf("the MX got the message despite the policy")
	}
}

func TestDANEDelivery(t *testing.T) {
	ca, other := testpki.New(t, "Test CA"), testpki.New(t, "Unknown CA")
	leaf := other.MustIssue(t, "whatever.test") // DANE-EE: neither the CA nor the name matter
	ee := &tls.Config{Certificates: []tls.Certificate{*leaf}}
	byName := ca.ServerConfig()
	eeRecord := "3 1 1 " + tlsaOf(3, 1, leaf.Leaf).Hex
	taRecord := "2 0 1 " + tlsaOf(2, 0, ca.Cert).Hex
	wrong := "3 1 1 " + strings.Repeat("ab", 32)
	tests := []struct {
		name       string
		tls        *tls.Config
		record     string
		secure     bool // MX, address and TLSA answers with AD
		servfail   bool // the TLSA look-up fails
		policyMode string
		want       string
	}{
		{"DANE-EE", ee, eeRecord, true, false, "", ""},
		{"DANE-TA", byName, taRecord, true, false, "", ""},
		{"DANE-EE mismatch", ee, wrong, true, false, "", "451 4.7.5 DANE: mx.dane.test: certificate check failed: no TLSA record matches"},
		{"DANE-TA, certificate of another CA", ee, taRecord, true, false, "", "451 4.7.5 DANE: mx.dane.test: certificate check failed: no TLSA record matches"},
		{"DANE, no STARTTLS", nil, eeRecord, true, false, "", "451 4.7.4 DANE: TLS is required, but mx.dane.test offers no STARTTLS"},
		{"TLSA look-up fails", ee, eeRecord, true, true, "", "451 4.7.5 DANE: the TLSA look-up of mx.dane.test failed"},
		{"TLSA without AD: opportunistic", ee, wrong, false, false, "", ""},
		{"DANE wins over MTA-STS", ee, eeRecord, true, false, "enforce", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSecureMX(t, ca, tt.tls)
			p := ""
			if tt.policyMode != "" {
				p = policy(tt.policyMode, "mx.dane.test") // its certificate would fail MTA-STS
			}
			s.domain(t, "dane.test", "mx.dane.test", p)
			s.tlsa(t, "mx.dane.test", tt.record, tt.secure)
			if tt.secure {
				s.zone.Secure("dane.test", "mx.dane.test")
			}
			if tt.servfail {
				s.zone.ServFail(fmt.Sprintf("_%d._tcp.mx.dane.test", s.port))
			}
			m := s.mta(t)
			checkResult(t, deliver(t, m, "marc@dane.test"), tt.want, s)
			if tt.want == "" && tt.secure && tt.tls != nil {
				if sess := m.Sessions(); len(sess) != 1 || !strings.Contains(sess[0].TLS, "certificate verified (DANE)") {
					t.Errorf("sessions %+v", sess)
				}
			}
		})
	}
}

// A deferral for a policy shows in the queue (mailq) with its reason,
// and the message stays queued.
func TestPolicyDeferralInQueue(t *testing.T) {
	ca := testpki.New(t, "Test CA")
	s := startSecureMX(t, ca, nil)
	s.domain(t, "sts.test", "mx.sts.test", policy("enforce", "mx.sts.test"))
	m := s.mta(t)
	msg := queue.Message{From: "fred@sender.test", Rcpts: []queue.Rcpt{{Addr: "marc@sts.test"}}}
	q, err := m.Queue().Enqueue(context.Background(), msg, strings.NewReader("Subject: t\r\n\r\nhello\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got queue.Message
	waitFor(t, "the first attempt", func() bool {
		got, err = m.Queue().Get(q.ID)
		return err == nil && got.Rcpts[0].Attempts > 0
	})
	r := got.Rcpts[0]
	if r.Status != queue.StatusPending || r.Code != 451 || r.Enhanced != "4.7.4" || !strings.Contains(r.LastError, "TLS is required, but mx.sts.test offers no STARTTLS") {
		t.Fatalf("queued recipient %+v", r)
	}
	if s.delivered() != 0 {
		t.Fatalf("delivered in clear despite the policy")
	}
}
