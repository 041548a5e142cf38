package message

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"
)

// Limits that keep Parse linear and bounded on hostile input.
const (
	bufSize        = 32 << 10 // lines longer than this come in pieces
	maxHeaderBytes = 1 << 20  // per header block
	maxLineBytes   = 64 << 10 // per header line (longer: cut)
	maxProblems    = 64
	maxDepth       = 32   // multipart nesting
	maxParts       = 2000 // parts per message
	maxHTMLBytes   = 32 << 20
)

// chunk is a line read from the message, LF included; a line longer than
// the buffer comes in several chunks.
type chunk struct {
	b     []byte
	start bool // the chunk starts a line
	more  bool // the line goes on in the next chunk
}

// parser reads one message line by line. Boundary lines of the open
// multiparts are recognized at the start of every line.
type parser struct {
	br  *bufio.Reader
	opt Options
	n   int64 // bytes consumed

	back    chunk // one chunk pushed back
	hasBack bool
	atStart bool // the next chunk starts a line
	eof     bool

	bounds   [][]byte // "--boundary" of the open multiparts, outermost first
	hit      int      // index in bounds of the boundary line just read, -1 if none
	hitClose bool     // that line was a close delimiter ("--boundary--")

	problems []error
	parts    int
	budget   int // bytes of text that may still be collected, -1: no limit
	msg      *Message
	links    map[string]bool

	hbuf  []byte // header scratch
	lbuf  []byte // long header line scratch
	spans []span // header field spans in hbuf
	dbuf  []byte // decoded body scratch
	cs8   string // charset for raw 8-bit header text
	b64   *b64Reader
	qp    *qpReader
}

// parsers keeps parsers and their buffers between calls to Parse: the
// indexer parses messages by the hundred thousand.
var parsers = sync.Pool{New: func() any {
	return &parser{br: bufio.NewReaderSize(nil, bufSize)}
}}

// newParser returns a parser reading r, from the pool.
func newParser(r io.Reader, opt Options) *parser {
	p := parsers.Get().(*parser)
	*p = parser{ // fresh state, the buffers kept
		br: p.br, opt: opt, atStart: true, hit: -1, budget: -1,
		hbuf: p.hbuf[:0], lbuf: p.lbuf[:0], spans: p.spans[:0], dbuf: p.dbuf[:0],
		b64: p.b64, qp: p.qp,
	}
	p.br.Reset(r)
	if opt.MaxText > 0 {
		p.budget = 4*opt.MaxText + 4096
	}
	return p
}

// release gives p and its buffers back to the pool. p must not be used
// afterwards, nor anything that reads from it.
func (p *parser) release() {
	p.br.Reset(nil)
	keep := parser{br: p.br, hbuf: p.hbuf, spans: p.spans, b64: p.b64, qp: p.qp}
	if cap(p.dbuf) <= 1<<20 {
		keep.dbuf = p.dbuf
	}
	if cap(p.lbuf) <= maxLineBytes {
		keep.lbuf = p.lbuf
	}
	if cap(keep.hbuf) > 64<<10 {
		keep.hbuf = nil
	}
	if keep.qp != nil {
		keep.qp.raw = nil
		if cap(keep.qp.buf) > 64<<10 {
			keep.qp.buf = nil
		}
	}
	if keep.b64 != nil {
		keep.b64.src = nil
	}
	*p = keep
	parsers.Put(p)
}

// readLine returns the next chunk; ok is false at the end of the input.
func (p *parser) readLine() (c chunk, ok bool) {
	if p.hasBack {
		p.hasBack = false
		return p.back, true
	}
	if p.eof {
		return chunk{}, false
	}
	b, err := p.br.ReadSlice('\n')
	p.n += int64(len(b))
	c = chunk{b: b, start: p.atStart}
	switch {
	case err == nil:
	case errors.Is(err, bufio.ErrBufferFull):
		c.more = true
	default:
		p.eof = true
		if err != io.EOF {
			p.problem("", "", withCause(ErrRead, err))
		}
		if len(b) == 0 {
			return chunk{}, false
		}
	}
	p.atStart = !c.more
	return c, true
}

// unread pushes c back: the next readLine returns it.
func (p *parser) unread(c chunk) {
	p.back, p.hasBack = c, true
}

// boundary reports which open multipart line c delimits (-1: none), and
// whether it closes it. RFC 2046 section 5.1.1: "--" boundary, optional
// "--", optional blanks. Inner boundaries are tried first.
func (p *parser) boundary(c chunk) (level int, closing bool) {
	b := c.b
	if !c.start || len(p.bounds) == 0 || len(b) < 3 || b[0] != '-' || b[1] != '-' {
		return -1, false
	}
	for i := len(p.bounds) - 1; i >= 0; i-- {
		if !bytes.HasPrefix(b, p.bounds[i]) {
			continue
		}
		rest := b[len(p.bounds[i]):]
		closing := len(rest) >= 2 && rest[0] == '-' && rest[1] == '-'
		if closing {
			rest = rest[2:]
		}
		if allSpace(rest) {
			return i, closing
		}
	}
	return -1, false
}

// atBoundary checks c for a boundary and records it as the hit.
func (p *parser) atBoundary(c chunk) bool {
	level, closing := p.boundary(c)
	if level < 0 {
		return false
	}
	p.hit, p.hitClose = level, closing
	return true
}

// allSpace reports whether b holds only blanks and line ends.
func allSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// splitEOL splits a complete line into content and line end.
func splitEOL(b []byte) (content, eol []byte) {
	n := len(b)
	if n == 0 || b[n-1] != '\n' {
		return b, nil
	}
	if n > 1 && b[n-2] == '\r' {
		return b[:n-2], b[n-2:]
	}
	return b[:n-1], b[n-1:]
}

// skipBody consumes lines up to the next boundary line (recorded as the
// hit) or the end, calling fn (if not nil) with every chunk of the part.
// It reports whether a boundary line ended the part.
func (p *parser) skipBody(fn func(c chunk)) bool {
	for {
		c, ok := p.readLine()
		if !ok {
			return false
		}
		if p.atBoundary(c) {
			return true
		}
		if fn != nil {
			fn(c)
		}
	}
}

// problem records a problem, up to maxProblems.
// The same problem twice in a row is recorded once.
func (p *parser) problem(path, field string, err error) {
	if len(p.problems) >= maxProblems {
		return
	}
	e := &Error{Part: path, Field: field, Err: err}
	if n := len(p.problems); n > 0 && p.problems[n-1].Error() == e.Error() {
		return
	}
	p.problems = append(p.problems, e)
}

// childPath returns the path of the n-th part (from 1) of the multipart at
// path.
func childPath(path string, n int) string {
	if path == "" {
		return strconv.Itoa(n)
	}
	return path + "." + strconv.Itoa(n)
}
