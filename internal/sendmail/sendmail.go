// Package sendmail is the message side of the sendmail(8) interface: the
// input read as sendmail reads it (LF or CRLF lines, a lone "." ending it
// unless -i), the recipients of -t (To, Cc, Bcc), the Bcc fields removed
// and the From, Date and Message-ID fields a message lacks added, as
// Postfix's cleanup(8) does (RFC 5322 §3.6), and the addresses given on
// its command line. `facteur sendmail` (into the local MTA) and `facteur
// send` (a whole message through an account) share it; their argument
// parsing stays in package main.
package sendmail

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"facteur/internal/mailaddr"
)

// MaxBytes bounds a message read by `facteur sendmail`.
const MaxBytes = 64 << 20

var ErrTooBig = fmt.Errorf("sendmail: message larger than %d MB", MaxBytes>>20)

// ReadInput reads a message from stdin as sendmail does: lines
// ended by LF or CRLF, turned into CRLF lines; unless dotOK (-i, -oi), a
// line with a lone '.' ends the input.
func ReadInput(r io.Reader, dotOK bool) ([]byte, error) {
	br := bufio.NewReader(r)
	var buf bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			content := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			if !dotOK && content == "." {
				break
			}
			buf.WriteString(content + "\r\n")
			if buf.Len() > MaxBytes {
				return nil, ErrTooBig
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// Field is one header field: its name and its raw lines.
type Field struct {
	Name string
	Raw  string // CRLF included
}

// Value returns the field body, unfolded.
func (f Field) Value() string {
	_, v, _ := strings.Cut(f.Raw, ":")
	return strings.TrimSpace(strings.NewReplacer("\r\n ", " ", "\r\n\t", " ", "\r\n", "").Replace(v))
}

// SplitHeader cuts a CRLF message into its header fields and its body. A
// leading mbox "From " line is dropped; a line that is neither a field nor
// a continuation ends the header (the body then starts there).
func SplitHeader(msg []byte) ([]Field, []byte) {
	s := string(msg)
	if strings.HasPrefix(s, "From ") {
		_, s, _ = strings.Cut(s, "\r\n")
	}
	var fields []Field
	for s != "" {
		line, rest, _ := strings.Cut(s, "\r\n")
		switch {
		case line == "":
			return fields, []byte(rest)
		case (line[0] == ' ' || line[0] == '\t') && len(fields) > 0:
			fields[len(fields)-1].Raw += line + "\r\n"
		case isFieldLine(line):
			name, _, _ := strings.Cut(line, ":")
			fields = append(fields, Field{Name: strings.TrimSpace(name), Raw: line + "\r\n"})
		default:
			return fields, []byte(s)
		}
		s = rest
	}
	return fields, nil
}

// isFieldLine reports whether a line starts a header field: printable
// ASCII name without spaces, then ':' (RFC 5322 §2.2).
func isFieldLine(line string) bool {
	name, _, ok := strings.Cut(line, ":")
	name = strings.TrimRight(name, " \t") // obsolete WSP before ':' (RFC 5322 §4.5)
	if !ok || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] <= ' ' || name[i] > '~' {
			return false
		}
	}
	return true
}

// HeaderRecipients returns the addresses of the To, Cc and Bcc fields, for
// sendmail -t.
func HeaderRecipients(fields []Field) ([]string, error) {
	var out []string
	for _, f := range fields {
		if !strings.EqualFold(f.Name, "To") && !strings.EqualFold(f.Name, "Cc") && !strings.EqualFold(f.Name, "Bcc") {
			continue
		}
		list, err := mailaddr.ParseList(f.Value())
		if err != nil {
			return nil, fmt.Errorf("sendmail: cannot read the %s field %q: %w", f.Name, f.Value(), err)
		}
		for _, a := range list {
			if !a.IsEmptyGroup() && a.Addr() != "" {
				out = append(out, a.Addr())
			}
		}
	}
	return out, nil
}

// Prepare removes the Bcc fields and adds the From, Date and
// Message-ID fields a message lacks, as Postfix's cleanup does for local
// submissions: From is sender, with fullName as its display name.
func Prepare(fields []Field, body []byte, sender, fullName string, now time.Time) []byte {
	var b bytes.Buffer
	has := map[string]bool{}
	for _, f := range fields {
		name := strings.ToLower(f.Name)
		has[name] = true
		if name != "bcc" {
			b.WriteString(f.Raw)
		}
	}
	if !has["from"] {
		b.WriteString("From: " + fromValue(sender, fullName) + "\r\n")
	}
	if !has["date"] {
		b.WriteString("Date: " + now.Format(time.RFC1123Z) + "\r\n")
	}
	if !has["message-id"] {
		b.WriteString("Message-ID: " + newMessageID(sender, now) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

func fromValue(sender, fullName string) string {
	if fullName == "" {
		return sender
	}
	local, domain := mailaddr.Split(sender)
	return mailaddr.Address{Name: fullName, Local: local, Domain: domain}.String()
}

// newMessageID returns "<time.random@domain>" (RFC 5322 §3.6.4).
func newMessageID(sender string, now time.Time) string {
	_, domain := mailaddr.Split(sender)
	if domain == "" {
		domain = "localhost"
	}
	r := make([]byte, 8)
	rand.Read(r)
	return fmt.Sprintf("<%s.%s@%s>", now.UTC().Format("20060102150405"), hex.EncodeToString(r), domain)
}

// EnvelopeAddress reads a sender or recipient given on the command line:
// "user@domain", "<user@domain>", "Name <user@domain>", or a bare login
// of this host (completed with @localhost).
func EnvelopeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "@<") {
		if s == "" || strings.ContainsAny(s, " \t\",:;()[]\\") {
			return "", fmt.Errorf("sendmail: bad address %q", s)
		}
		return strings.ToLower(s) + "@localhost", nil
	}
	a, err := mailaddr.Parse(s)
	if err != nil {
		return "", fmt.Errorf("sendmail: bad address %q: %w", s, err)
	}
	if a.Addr() == "" {
		return "", errors.New("sendmail: empty address")
	}
	return a.Addr(), nil
}
