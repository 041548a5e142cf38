// Package smtptest runs a misbehaving SMTP server (RFC 5321) on loopback
// for the tests of Facteur's submission and outbox: a refused greeting, a
// temporary refusal of one recipient, a refusal after the message, a
// connection closed or stalled right after the final dot, a failed TLS
// handshake. It records what arrived, so that a test counts what the
// server received across retries.
package smtptest

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// Fault is how one connection misbehaves.
type Fault int

// The faults. A connection without a fault (None, or beyond the list given
// to Start) accepts everything.
const (
	None          Fault = iota
	Greeting421         // "421" instead of the greeting, then the connection is closed
	TLSGarbage          // with implicit TLS: a line of text instead of a handshake, then closed
	Rcpt451             // "451" to RCPT TO the Busy recipient
	Data552             // "552" after the final dot: the message is refused
	CloseAfterDot       // the connection closed after the final dot, without a reply
	StallAfterDot       // no reply after the final dot, until the client goes
	CloseInData         // the connection reset (RST) halfway through the message
)

// Busy is the recipient that Rcpt451 refuses.
const Busy = "busy@machin.test"

// Message is one message whose final dot arrived.
type Message struct {
	From  string
	Rcpts []string
	Data  []byte
	Fault Fault // the fault of its connection: Data552 refused it, the others took it
}

// Took reports whether the server kept the message: every fault but
// Data552 (a connection closed or stalled after the dot has it all).
func (m Message) Took() bool { return m.Fault != Data552 }

// Server is a scripted SMTP server on 127.0.0.1.
type Server struct {
	Addr string
	Port int

	tls    *tls.Config
	faults []Fault
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
	n      int // connections so far
	got    []Message
}

// Start runs a server until the end of the test: the i-th connection
// misbehaves as faults[i]. With conf, it speaks implicit TLS.
func Start(t testing.TB, conf *tls.Config, faults ...Fault) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port, tls: conf, faults: faults, ln: ln}
	s.wg.Go(s.serve)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and ends every connection.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Messages returns the messages whose final dot arrived, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// Connections returns the number of connections so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		f := None
		if s.n < len(s.faults) {
			f = s.faults[s.n]
		}
		s.n++
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Go(func() {
			defer c.Close()
			s.session(c, f)
		})
	}
}

func (s *Server) session(c net.Conn, f Fault) {
	if s.tls != nil {
		if f == TLSGarbage {
			io.WriteString(c, "220 this is not TLS\r\n")
			return
		}
		tc := tls.Server(c, s.tls)
		if tc.Handshake() != nil {
			return
		}
		c = tc
	}
	tp := textproto.NewConn(c)
	if f == Greeting421 {
		tp.PrintfLine("421 4.3.2 fault.test busy, try again later")
		return
	}
	tp.PrintfLine("220 fault.test ESMTP")
	sess := &session{s: s, tp: tp, conn: c, fault: f}
	for sess.next() {
	}
}

// session is the state of one connection.
type session struct {
	s     *Server
	tp    *textproto.Conn
	conn  net.Conn
	fault Fault
	cur   Message
}

// next answers one command; false ends the connection.
func (se *session) next() bool {
	line, err := se.tp.ReadLine()
	if err != nil {
		return false
	}
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "EHLO", "HELO":
		se.tp.PrintfLine("250-fault.test\r\n250-8BITMIME\r\n250 SMTPUTF8")
	case "MAIL":
		se.cur = Message{From: path(arg), Fault: se.fault}
		se.tp.PrintfLine("250 2.1.0 OK")
	case "RCPT":
		if rcpt := path(arg); se.fault == Rcpt451 && strings.EqualFold(rcpt, Busy) {
			se.tp.PrintfLine("451 4.2.1 <%s>: mailbox busy, try again later", rcpt)
		} else {
			se.cur.Rcpts = append(se.cur.Rcpts, rcpt)
			se.tp.PrintfLine("250 2.1.5 OK")
		}
	case "DATA":
		return se.data()
	case "RSET", "NOOP":
		se.tp.PrintfLine("250 2.0.0 OK")
	case "QUIT":
		se.tp.PrintfLine("221 2.0.0 bye")
		return false
	default:
		se.tp.PrintfLine("502 5.5.1 unknown command")
	}
	return true
}

// data reads the message and ends it as the fault says.
func (se *session) data() bool {
	se.tp.PrintfLine("354 go ahead")
	if se.fault == CloseInData {
		se.tp.ReadLine()
		if tc, ok := se.conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // an abortive close: the client reads a reset
		}
		return false
	}
	body, err := se.tp.ReadDotBytes()
	if err != nil {
		return false
	}
	se.cur.Data = body
	se.s.mu.Lock()
	se.s.got = append(se.s.got, se.cur)
	se.s.mu.Unlock()
	switch se.fault {
	case Data552:
		se.tp.PrintfLine("552 5.3.4 message refused: too big for this mailbox")
	case CloseAfterDot:
		return false
	case StallAfterDot:
		io.Copy(io.Discard, bufio.NewReader(se.conn)) // until the client goes
		return false
	default:
		se.tp.PrintfLine("250 2.0.0 queued as %d", len(se.s.Messages()))
	}
	return true
}

// path reads the address of "FROM:<a@b> SIZE=12" or "TO:<a@b>".
func path(arg string) string {
	_, rest, _ := strings.Cut(arg, ":")
	rest = strings.TrimSpace(rest)
	if i := strings.IndexByte(rest, '>'); strings.HasPrefix(rest, "<") && i > 0 {
		return rest[1:i]
	}
	return strings.Fields(rest + " ")[0]
}

// String names the fault in test output.
func (f Fault) String() string {
	names := []string{"none", "421 greeting", "failed TLS handshake", "451 on one RCPT", "552 after DATA",
		"close after the dot", "stall after the dot", "close in the data"}
	if int(f) < len(names) {
		return names[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}
