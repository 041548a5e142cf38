package control

import (
	"bufio"
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"facteur/localmta/queue"
)

// requestTimeout bounds one control request.
const requestTimeout = 30 * time.Second

// maxRequest and maxReply bound the lines of the protocol.
const (
	maxRequest = 512
	maxReply   = 4096
)

// Server answers the control socket of a running MTA.
type Server struct {
	dir  string
	q    *queue.Queue
	ln   net.Listener
	info Info
	log  *slog.Logger
}

// Listen binds the control socket on 127.0.0.1 (port chosen by the system)
// and publishes info, completed with the process id, the socket address,
// the start time and a new token, in dir/control.json. The caller holds
// the lock of dir. A nil log means slog.Default().
func Listen(ctx context.Context, dir string, q *queue.Queue, info Info, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	info.PID, info.Started, info.Control, info.Token = os.Getpid(), time.Now().UTC(), ln.Addr().String(), newToken()
	if err := writeInfo(dir, info); err != nil {
		ln.Close()
		return nil, err
	}
	return &Server{dir: dir, q: q, ln: ln, info: info, log: log}, nil
}

// Info returns what the server published.
func (s *Server) Info() Info { return s.info }

// Serve answers requests until ctx ends, then removes control.json and
// returns once every request has been answered.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.ln.Close() })
	defer stop()
	defer os.Remove(InfoFile(s.dir))
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wg.Go(func() { s.serve(ctx, c) })
	}
}

// serve answers one request; a panic ends only it.
func (s *Server) serve(ctx context.Context, c net.Conn) {
	defer c.Close()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("control request panicked", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	c.SetDeadline(time.Now().Add(requestTimeout))
	br := bufio.NewReaderSize(c, maxRequest)
	line, err := readRequest(br)
	if err != nil {
		return
	}
	verb, text, err := s.do(ctx, line, br, c)
	if verb != "" && verb != "PING" {
		s.log.Info("control request", "verb", verb, "result", text, "err", err)
	}
	reply := formatReply(err)
	if err == nil && text != "" {
		reply += " " + text
	}
	io.WriteString(c, reply+"\r\n")
}

// readRequest reads the request line, at most maxRequest bytes.
func readRequest(br *bufio.Reader) (string, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

// do checks the token and runs the request; text follows the OK of the
// reply (the queue id of ENQUEUE).
func (s *Server) do(ctx context.Context, line string, r io.Reader, w io.Writer) (verb, text string, err error) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return "", "", ErrProtocol
	}
	if subtle.ConstantTimeCompare([]byte(f[0]), []byte(s.info.Token)) != 1 {
		return "", "", ErrDenied
	}
	verb = strings.ToUpper(f[1])
	if verb == "ENQUEUE" {
		text, err = s.enqueue(ctx, f[2:], r, w)
		return verb, text, err
	}
	return verb, "", s.exec(verb, f[2:])
}

func (s *Server) exec(verb string, args []string) error {
	switch verb {
	case "PING":
		return nil
	case "FLUSH":
		s.q.Flush()
		return nil
	}
	if len(args) != 1 {
		return ErrProtocol
	}
	if !queue.ValidID(args[0]) {
		return queue.ErrNotFound
	}
	switch verb {
	case "HOLD":
		return s.q.Hold(args[0])
	case "RELEASE":
		return s.q.Release(args[0])
	case "DELETE":
		return s.q.Delete(args[0])
	}
	return ErrProtocol
}

// The codes of the replies, so that errors.Is works across processes.
var replyCodes = []struct {
	code string
	err  error
}{
	{"NOTFOUND", queue.ErrNotFound},
	{"BUSY", queue.ErrBusy},
	{"DENIED", ErrDenied},
	{"PROTOCOL", ErrProtocol},
	{"TOOBIG", ErrTooBig},
	{"ENVELOPE", ErrBadEnvelope},
	{"NORCPT", queue.ErrNoRcpt},
}

// formatReply returns "OK" or "ERR CODE text".
func formatReply(err error) string {
	if err == nil {
		return "OK"
	}
	text := strings.NewReplacer("\r", " ", "\n", " ").Replace(err.Error())
	for _, rc := range replyCodes {
		if errors.Is(err, rc.err) {
			return "ERR " + rc.code + " " + text
		}
	}
	return "ERR FAIL " + text
}

// RemoteError is a failure reported by the running MTA.
type RemoteError struct {
	Code string // NOTFOUND, BUSY, DENIED, PROTOCOL, FAIL
	Text string
}

func (e *RemoteError) Error() string { return e.Text }

// Unwrap returns the sentinel error of the code (queue.ErrNotFound...).
func (e *RemoteError) Unwrap() error {
	for _, rc := range replyCodes {
		if rc.code == e.Code {
			return rc.err
		}
	}
	return nil
}

// parseReply reads a reply line.
func parseReply(line string) error {
	if line == "OK" {
		return nil
	}
	rest, ok := strings.CutPrefix(line, "ERR ")
	if !ok {
		return ErrProtocol
	}
	code, text, _ := strings.Cut(rest, " ")
	return &RemoteError{Code: code, Text: text}
}
