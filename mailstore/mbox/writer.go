package mbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"
)

// Writer writes messages to an mboxrd stream. It is not safe for concurrent
// use.
type Writer struct {
	bw  *bufio.Writer
	br  *bufio.Reader
	err error
}

// NewWriter returns a Writer that writes mboxrd to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{bw: bufio.NewWriterSize(w, 32<<10), br: bufio.NewReaderSize(nil, bufSize)}
}

// Write appends one message: the From_ line "From sender asctime" (date in
// UTC; an empty sender is written "MAILER-DAEMON", blanks in it become '_'),
// the message with LF line ends, lines matching ^>*From  escaped by one more
// '>', a final LF if missing, then the blank line that ends every message.
// Everything is flushed to the underlying writer before Write returns. After
// a write error, every Write returns that error.
func (w *Writer) Write(sender string, date time.Time, msg io.Reader) error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.bw.Write(formatFromLine(sender, date)); err != nil {
		return w.fail(err)
	}
	w.br.Reset(msg)
	defer w.br.Reset(nil)
	midLine, err := w.copyBody()
	var re *readError
	if err != nil && !errors.As(err, &re) {
		return w.fail(err)
	}
	if err := w.end(midLine); err != nil {
		return w.fail(err)
	}
	if re != nil {
		return fmt.Errorf("mbox: reading message: %w", re.err)
	}
	return nil
}

// end terminates the message (a partial one too, after a read error): the
// LF of an unfinished line, the blank line, then a flush.
func (w *Writer) end(midLine bool) error {
	if midLine {
		if err := w.bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	if err := w.bw.WriteByte('\n'); err != nil {
		return err
	}
	return w.bw.Flush()
}

// fail records a write error: every later Write returns it.
func (w *Writer) fail(err error) error {
	w.err = fmt.Errorf("mbox: %w", err)
	return w.err
}

// readError marks an error of the message reader.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

// copyBody copies the message line by line, escaping and converting CRLF.
// midLine reports a read error in the middle of a line.
func (w *Writer) copyBody() (midLine bool, err error) {
	for {
		line, rerr := w.br.ReadSlice('\n')
		full := rerr == nil
		if len(line) > 0 {
			if !midLine {
				if err := w.escape(line); err != nil {
					return false, err
				}
			}
			if err := w.writeLine(line, full, rerr == io.EOF); err != nil {
				return false, err
			}
		}
		midLine = !full && len(line) > 0 || midLine && len(line) == 0
		switch {
		case rerr == nil, errors.Is(rerr, bufio.ErrBufferFull):
		case rerr == io.EOF:
			return false, nil
		default:
			return midLine, &readError{rerr}
		}
	}
}

// escape writes the extra '>' of a line matching ^>*From .
func (w *Writer) escape(line []byte) error {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if len(line)-i >= len(fromPrefix) && string(line[i:i+len(fromPrefix)]) == string(fromPrefix) {
		return w.bw.WriteByte('>')
	}
	return nil
}

// writeLine writes a line or a piece of one: a CRLF at the end of a full
// line becomes LF, and the last piece of the message gets its missing LF.
// A CR at the end of a piece of a long line is written as is (the LF may
// follow in the next piece: such a CRLF is kept).
func (w *Writer) writeLine(line []byte, full, last bool) error {
	if full {
		line = trimEOL(line)
	} else if last && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if _, err := w.bw.Write(line); err != nil {
		return err
	}
	if full || last {
		return w.bw.WriteByte('\n')
	}
	return nil
}
