// Package eol converts the line ends of Internet messages between their two
// forms: CRLF, the form of the wire (RFC 5322 §2.1, RFC 5321 §2.3.8, RFC
// 9051 §2.2, RFC 1939 §3), and LF, the form of Maildir files on Unix, as
// Dovecot (mail_save_crlf = no) and mutt write them. Facteur's store keeps
// LF files (package facteur/mailstore) and gives CRLF to every protocol.
//
// Only line ends change: a CR that no LF follows (a lone CR) stays as it
// is, in both directions, so ToCRLF(ToLF(m)) is ToCRLF(m) for every m, and
// CRLFSize(ToLF(m)) is len(ToCRLF(m)): the size an IMAP server gives as
// RFC822.SIZE for the same message.
package eol

import "bytes"

// ToLF returns b with every CRLF made LF, except a CRLF after a lone CR
// ("\r\r\n" stays: made "\r\n" it would read back as a line end and
// the lone CR would be lost). b is returned as it is when nothing changes.
func ToLF(b []byte) []byte {
	var out []byte
	last := 0
	for i := bytes.Index(b, []byte("\r\n")); i >= 0; {
		if i == 0 || b[i-1] != '\r' {
			if out == nil {
				out = make([]byte, 0, len(b))
			}
			out = append(out, b[last:i]...)
			last = i + 1 // the LF
		}
		j := bytes.Index(b[i+2:], []byte("\r\n"))
		if j < 0 {
			break
		}
		i += 2 + j
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// ToCRLF returns b with every LF that no CR precedes made CRLF. b is
// returned as it is when it has no such LF.
func ToCRLF(b []byte) []byte {
	n := bareLFs(b)
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i]...)
		if i == 0 && !endsWithCR(out) || i > 0 && b[i-1] != '\r' {
			out = append(out, '\r')
		}
		out = append(out, '\n')
		b = b[i+1:]
	}
}

func endsWithCR(b []byte) bool { return len(b) > 0 && b[len(b)-1] == '\r' }

// CRLFSize is the size of b in CRLF form: len(ToCRLF(b)), without the copy.
func CRLFSize(b []byte) int64 {
	return int64(len(b) + bareLFs(b))
}

// bareLFs counts the LFs of b that no CR precedes.
func bareLFs(b []byte) int {
	n := 0
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			n++
		}
	}
	return n
}
