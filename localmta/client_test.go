package localmta

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"facteur/localmta/queue"

	"github.com/emersion/go-smtp"
)

// rawListener records every byte its connections read: what a next hop
// really got on the wire, before go-smtp un-stuffs it.
type rawListener struct {
	net.Listener
	mu  sync.Mutex
	raw bytes.Buffer
}

func (l *rawListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rawConn{Conn: c, l: l}, nil
}

func (l *rawListener) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.raw.Bytes())
}

type rawConn struct {
	net.Conn
	l *rawListener
}

func (c *rawConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.mu.Lock()
	c.l.raw.Write(p[:n])
	c.l.mu.Unlock()
	return n, err
}

// sinkSession records the MAIL commands and messages a go-smtp server got.
type sinkSession struct {
	s *sink
}

type sink struct {
	mu    sync.Mutex
	mails int
	msgs  []string
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.s.mu.Lock()
	s.s.mails++
	s.s.mu.Unlock()
	return nil
}
func (s *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.s.mu.Lock()
	s.s.msgs = append(s.s.msgs, string(b))
	s.s.mu.Unlock()
	return err
}
func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }

// startSink runs a go-smtp server on loopback that records raw bytes.
func startSink(t *testing.T) (*rawListener, *sink) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0") // not the MTA's address: no loop
	if err != nil {
		t.Skip("loopback address 127.0.0.2 not usable:", err)
	}
	rl := &rawListener{Listener: ln}
	sk := &sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: sk}, nil }))
	srv.Domain = "sink.test"
	go srv.Serve(rl)
	t.Cleanup(func() { srv.Close() })
	return rl, sk
}

// TestTransportNeverSendsBareCR: a queued body holding "\r.\rMAIL FROM:"
// (an older spool, or any injector) went to the next hop byte for byte;
// the transport agent now ends every line with CRLF, so dot-stuffing
// applies and no receiver can take it for the end of the data (issue 10).
func TestTransportNeverSendsBareCR(t *testing.T) {
	raw, sk := startSink(t)
	port := raw.Addr().(*net.TCPAddr).Port
	m := startMTA(t, Config{
		Hostname: "mx.test", Listeners: []Listener{{Addr: "127.0.0.1:0"}},
		Transports: TransportTable{"far.test": {Kind: TransportSMTP, Host: "127.0.0.2", Port: port, NoMX: true}},
	})
	bodies := map[string]string{
		"CR.CR":        "Subject: s\r\n\r\nA\r.\rMAIL FROM:<evil@x.test>\r\nRCPT TO:<v@x.test>\r\n",
		"LF.LF":        "Subject: s\r\n\r\nA\n.\nMAIL FROM:<evil@x.test>\r\n",
		"CRLF.CR":      "Subject: s\r\n\r\nA\r\n.\rMAIL FROM:<evil@x.test>\r\n",
		"trailing CR":  "Subject: s\r\n\r\nA\r",
		"CR then CRLF": "Subject: s\r\n\r\nA\r\r\n.\r\n",
	}
	for name, body := range bodies {
		msg := queue.Message{From: "fred@mx.test", Rcpts: []queue.Rcpt{{Addr: "marc@far.test"}}}
		if _, err := m.Queue().Enqueue(context.Background(), msg, strings.NewReader(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	waitFor(t, "delivery to the sink", func() bool { return len(m.Queue().List()) == 0 })
	wire := raw.bytes()
	for i, b := range wire {
		if b == '\r' && (i+1 == len(wire) || wire[i+1] != '\n') || b == '\n' && (i == 0 || wire[i-1] != '\r') {
			t.Fatalf("bare CR or LF at %d on the wire: %q", i, wire[max(0, i-40):min(len(wire), i+40)])
		}
	}
	sk.mu.Lock()
	defer sk.mu.Unlock()
	if sk.mails != len(bodies) || len(sk.msgs) != len(bodies) {
		t.Fatalf("the next hop saw %d MAIL commands and %d messages, want %d of each:\n%q", sk.mails, len(sk.msgs), len(bodies), wire)
	}
	if n := bytes.Count(wire, []byte("\r\n.\r\n")); n != len(bodies) {
		t.Fatalf("%d end-of-data lines on the wire, want %d:\n%q", n, len(bodies), wire)
	}
	for _, got := range sk.msgs {
		if strings.Contains(got, "MAIL FROM") && !strings.Contains(got, "\r\n.\r\nMAIL FROM:<evil@x.test>\r\n") {
			t.Errorf("message not carried line for line:\n%q", got)
		}
	}
}
