package message

import (
	"bytes"
	"io"
)

// rawBody reads the raw bytes of the current part, up to the next boundary
// line (recorded as the parser's hit, the line end before it excluded, RFC
// 2046 section 5.1.1) or the end of the input.
type rawBody struct {
	p       *parser
	cur     []byte // bytes to hand over next
	pending []byte // line content to hand over after cur
	eol     []byte // line end of the last line, handed over if a line follows
	piece   bool   // the last chunk read was a piece of a long line
	done    bool
}

func (r *rawBody) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		if len(r.cur) == 0 {
			r.cur, r.pending = r.pending, nil
		}
		if len(r.cur) == 0 {
			if r.done {
				break
			}
			r.next()
			continue
		}
		c := copy(b[n:], r.cur)
		r.cur = r.cur[c:]
		n += c
	}
	if n == 0 && r.done {
		return 0, io.EOF
	}
	return n, nil
}

// next reads one chunk into cur and pending.
func (r *rawBody) next() {
	content, eol, ok := r.nextLine()
	if !ok {
		if r.p.hit < 0 {
			r.cur = r.eol // at the end of the input, the last line end is content
		}
		r.eol = nil
		return
	}
	r.cur, r.pending, r.eol = r.eol, content, eol
}

// nextLine returns the next chunk of the part split into content and line
// end (nil for a piece of a long line); ok is false at the end of the part.
// The line end of the last line before a boundary is not content: callers
// hand over a line end only once the next line is known.
func (r *rawBody) nextLine() (content, eol []byte, ok bool) {
	if r.done {
		return nil, nil, false
	}
	c, ok := r.p.readLine()
	if !ok || r.p.atBoundary(c) {
		r.done = true
		return nil, nil, false
	}
	r.piece = c.more
	if c.more {
		return c.b, nil, true
	}
	content, eol = splitEOL(c.b)
	return content, eol, true
}

// drain skips the rest of the part without copying it.
func (r *rawBody) drain() {
	r.cur, r.pending = nil, nil
	if !r.done {
		r.p.skipBody(nil)
		r.done = true
	}
}

// decoder returns a reader of the decoded content of a part: RFC 2045
// section 6 transfer encodings; an unknown one is a problem and the bytes
// are taken as they are.
func (p *parser) decoder(raw *rawBody, e *entity) io.Reader {
	switch e.cte {
	case "base64":
		if p.b64 == nil {
			p.b64 = new(b64Reader)
		}
		p.b64.reset(raw)
		return p.b64
	case "quoted-printable":
		if p.qp == nil {
			p.qp = new(qpReader)
		}
		p.qp.reset(raw)
		return p.qp
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return raw
	}
	p.problem(e.path, "Content-Transfer-Encoding", withDetail(ErrUnknownEncoding, "\""+e.cte+"\""))
	return raw
}

// readDecoded reads at most limit decoded bytes of the part (limit < 0: all)
// into the parser's scratch buffer, then skips the rest of the part.
func (p *parser) readDecoded(e *entity, limit int) []byte {
	raw := &rawBody{p: p}
	r := p.decoder(raw, e)
	buf := p.dbuf[:0]
	for limit < 0 || len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):cap(buf)]
		if limit >= 0 && len(room) > limit-len(buf) {
			room = room[:limit-len(buf)]
		}
		n, err := r.Read(room)
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			p.problem(e.path, "", withCause(ErrBadEncoding, err))
			break
		}
	}
	if b, ok := r.(*b64Reader); ok && b.bad {
		p.problem(e.path, "", withDetail(ErrBadEncoding, "(base64)"))
	}
	raw.drain()
	p.dbuf = buf
	return buf
}

// decodedSize skips the part and returns its decoded size: base64 is
// counted from line lengths (RFC 2045 section 6.8: 4 characters for 3
// bytes, blanks and padding ignored), quoted-printable by decoding escapes
// (section 6.7), other encodings byte for byte.
func (p *parser) decodedSize(cte string) int64 {
	var size, lastEOL int64
	var carry int // base64 characters of an unfinished quantum
	var qpSoft bool
	count := func(c chunk) {
		switch cte {
		case "base64":
			carry += b64Chars(c.b)
			size += int64(carry / 4 * 3)
			carry %= 4
		case "quoted-printable":
			var n int
			n, qpSoft = qpLen(c)
			size += int64(n)
			lastEOL = 0
			if !qpSoft && !c.more {
				_, eol := splitEOL(c.b)
				lastEOL = int64(len(eol))
			}
		default:
			size += int64(len(c.b))
			lastEOL = 0
			if !c.more {
				_, eol := splitEOL(c.b)
				lastEOL = int64(len(eol))
			}
		}
	}
	if p.skipBody(count) {
		size -= lastEOL // the line end before the boundary is not content
	}
	if carry >= 2 {
		size += int64(carry - 1)
	}
	return size
}

// b64Chars counts the base64 characters of a line: its length without
// blanks, line end and '=' padding at the end (blanks inside a line, which
// no encoder writes, are counted: the size is then a little too large).
func b64Chars(b []byte) int {
	n := len(b)
	for n > 0 && (b[n-1] == '\n' || b[n-1] == '\r' || b[n-1] == ' ' || b[n-1] == '\t' || b[n-1] == '=') {
		n--
	}
	i := 0
	for i < n && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return n - i
}

