package localmta

import "io"

// crlfWriter writes a message with every line ended by CRLF: a bare CR
// or a bare LF (which the rules of DATA refuse, but a queue file of an
// older version or another injector may hold) becomes CRLF. The transport
// agent writes through it into go-smtp's DATA writer, whose dot-stuffing
// only knows lines ended by LF: a body holding "\r.\rMAIL FROM:" would
// otherwise reach the next hop byte for byte, a bare CR and an unstuffed
// dot that a receiver taking CR as a line end reads as the end of the
// data (SMTP smuggling; RFC 5321 §2.3.8: CR and LF only as CRLF).
type crlfWriter struct {
	w      io.Writer
	prevCR bool
	buf    []byte
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	c.buf = c.buf[:0]
	for _, b := range p {
		switch {
		case c.prevCR && b == '\n':
			c.buf = append(c.buf, '\n')
			c.prevCR = false
			continue
		case c.prevCR:
			c.buf = append(c.buf, '\n')
		}
		c.prevCR = b == '\r'
		if b == '\n' {
			c.buf = append(c.buf, '\r')
		}
		c.buf = append(c.buf, b)
	}
	if _, err := c.w.Write(c.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close ends a last bare CR with its LF.
func (c *crlfWriter) Close() error {
	if !c.prevCR {
		return nil
	}
	c.prevCR = false
	_, err := c.w.Write([]byte{'\n'})
	return err
}
