package mbox

import (
	"bufio"
	"errors"
	"io"
)

// bufSize is the Reader's buffer: lines longer than that are handed over in
// pieces (and cannot be From_ lines).
const bufSize = 64 << 10

var (
	lf   = []byte("\n")
	crlf = []byte("\r\n")
)

// Reader reads the messages of an mbox stream one after the other. See the
// package documentation for the separator rule.
type Reader struct {
	br      *bufio.Reader
	off     int64    // bytes consumed from br
	skipped int64    // garbage bytes before the first From_ line
	started bool     // the first From_ line was found
	next    fromLine // the From_ line of the next message
	hasNext bool
	body    *bodyReader
	err     error // sticky error (io.EOF at the end)
}

// NewReader returns a Reader that reads mboxrd or mboxo from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, bufSize)}
}

// Offset returns the number of bytes consumed from the underlying reader so
// far, for progress bars.
func (r *Reader) Offset() int64 { return r.off }

// Skipped returns the number of bytes skipped before the first From_ line.
func (r *Reader) Skipped() int64 { return r.skipped }

// Next returns the next message, io.EOF after the last one, or ErrNotMbox if
// the stream held data but no From_ line. The Body of the message returned
// before is drained first; it must not be used any more.
func (r *Reader) Next() (*Message, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.body != nil {
		if err := r.body.drain(); err != nil && err != io.EOF {
			r.err = err
			return nil, err
		}
		r.body = nil
	}
	if !r.started {
		if err := r.findFirst(); err != nil {
			r.err = err
			return nil, err
		}
	}
	if !r.hasNext {
		r.err = io.EOF
		return nil, io.EOF
	}
	r.hasNext = false
	r.body = &bodyReader{r: r, first: true}
	return &Message{Sender: r.next.sender, Date: r.next.date, Body: r.body}, nil
}

// readLine returns the next line, LF included, or a piece of a line longer
// than the buffer; partial reports a piece without its LF. The slice is
// valid until the next read.
func (r *Reader) readLine() (line []byte, partial bool, err error) {
	line, err = r.br.ReadSlice('\n')
	r.off += int64(len(line))
	if errors.Is(err, bufio.ErrBufferFull) {
		return line, true, nil
	}
	if err == io.EOF && len(line) > 0 {
		return line, true, nil
	}
	return line, false, err
}

// findFirst skips everything before the first From_ line.
func (r *Reader) findFirst() error {
	atStart, midLine, garbage := true, false, false
	for {
		line, partial, err := r.readLine()
		if err != nil {
			if err == io.EOF && garbage {
				return ErrNotMbox
			}
			return err
		}
		if !midLine && !partial {
			if fl, ok := parseFromLine(line); ok || atStart && len(line) >= len(fromPrefix) && string(line[:len(fromPrefix)]) == string(fromPrefix) {
				r.started, r.next, r.hasNext = true, fl, true
				return nil
			}
		}
		if len(trimEOL(line)) > 0 {
			garbage = true
		}
		r.skipped += int64(len(line))
		atStart, midLine = false, partial
	}
}

// bodyReader reads one message: line by line, holding back one blank line
// until it knows whether a separator follows it.
type bodyReader struct {
	r       *Reader
	cur     []byte // bytes to hand over next
	pending []byte // line to hand over after cur
	held    []byte // blank line held back (lf or crlf), nil if none
	first   bool   // no line read yet
	midLine bool   // the last piece read had no LF
	done    bool
	err     error // io.EOF or the read error, once done
}

// Read implements io.Reader.
func (b *bodyReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(b.cur) == 0 {
			b.cur, b.pending = b.pending, nil
		}
		if len(b.cur) == 0 {
			if b.done || n > 0 && b.r.br.Buffered() == 0 {
				break
			}
			b.fill()
			continue
		}
		c := copy(p[n:], b.cur)
		b.cur = b.cur[c:]
		n += c
	}
	if n == 0 && b.done {
		return 0, b.err
	}
	return n, nil
}

// drain reads the rest of the message without copying it.
func (b *bodyReader) drain() error {
	b.cur, b.pending = nil, nil
	for !b.done {
		b.fill()
		b.cur, b.pending = nil, nil
	}
	return b.err
}

// fill reads the next line into cur (and pending), or marks the end.
func (b *bodyReader) fill() {
	line, partial, err := b.r.readLine()
	if err != nil {
		b.finish(err)
		return
	}
	wasMid := b.midLine
	b.midLine = partial
	switch {
	case wasMid:
		b.cur = line
	case !partial && len(line) <= 2 && len(trimEOL(line)) == 0:
		b.cur = b.held
		b.held = lf
		if len(line) == 2 {
			b.held = crlf
		}
	case !partial && (b.held != nil || b.first) && b.separator(line):
		return
	default:
		b.cur, b.pending = b.held, unescape(line)
		b.held = nil
	}
	b.first = false
}

// separator reports whether line is a From_ line, and if so ends the message.
func (b *bodyReader) separator(line []byte) bool {
	if len(line) < len(fromPrefix) || line[0] != 'F' {
		return false
	}
	fl, ok := parseFromLine(line)
	if !ok {
		return false
	}
	b.r.next, b.r.hasNext = fl, true
	b.finish(io.EOF)
	return true
}

// finish ends the message; the held blank line (the separator's, or the
// last message's terminating one) is dropped.
func (b *bodyReader) finish(err error) {
	b.done, b.err, b.held = true, err, nil
	if err != io.EOF {
		b.r.err = err
	}
}

// unescape removes one '>' from a line matching ^>+From .
func unescape(line []byte) []byte {
	if len(line) == 0 || line[0] != '>' {
		return line
	}
	i := 1
	for i < len(line) && line[i] == '>' {
		i++
	}
	if len(line)-i >= len(fromPrefix) && string(line[i:i+len(fromPrefix)]) == string(fromPrefix) {
		return line[1:]
	}
	return line
}
