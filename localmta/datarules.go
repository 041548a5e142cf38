package localmta

import (
	"errors"
	"io"

	"github.com/emersion/go-smtp"
)

// The rules of DATA, written once: the SMTP server applies them to DATA
// and BDAT, and Pickup to what a local program hands over without SMTP
// (`facteur sendmail` while no MTA runs), with the same replies.
//
//   - CR and LF only together as CRLF (RFC 5321 §2.3.8): a bare CR or LF
//     is how SMTP smuggling hides a second message;
//   - no NUL octet (RFC 5322 §2.1, RFC 2045 §2.7: not even 8bit data
//     holds one; only BINARYMIME, which Facteur does not offer, would);
//   - lines of at most MaxLineOctets octets with their CRLF, 1,998
//     characters (RFC 5322 §2.1.1 allows 998, and Facteur used to take
//     up to go-smtp's command line limit). Postfix accepts any length and
//     splits long lines at line_length_limit; Facteur does not change a
//     message that way (a split breaks DKIM signatures and the text) and
//     refuses it permanently instead, with one 5xx reply after the end of
//     the data (third_party/go-smtp reads DATA without the command line
//     limit, as BDAT): a temporary error (as before: 451, then "500 Too
//     long line" and the end of the connection) had senders retry for
//     days a message that can never pass;
//   - at most Config.MaxMessageBytes (SIZE, RFC 1870).
const MaxLineOctets = 2000

// Replies of the rules of DATA, for errors.Is.
var (
	ErrLongLine = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused: a line is longer than 1998 octets (RFC 5322 allows 998): encode the body (quoted-printable or base64)"}
	ErrNUL      = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused: NUL octet in the message (RFC 5322 §2.1)"}
)

// dataChecker passes a message through and fails, with the rule's reply,
// at the first octet that breaks a rule of DATA.
type dataChecker struct {
	r    io.Reader
	max  int64 // 0: no size limit
	n    int64 // octets read
	line int   // octets of the current line, CR included
	prev byte
	err  *smtp.SMTPError // the rule broken, once one is
}

func newDataChecker(r io.Reader, maxBytes int64) *dataChecker {
	return &dataChecker{r: r, max: maxBytes}
}

func (c *dataChecker) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		if rule := c.step(b); rule != nil {
			c.err = rule
			return 0, rule
		}
	}
	if errors.Is(err, io.EOF) {
		c.err = c.atEOF()
		if c.err != nil {
			return 0, c.err
		}
	}
	return n, err
}

// atEOF checks the end: a last line without CRLF counts the CRLF that
// SMTP adds.
func (c *dataChecker) atEOF() *smtp.SMTPError {
	switch {
	case c.prev == '\r':
		return ErrBareLF
	case c.line+2 > MaxLineOctets:
		return ErrLongLine
	}
	return nil
}

// step checks one octet.
func (c *dataChecker) step(b byte) *smtp.SMTPError {
	c.n++
	switch {
	case b == '\n' && c.prev != '\r', c.prev == '\r' && b != '\n':
		return ErrBareLF
	case b == 0:
		return ErrNUL
	case c.max > 0 && c.n > c.max:
		return smtp.ErrDataTooLarge
	}
	c.prev = b
	if b == '\n' {
		c.line = 0
		return nil
	}
	c.line++
	if c.line > MaxLineOctets-1 { // the LF is not counted yet
		return ErrLongLine
	}
	return nil
}
