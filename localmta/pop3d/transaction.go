package pop3d

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// The commands of the TRANSACTION state (RFC 1939 §5, §7).

func cmdStat(s *session, ctx context.Context, cmd Command) error {
	if len(cmd.Args) != 0 {
		return ErrSyntax
	}
	n, total, err := s.drop.stat(ctx)
	if err != nil {
		return s.storeError(err)
	}
	return s.ok("%d %d", n, total)
}

// cmdList gives the size of one message or a scan listing of all.
func cmdList(s *session, ctx context.Context, cmd Command) error {
	return s.listing(ctx, cmd, "scan listing follows", func(m *message) (string, error) {
		size, err := s.drop.size(ctx, m)
		return fmt.Sprint(size), err
	})
}

// cmdUIDL gives the unique-id of one message or of all.
func cmdUIDL(s *session, ctx context.Context, cmd Command) error {
	return s.listing(ctx, cmd, "unique-id listing follows", func(m *message) (string, error) {
		return m.uid, nil
	})
}

// listing answers LIST and UIDL: "+OK n value" for one message, or a
// multi-line list of the messages not deleted.
func (s *session) listing(ctx context.Context, cmd Command, title string, value func(*message) (string, error)) error {
	if len(cmd.Args) > 1 {
		return ErrSyntax
	}
	if len(cmd.Args) == 1 {
		n, m, err := s.drop.get(cmd.Args[0])
		if err != nil {
			return err
		}
		v, err := value(m)
		if err != nil {
			return s.storeError(err)
		}
		return s.ok("%d %s", n, v)
	}
	var lines []string
	for i := range s.drop.msgs {
		m := &s.drop.msgs[i]
		if m.deleted {
			continue
		}
		v, err := value(m)
		if err != nil {
			return s.storeError(err)
		}
		lines = append(lines, fmt.Sprintf("%d %s", i+1, v))
	}
	return s.multiline(title, lines)
}

func cmdRetr(s *session, ctx context.Context, cmd Command) error {
	if len(cmd.Args) != 1 {
		return ErrSyntax
	}
	return s.send(ctx, cmd.Args[0], -1)
}

// cmdTop sends the header, the blank line and the first n body lines.
func cmdTop(s *session, ctx context.Context, cmd Command) error {
	if len(cmd.Args) != 2 {
		return ErrSyntax
	}
	lines, err := parseNumber(cmd.Args[1])
	if err != nil {
		return err
	}
	return s.send(ctx, cmd.Args[0], lines)
}

// send writes a message (or its top) as a multi-line response: CRLF line
// ends, byte-stuffed by textproto's DotWriter, ended by ".".
func (s *session) send(ctx context.Context, arg string, lines int) error {
	_, m, err := s.drop.get(arg)
	if err != nil {
		return err
	}
	size, err := s.drop.size(ctx, m)
	if err != nil {
		return s.storeError(err)
	}
	rc, err := s.drop.open(ctx, m)
	if err != nil {
		return s.storeError(err)
	}
	defer rc.Close()
	first := fmt.Sprintf("%d octets", size)
	if lines >= 0 {
		first = "top of message follows"
	}
	if err := s.ok("%s", first); err != nil {
		return err
	}
	if size == 0 { // DotWriter would add an empty line
		return s.line(".")
	}
	dw := s.tw.DotWriter()
	if _, err := copyCRLF(dw, ctxReader{ctx, rc}, lines); err != nil {
		return err // the response is cut: only closing the connection tells the client
	}
	return dw.Close()
}

func cmdDele(s *session, ctx context.Context, cmd Command) error {
	if len(cmd.Args) != 1 {
		return ErrSyntax
	}
	n, m, err := s.drop.get(cmd.Args[0])
	if err != nil {
		return err
	}
	m.deleted = true
	return s.ok("message %d deleted", n)
}

func cmdRset(s *session, ctx context.Context, cmd Command) error {
	if len(cmd.Args) != 0 {
		return ErrSyntax
	}
	s.drop.reset()
	return s.ok("maildrop has %s", messages(len(s.drop.msgs)))
}

// update is the UPDATE state that QUIT starts in TRANSACTION (RFC 1939
// §6): the deleted messages are removed, the maildrop released.
func (s *session) update(ctx context.Context) error {
	s.state = stateDone
	left, err := s.drop.update(ctx)
	s.drop.release()
	s.drop = nil
	if err != nil {
		s.log.Error("pop3 update failed", "user", s.login, "err", err)
		return ErrUpdate
	}
	s.log.Info("pop3 logout", "user", s.login, "left", left)
	return s.ok("%s Facteur POP3 server signing off (%s left)", s.srv.cfg.Hostname, messages(left))
}

// storeError logs a mailstore failure and turns it into a reply.
func (s *session) storeError(err error) error {
	if errors.Is(err, ErrMessageGone) {
		return err
	}
	s.log.Error("pop3: mailstore error", "user", s.login, "err", err)
	return &Error{Code: CodeSysTemp, Text: "cannot read the maildrop, try again later"}
}

// ctxReader stops a long RETR when the session's context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// messages says "1 message" or "n messages".
func messages(n int) string {
	if n == 1 {
		return "1 message"
	}
	return fmt.Sprintf("%d messages", n)
}
