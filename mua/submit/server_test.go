package submit

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"testing"

	"facteur/mua/account"
	"facteur/mua/internal/testtls"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is what the test server got in one transaction.
type received struct {
	From  string
	Rcpts []string
	Data  []byte
	TLS   bool
	User  string
}

// testServer is a go-smtp submission server on 127.0.0.1 that records
// exactly what arrives.
type testServer struct {
	mu      sync.Mutex
	got     []received
	mails   int // MAIL commands seen, even of transactions without DATA
	reject  map[string]*smtp.SMTPError
	srv     *smtp.Server
	Addr    string
	Port    int
	PKI     *testtls.PKI
	ln      net.Listener
	stopped chan struct{}
}

type serverOpts struct {
	startTLS bool // offer STARTTLS with the test CA's certificate
	implicit bool // implicit TLS
	maxBytes int64
	addr     string       // "" means 127.0.0.1:0
	pki      *testtls.PKI // nil: a new one
	// wrap, when set, replaces each session (other AUTH mechanisms).
	wrap func(*session) smtp.Session
}

func startServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	pki, err := o.pki, error(nil)
	if pki == nil {
		pki, err = testtls.New()
	}
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{reject: map[string]*smtp.SMTPError{}, PKI: pki, stopped: make(chan struct{})}
	var be smtp.Backend = ts
	if o.wrap != nil {
		be = smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
			base, err := ts.NewSession(c)
			return o.wrap(base.(*session)), err
		})
	}
	s := smtp.NewServer(be)
	s.Domain = "smtp.test"
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.MaxMessageBytes = o.maxBytes
	s.EnableSMTPUTF8 = true
	s.AllowInsecureAuth = !o.startTLS && !o.implicit
	if o.startTLS {
		s.TLSConfig = pki.Server
	}
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	if o.implicit {
		ln, err = tls.Listen("tcp", addr, pki.Server)
	} else {
		ln, err = net.Listen("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	ts.srv, ts.ln, ts.Addr = s, ln, ln.Addr().String()
	ts.Port = ln.Addr().(*net.TCPAddr).Port
	go func() { s.Serve(ln); close(ts.stopped) }()
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) Close() {
	ts.srv.Close()
	<-ts.stopped
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.got...)
}

func (ts *testServer) mailCount() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.mails
}

func (ts *testServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{ts: ts, cur: received{TLS: isTLS}}, nil
}

type session struct {
	ts  *testServer
	cur received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "fred@truc.fr" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.ts.mu.Lock()
	s.ts.mails++
	s.ts.mu.Unlock()
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ts.mu.Lock()
	rej := s.ts.reject[to]
	s.ts.mu.Unlock()
	if rej != nil {
		return rej
	}
	s.cur.Rcpts = append(s.cur.Rcpts, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	s.ts.mu.Lock()
	s.ts.got = append(s.ts.got, s.cur)
	s.ts.mu.Unlock()
	s.cur = received{TLS: s.cur.TLS, User: s.cur.User}
	return nil
}

func (s *session) Reset()        { s.cur = received{TLS: s.cur.TLS, User: s.cur.User} }
func (s *session) Logout() error { return nil }

// passwords is a fixed password source.
type passwords map[string]string

func (p passwords) Get(key string) (string, error) {
	if v, ok := p[key]; ok {
		return v, nil
	}
	return "", account.ErrNotFound
}

// testAccount is an account whose SMTP server is ts.
func testAccount(ts *testServer, sec account.Security) account.Account {
	return account.Account{
		Name:     "truc",
		Identity: account.Identity{Name: "Fred Truc", Address: "fred@truc.fr", Signature: "Fred"},
		Protocol: account.POP3,
		Incoming: account.Server{Host: "127.0.0.1", Port: 1},
		Outgoing: account.Server{Host: "127.0.0.1", Port: ts.Port, Security: sec},
	}
}

func testClient(ts *testServer) *Client {
	return &Client{
		Dialer:    &account.Dialer{RootCAs: ts.PKI.Roots},
		Passwords: passwords{account.PasswordKey("truc", true): "s3cret"},
	}
}

func has(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
