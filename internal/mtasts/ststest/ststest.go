// Package ststest is an MTA-STS policy server for tests (RFC 8461 §3.3):
// one HTTPS server on 127.0.0.1 that answers for every
// "mta-sts.DOMAIN" with the policy set for DOMAIN, presenting a
// certificate for that name from a test CA (internal/testpki), and a
// dialer that sends every "mta-sts.*:443" connection to it.
package ststest

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"facteur/internal/testpki"
)

// Response is what the server answers for one domain.
type Response struct {
	Status      int    // 0 means 200
	ContentType string // "" means text/plain
	Body        string
	Location    string // a redirect's target
}

// Server is a running policy server. Its methods are safe for concurrent
// use.
type Server struct {
	CA   *testpki.CA
	Addr string // "127.0.0.1:PORT"

	mu      sync.Mutex
	answers map[string]Response // by domain
	fetches map[string]int
	wrong   map[string]bool // domains whose server presents a certificate for another name
}

// Start runs a server until the test ends. A nil ca makes a new one.
func Start(t testing.TB, ca *testpki.CA) *Server {
	t.Helper()
	if ca == nil {
		ca = testpki.New(t, "Facteur MTA-STS test CA")
	}
	s := &Server{CA: ca, answers: map[string]Response{}, fetches: map[string]int{}, wrong: map[string]bool{}}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	ts.TLS = ca.ServerConfig()
	issue := ts.TLS.GetCertificate
	ts.TLS.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		domain, _ := strings.CutPrefix(strings.ToLower(hello.ServerName), "mta-sts.")
		s.mu.Lock()
		wrong := s.wrong[domain]
		s.mu.Unlock()
		if wrong {
			return ca.Issue("mta-sts.wrong-name.invalid")
		}
		return issue(hello)
	}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	ts.StartTLS()
	t.Cleanup(ts.Close)
	s.Addr = ts.Listener.Addr().String()
	return s
}

// Set serves policy as the body of domain's policy (200, text/plain).
func (s *Server) Set(domain, policy string) { s.SetResponse(domain, Response{Body: policy}) }

// SetResponse sets the whole answer for domain.
func (s *Server) SetResponse(domain string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[strings.ToLower(domain)] = r
}

// WrongName makes the server of domain's policy present a certificate
// for another name.
func (s *Server) WrongName(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wrong[strings.ToLower(domain)] = true
}

// Fetches counts the requests for domain's policy.
func (s *Server) Fetches(domain string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[strings.ToLower(domain)]
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	host, _, err := net.SplitHostPort(req.Host)
	if err != nil {
		host = req.Host
	}
	domain, ok := strings.CutPrefix(strings.ToLower(host), "mta-sts.")
	s.mu.Lock()
	s.fetches[domain]++
	r, known := s.answers[domain]
	s.mu.Unlock()
	if !ok || !known || req.URL.Path != "/.well-known/mta-sts.txt" {
		http.NotFound(w, req)
		return
	}
	if r.ContentType == "" {
		r.ContentType = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", r.ContentType)
	if r.Location != "" {
		w.Header().Set("Location", r.Location)
	}
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	w.WriteHeader(r.Status)
	fmt.Fprint(w, r.Body)
}

// Dial connects every "mta-sts.*:443" to the server; other addresses are
// refused, so that a test never leaves loopback.
func (s *Server) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port != "443" || !strings.HasPrefix(strings.ToLower(host), "mta-sts.") {
		return nil, fmt.Errorf("ststest: no policy server at %s", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, s.Addr)
}
