package message

import (
	"io"
	"mime/quotedprintable"
)

// rawBody reads the raw bytes of the current part, up to the next boundary
// line (recorded as the parser's hit, the line end before it excluded, RFC
// 2046 section 5.1.1) or the end of the input.
type rawBody struct {
	p       *parser
	cur     []byte // bytes to hand over next
	pending []byte // line content to hand over after cur
	eol     []byte // line end of the last line, handed over if a line follows
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

// next reads one chunk.
func (r *rawBody) next() {
	c, ok := r.p.readLine()
	if !ok {
		r.cur, r.eol, r.done = r.eol, nil, true // the last line end is content
		return
	}
	if r.p.atBoundary(c) {
		r.eol, r.done = nil, true
		return
	}
	content, eol := c.b, []byte(nil)
	if !c.more {
		content, eol = splitEOL(c.b)
	}
	r.cur, r.pending, r.eol = r.eol, content, eol
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
		return quotedprintable.NewReader(raw)
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
