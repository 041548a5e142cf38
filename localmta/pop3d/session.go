package pop3d

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/textproto"
	"os"
	"time"

	"facteur/localmta/clientlimit"
)

// state is where a session stands (RFC 1939 §3).
type state int

const (
	stateAuthorization state = iota
	stateTransaction
	stateDone // after QUIT (and UPDATE), or a fatal error
)

// handler runs one command. It sends the positive reply itself and
// returns nil, returns an *Error for the session to send as "-ERR", or
// another error that ends the session (a broken connection).
type handler func(s *session, ctx context.Context, cmd Command) error

// handlers are the commands of each state.
var handlers = [...]map[string]handler{
	stateAuthorization: {
		"USER": cmdUser, "PASS": cmdPass, "AUTH": cmdAuth, "STLS": cmdSTLS,
		"CAPA": cmdCAPA, "QUIT": cmdQuit,
	},
	stateTransaction: {
		"STAT": cmdStat, "LIST": cmdList, "RETR": cmdRetr, "DELE": cmdDele,
		"NOOP": cmdNoop, "RSET": cmdRset, "QUIT": cmdQuit, "TOP": cmdTop,
		"UIDL": cmdUIDL, "CAPA": cmdCAPA,
	},
}

// session is one client connection.
type session struct {
	srv   *Server
	log   *slog.Logger
	conn  net.Conn
	ip    netip.Addr
	limit *lineLimiter
	br    *bufio.Reader
	tr    *textproto.Reader
	tw    *textproto.Writer
	state state
	tls   bool

	user   string // argument of USER, waiting for PASS
	login  string // authenticated login
	logins *clientlimit.Session
	drop   *maildrop
}

func newSession(srv *Server, c net.Conn) *session {
	s := &session{srv: srv, log: srv.log.With("client", c.RemoteAddr().String())}
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		s.ip = ap.Addr().Unmap()
	}
	s.logins = srv.logins.Session(s.ip)
	s.setConn(c)
	return s
}

// setConn (re)builds the reader and writer over a connection; after STLS
// nothing that the client sent in clear is kept (RFC 2595 §4, the
// STARTTLS command injection of CVE-2011-0411).
func (s *session) setConn(c net.Conn) {
	s.conn = c
	s.limit = &lineLimiter{r: c, max: s.srv.cfg.MaxLineLength - 1}
	s.br = bufio.NewReader(s.limit)
	s.tr = textproto.NewReader(s.br)
	s.tw = textproto.NewWriter(bufio.NewWriterSize(deadlineWriter{c, s.srv.cfg.IdleTimeout}, 32<<10))
}

// close releases the maildrop (without UPDATE unless QUIT did it) and
// closes the connection.
func (s *session) close() {
	if s.drop != nil {
		s.drop.release()
		s.drop = nil
	}
	s.conn.Close()
}

// run greets the client and serves commands until QUIT, an error, the
// idle timeout or the end of ctx.
func (s *session) run(ctx context.Context) {
	if err := s.ok("%s Facteur POP3 server ready", s.srv.cfg.Hostname); err != nil {
		return
	}
	for s.state != stateDone && ctx.Err() == nil {
		if err := s.flushIfIdle(); err != nil {
			return
		}
		line, err := s.readLine()
		if err == nil {
			err = s.handle(ctx, line)
		}
		if err != nil {
			s.fatal(err)
			return
		}
	}
	s.tw.W.Flush()
}

// readLine reads one line within the idle timeout.
func (s *session) readLine() (string, error) {
	s.conn.SetReadDeadline(time.Now().Add(s.srv.cfg.IdleTimeout))
	line, err := s.tr.ReadLine()
	if s.limit.exceeded {
		return "", errTooLong // never run the first part of a long line
	}
	return line, err
}

// handle runs one command line and sends its negative reply, if any.
func (s *session) handle(ctx context.Context, line string) error {
	cmd, err := ParseCommand(line)
	if err != nil {
		return s.reply(err)
	}
	s.log.Debug("pop3 command", "cmd", maskedLine(cmd), "user", s.login)
	h, err := s.handler(cmd.Name)
	if err == nil {
		err = h(s, ctx, cmd)
	}
	return s.reply(err)
}

// handler finds the command in the current state.
func (s *session) handler(name string) (handler, error) {
	if h, ok := handlers[s.state][name]; ok {
		return h, nil
	}
	for _, m := range handlers {
		if _, ok := m[name]; ok {
			return nil, ErrBadState
		}
	}
	return nil, ErrUnknownCommand
}

// reply sends the negative reply of err, or returns err when it is not
// a protocol reply.
func (s *session) reply(err error) error {
	var pe *Error
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	return s.line("-ERR " + pe.Error())
}

// fatal ends a session on a read or write error, telling the client why
// when it can still hear it.
func (s *session) fatal(err error) {
	switch {
	case errors.Is(err, errTooLong):
		s.line("-ERR " + ErrLineTooLong.Error())
	case errors.Is(err, os.ErrDeadlineExceeded):
		s.line("-ERR autologout; idle for too long")
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return
	}
	s.tw.W.Flush()
	s.log.Info("pop3 session ended", "user", s.login, "err", err)
}

// ok sends a positive reply line.
func (s *session) ok(format string, args ...any) error {
	if format == "" {
		return s.line("+OK")
	}
	return s.line("+OK " + fmt.Sprintf(format, args...))
}

// line queues one reply line; it reaches the client when no pipelined
// command waits (flushIfIdle) or with the next multi-line response.
func (s *session) line(text string) error {
	_, err := s.tw.W.WriteString(text + "\r\n")
	return err
}

// multiline sends "+OK first", the lines and the terminating ".".
func (s *session) multiline(first string, lines []string) error {
	if err := s.line("+OK " + first); err != nil {
		return err
	}
	for _, l := range lines {
		if err := s.line(l); err != nil {
			return err
		}
	}
	return s.line(".")
}

// flushIfIdle sends the queued replies unless more pipelined commands are
// already buffered (RFC 2449 §6.6).
func (s *session) flushIfIdle() error {
	if s.br.Buffered() > 0 {
		return nil
	}
	return s.tw.W.Flush()
}

// deadlineWriter pushes the write deadline forward before each write, so
// that a slow but live client can take a large message while a stuck one
// is dropped.
type deadlineWriter struct {
	c       net.Conn
	timeout time.Duration
}

func (w deadlineWriter) Write(p []byte) (int, error) {
	w.c.SetWriteDeadline(time.Now().Add(w.timeout))
	return w.c.Write(p)
}

func cmdQuit(s *session, ctx context.Context, cmd Command) error {
	if s.state == stateTransaction {
		return s.update(ctx)
	}
	s.state = stateDone
	return s.ok("%s Facteur POP3 server signing off", s.srv.cfg.Hostname)
}

func cmdNoop(s *session, ctx context.Context, cmd Command) error {
	return s.ok("")
}
