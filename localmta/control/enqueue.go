package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"

	"facteur/localmta/queue"
)

// ENQUEUE hands a message to the running MTA's queue from another process
// (`facteur send` while `facteur mta` runs): the queue keeps its state in
// memory, so only the running MTA may add to it. The exchange, on one
// connection:
//
//	C: TOKEN ENQUEUE ENVLEN MSGLEN
//	S: GO                           (or ERR CODE text: bad token, too big)
//	C: ENVLEN bytes of JSON: the Envelope
//	C: MSGLEN bytes: the message, CRLF lines
//	S: OK ID                        (the queue id; the message is on disk)
//
// Both parts are counted, so that a client that dies in the middle leaves
// nothing behind (a short message is refused, never queued cut).

// Limits of ENQUEUE.
const (
	// MaxEnqueueBytes bounds the message of one ENQUEUE (the MTA's SIZE
	// default is 25 MB; an outbox message is checked against its
	// account's server when it goes).
	MaxEnqueueBytes = 64 << 20
	maxEnvelope     = 256 << 10 // the JSON envelope
	maxRcpts        = 1000      // recipients of one message
	maxPath         = 256       // RFC 5321 §4.5.3.1.3: a path
)

// Errors of ENQUEUE, for errors.Is (across processes too: see replyCodes).
var (
	// ErrTooBig: the message is larger than MaxEnqueueBytes.
	ErrTooBig = errors.New("control: message too big")
	// ErrBadEnvelope: the envelope has no recipient, too many, or an
	// address with a control character.
	ErrBadEnvelope = errors.New("control: bad envelope")
)

// Envelope is what ENQUEUE carries besides the message: the SMTP envelope
// and, for an outbox message, the account whose server relays it.
type Envelope struct {
	From  string       `json:"from"`
	Rcpts []string     `json:"rcpts"`
	UTF8  bool         `json:"smtputf8,omitempty"`
	Relay *queue.Relay `json:"relay,omitempty"`
}

// EnvelopeOf is the envelope of a queue message (its pending recipients).
func EnvelopeOf(m queue.Message) Envelope {
	env := Envelope{From: m.From, UTF8: m.UTF8, Relay: m.Relay}
	for _, r := range m.Rcpts {
		env.Rcpts = append(env.Rcpts, r.Addr)
	}
	return env
}

// check refuses what no SMTP client could have sent.
func (e Envelope) check() error {
	if len(e.Rcpts) == 0 || len(e.Rcpts) > maxRcpts {
		return fmt.Errorf("%w: %d recipients", ErrBadEnvelope, len(e.Rcpts))
	}
	for _, a := range append([]string{e.From}, e.Rcpts...) {
		if len(a) > maxPath || strings.ContainsFunc(a, isCtl) {
			return fmt.Errorf("%w: address %q", ErrBadEnvelope, a)
		}
	}
	for _, r := range e.Rcpts {
		if r == "" {
			return fmt.Errorf("%w: empty recipient", ErrBadEnvelope)
		}
	}
	if e.Relay != nil && (e.Relay.Account == "" || strings.ContainsFunc(e.Relay.Account+e.Relay.Server, isCtl)) {
		return fmt.Errorf("%w: relay %+v", ErrBadEnvelope, *e.Relay)
	}
	return nil
}

func isCtl(r rune) bool { return r < 0x20 || r == 0x7f }

// message is the queue message of the envelope.
func (e Envelope) message() queue.Message {
	m := queue.Message{From: e.From, UTF8: e.UTF8, Relay: e.Relay}
	for _, r := range e.Rcpts {
		m.Rcpts = append(m.Rcpts, queue.Rcpt{Addr: r})
	}
	return m
}

// Enqueue hands msg to the running MTA's queue with env. When it returns
// nil the message is on the MTA's stable storage, due at once, and id is
// its queue id (as the SMTP 250 after DATA).
func (c *Client) Enqueue(ctx context.Context, env Envelope, msg []byte) (id string, err error) {
	if err := env.check(); err != nil {
		return "", err
	}
	if len(msg) > MaxEnqueueBytes {
		return "", ErrTooBig
	}
	envJSON, err := json.Marshal(env)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.info.Control)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	r := textproto.NewReader(bufio.NewReader(io.LimitReader(conn, 2*maxReply)))
	return c.sendEnqueue(conn, r, envJSON, msg)
}

// sendEnqueue runs the exchange on an open connection.
func (c *Client) sendEnqueue(w io.Writer, r *textproto.Reader, envJSON, msg []byte) (string, error) {
	req := fmt.Sprintf("%s ENQUEUE %d %d\r\n", c.info.Token, len(envJSON), len(msg))
	if _, err := io.WriteString(w, req); err != nil {
		return "", err
	}
	line, err := r.ReadLine()
	if err != nil {
		return "", err
	}
	if line != "GO" {
		return "", replyError(line)
	}
	_, err = w.Write(envJSON)
	if err == nil {
		_, err = w.Write(msg)
	}
	line, rerr := r.ReadLine()
	switch {
	case rerr == nil && err == nil:
	case rerr == nil: // the MTA gave up on the request and said why
		return "", replyError(line)
	case err != nil:
		return "", err
	default:
		return "", rerr
	}
	id, ok := strings.CutPrefix(line, "OK ")
	if !ok {
		return "", replyError(line)
	}
	if !queue.ValidID(id) {
		return "", fmt.Errorf("%w: queue id %q", ErrProtocol, id)
	}
	return id, nil
}

// replyError is the error of a reply that is not the one expected.
func replyError(line string) error {
	if err := parseReply(line); err != nil {
		return err
	}
	return fmt.Errorf("%w: unexpected reply %q", ErrProtocol, line)
}

// enqueue serves ENQUEUE: it reads the envelope and the message that the
// client sends after GO and queues them.
func (s *Server) enqueue(ctx context.Context, args []string, r io.Reader, w io.Writer) (string, error) {
	envLen, msgLen, err := enqueueSizes(args)
	if err != nil {
		return "", err
	}
	if _, err := io.WriteString(w, "GO\r\n"); err != nil {
		return "", err
	}
	buf := make([]byte, envLen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	var env Envelope
	if err := json.Unmarshal(buf, &env); err != nil {
		return "", fmt.Errorf("%w: envelope: %v", ErrProtocol, err)
	}
	if err := env.check(); err != nil {
		return "", err
	}
	m, err := s.q.Enqueue(ctx, env.message(), &exactReader{r: r, left: msgLen})
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// enqueueSizes reads "ENVLEN MSGLEN".
func enqueueSizes(args []string) (int64, int64, error) {
	if len(args) != 2 {
		return 0, 0, ErrProtocol
	}
	envLen, err1 := strconv.ParseInt(args[0], 10, 64)
	msgLen, err2 := strconv.ParseInt(args[1], 10, 64)
	switch {
	case err1 != nil || err2 != nil || envLen <= 0 || msgLen < 0:
		return 0, 0, ErrProtocol
	case envLen > maxEnvelope:
		return 0, 0, fmt.Errorf("%w: envelope of %d bytes", ErrBadEnvelope, envLen)
	case msgLen > MaxEnqueueBytes:
		return 0, 0, fmt.Errorf("%w: %d bytes, at most %d", ErrTooBig, msgLen, MaxEnqueueBytes)
	}
	return envLen, msgLen, nil
}

// exactReader reads exactly left bytes of r: an early end is
// io.ErrUnexpectedEOF, so that the queue keeps nothing of a cut message.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if e.left > 0 {
			return n, io.ErrUnexpectedEOF
		}
		err = nil
	}
	return n, err
}