// qpLen returns the decoded length of a quoted-printable chunk (its line
// end included) and whether it ends with a soft line break.
func qpLen(c chunk) (n int, soft bool) {
	content, eol := c.b, []byte(nil)
	if !c.more {
		content, eol = splitEOL(c.b)
		for len(content) > 0 && (content[len(content)-1] == ' ' || content[len(content)-1] == '\t') {
			content = content[:len(content)-1]
		}
	}
	if len(content) > 0 && content[len(content)-1] == '=' && !c.more {
		soft = true
		content = content[:len(content)-1]
	}
	for i := 0; i < len(content); i++ {
		if content[i] == '=' && i+2 < len(content) && isHex(content[i+1]) && isHex(content[i+2]) {
			i += 2
		}
		n++
	}
	if !soft {
		n += len(eol)
	}
	return n, soft
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// b64Reader decodes base64 leniently: characters outside the alphabet are
// skipped (and noted in bad), padding may appear anywhere (concatenated
// encodings), a final incomplete quantum gives the bytes it holds.
type b64Reader struct {
	src  io.Reader
	in   [4096]byte
	out  []byte
	outb [3*1024 + 8]byte
	q    [4]byte
	nq   int
	eof  bool
	bad  bool
}

var b64Table = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range t {
		t[i] = 0xFF // invalid
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	for _, c := range []byte(" \t\r\n") {
		t[c] = 0xFE // ignored
	}
	t['='] = 0xFD
	return t
}()

func (r *b64Reader) reset(src io.Reader) {
	r.src, r.out, r.nq, r.eof, r.bad = src, nil, 0, false, false
}

func (r *b64Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.eof {
			return 0, io.EOF
		}
		r.fill()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// fill decodes the next block of input into out.
func (r *b64Reader) fill() {
	n, err := r.src.Read(r.in[:])
	out := r.outb[:0]
	for _, c := range r.in[:n] {
		switch v := b64Table[c]; v {
		case 0xFE:
		case 0xFF:
			r.bad = true
		case 0xFD:
			out = r.flush(out)
		default:
			r.q[r.nq] = v
			r.nq++
			if r.nq == 4 {
				out = append(out, r.q[0]<<2|r.q[1]>>4, r.q[1]<<4|r.q[2]>>2, r.q[2]<<6|r.q[3])
				r.nq = 0
			}
		}
	}
	if err != nil {
		out = r.flush(out)
		r.eof = true
		if err != io.EOF {
			r.bad = true
		}
	}
	r.out = out
}

// flush decodes an incomplete quantum (at padding or at the end).
func (r *b64Reader) flush(out []byte) []byte {
	switch r.nq {
	case 1:
		r.bad = true
	case 2:
		out = append(out, r.q[0]<<2|r.q[1]>>4)
	case 3:
		out = append(out, r.q[0]<<2|r.q[1]>>4, r.q[1]<<4|r.q[2]>>2)
	}
	r.nq = 0
	return out
}

// qpReader decodes quoted-printable (RFC 2045 section 6.7) leniently: a
// bad escape is kept as it is, blanks at the end of lines are dropped, a
// final '=' is a soft line break.
type qpReader struct {
	raw   *rawBody
	out   []byte
	buf   []byte
	eol   []byte // line end due if another line follows
	carry [2]byte
	nc    int // bytes in carry: an escape cut between two pieces
	done  bool
}

func (q *qpReader) reset(raw *rawBody) {
	q.raw, q.out, q.eol, q.nc, q.done = raw, nil, nil, 0, false
}

func (q *qpReader) Read(p []byte) (int, error) {
	for len(q.out) == 0 {
		if q.done {
			return 0, io.EOF
		}
		q.fill()
	}
	n := copy(p, q.out)
	q.out = q.out[n:]
	return n, nil
}

// fill decodes the next line.
func (q *qpReader) fill() {
	content, eol, ok := q.raw.nextLine()
	buf := q.buf[:0]
	if !ok {
		buf = append(buf, q.carry[:q.nc]...)
		if q.raw.p.hit < 0 {
			buf = append(buf, q.eol...) // at the end of the input, the last line end is content
		}
		q.out, q.buf, q.done = buf, buf, true
		return
	}
	buf = append(buf, q.eol...)
	q.eol = nil
	if q.nc > 0 {
		content = append(q.carry[:q.nc:q.nc], content...)
		q.nc = 0
	}
	soft := false
	if !q.raw.piece {
		for len(content) > 0 && (content[len(content)-1] == ' ' || content[len(content)-1] == '\t') {
			content = content[:len(content)-1]
		}
		if soft = len(content) > 0 && content[len(content)-1] == '='; soft {
			content = content[:len(content)-1]
		}
	} else if i := lastEscape(content); i >= 0 {
		q.nc = copy(q.carry[:], content[i:])
		content = content[:i]
	}
	buf = appendQP(buf, content)
	if !soft {
		q.eol = eol
	}
	q.out, q.buf = buf, buf
}

// lastEscape returns the index of an escape cut at the end of a piece.
func lastEscape(b []byte) int {
	n := len(b)
	switch {
	case n >= 1 && b[n-1] == '=':
		return n - 1
	case n >= 2 && b[n-2] == '=':
		return n - 2
	}
	return -1
}

// appendQP appends content with its =XX escapes decoded.
func appendQP(dst, b []byte) []byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '=')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		if len(b) >= 3 && isHex(b[1]) && isHex(b[2]) {
			dst = append(dst, unhex(b[1])<<4|unhex(b[2]))
			b = b[3:]
		} else {
			dst = append(dst, '=')
			b = b[1:]
		}
	}
	return dst
}
