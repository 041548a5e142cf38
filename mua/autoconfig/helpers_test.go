package autoconfig

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/internal/dnsmx"
	"facteur/internal/dnsmx/dnstest"
	"facteur/mua/internal/testtls"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	testUser = "marc@example.test"
	testPass = "secret"
)

// pki is shared by the tests of the package.
var pki = sync.OnceValue(func() *testtls.PKI {
	p, err := testtls.New()
	if err != nil {
		panic(err)
	}
	return p
})

// startDNS serves records (zone-file lines) on 127.0.0.1:0 over UDP and
// returns a resolver pointed at it. Unknown names are NXDOMAIN; known names
// without the type asked are NODATA.
func startDNS(t *testing.T, records ...string) *dnsmx.Resolver {
	t.Helper()
	return dnsmx.New(dnsmx.Config{Server: dnstest.Serve(t, records...), Timeout: 2 * time.Second})
}

// startHTTPS serves files by path ("/mail/config-v1.1.xml") over HTTPS
// with the test CA's certificate, and counts the requests.
func startHTTPS(t *testing.T, files map[string]string) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI())
		mu.Unlock()
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, body)
	}))
	srv.TLS = pki().Server.Clone()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &seen
}

// listen opens 127.0.0.1:0, with implicit TLS when cfg is not nil.
func listen(t *testing.T, cfg *tls.Config) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	return ln
}

// startIMAP runs imapmemserver with user testUser: implicit TLS with cfg,
// or STARTTLS with startTLS.
func startIMAP(t *testing.T, cfg, startTLS *tls.Config) string {
	t.Helper()
	mem := imapmemserver.New()
	mem.AddUser(imapmemserver.NewUser(testUser, testPass))
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		TLSConfig:    startTLS,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln := listen(t, cfg)
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}

// startPOP3 runs a tiny POP3 server (RFC 1939 USER/PASS/QUIT, CAPA) for
// testUser, over implicit TLS when cfg is not nil.
func startPOP3(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln := listen(t, cfg)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { pop3Session(c) })
		}
	})
	return ln.Addr().String()
}

func pop3Session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	io.WriteString(c, "+OK test POP3 ready\r\n")
	var user string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(cmd) {
		case "CAPA":
			io.WriteString(c, "+OK\r\nUSER\r\nUIDL\r\n.\r\n")
		case "USER":
			user = arg
			io.WriteString(c, "+OK\r\n")
		case "PASS":
			if user == testUser && arg == testPass {
				io.WriteString(c, "+OK logged in\r\n")
			} else {
				io.WriteString(c, "-ERR [AUTH] invalid login\r\n")
			}
		case "QUIT":
			io.WriteString(c, "+OK bye\r\n")
			return
		default:
			io.WriteString(c, "-ERR unknown command\r\n")
		}
	}
}

// startSMTP runs a go-smtp submission server with AUTH PLAIN for testUser:
// implicit TLS with cfg, or STARTTLS with startTLS.
func startSMTP(t *testing.T, cfg, startTLS *tls.Config) string {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{}, nil }))
	srv.Domain = "smtp.example.test"
	srv.AllowInsecureAuth = true
	srv.TLSConfig = startTLS
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln := listen(t, cfg)
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}

type smtpSession struct{}

func (smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != testUser || pass != testPass {
			return errors.New("invalid credentials")
		}
		return nil
	}), nil
}
func (smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (smtpSession) Data(io.Reader) error                 { return nil }
func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }

// mapDial dials "host:port" through a map to loopback addresses; anything
// else is refused, as a host that is not there.
func mapDial(m map[string]string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		to, ok := m[addr]
		if !ok {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused (test)")}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, to)
	}
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln := listen(t, nil)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
