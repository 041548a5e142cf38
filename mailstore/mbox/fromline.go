package mbox

import (
	"bytes"
	"strings"
	"time"
)

// asctimeLayout is the date of the From_ lines Writer writes (C's asctime,
// always in UTC).
const asctimeLayout = "Mon Jan _2 15:04:05 2006"

var fromPrefix = []byte("From ")

// fromLine is a parsed From_ separator line.
type fromLine struct {
	sender string
	date   time.Time
}

// trimEOL removes a trailing LF or CRLF.
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n > 1 && b[n-2] == '\r' {
			b = b[:n-2]
		}
	}
	return b
}

// parseFromLine parses "From <sender> <date>". ok reports whether the line
// looks like a From_ line: the prefix, then a sender and a readable date
// (or, after two blanks, a date alone: "From  Thu May 11 ...").
func parseFromLine(line []byte) (fl fromLine, ok bool) {
	line = trimEOL(line)
	if !bytes.HasPrefix(line, fromPrefix) {
		return fl, false
	}
	rest := line[len(fromPrefix):]
	if len(rest) > 0 && isBlank(rest[0]) { // "From  date": no sender
		d, ok := parseDate(rest)
		return fromLine{date: d}, ok
	}
	sender, after := nextToken(rest)
	d, ok := parseDate(after)
	return fromLine{sender: internSender(sender), date: d}, ok
}

// internSender avoids an allocation for the most common null sender.
func internSender(b []byte) string {
	if string(b) == "MAILER-DAEMON" {
		return "MAILER-DAEMON"
	}
	return string(b)
}

// formatFromLine returns the From_ line Writer writes, with its LF. A date
// whose year does not fit in four digits is written as the zero time, read
// back as the zero time.
func formatFromLine(sender string, date time.Time) []byte {
	sender = sanitizeSender(sender)
	b := make([]byte, 0, len(fromPrefix)+len(sender)+len(asctimeLayout)+2)
	b = append(b, fromPrefix...)
	b = append(b, sender...)
	b = append(b, ' ')
	date = date.UTC()
	if y := date.Year(); y < 0 || y > 9999 {
		date = time.Time{} // not representable in four digits
	}
	b = date.AppendFormat(b, asctimeLayout)
	return append(b, '\n')
}

// sanitizeSender makes sender one token: empty becomes "MAILER-DAEMON",
// blanks and control characters become '_'.
func sanitizeSender(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "MAILER-DAEMON"
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// nextToken returns the first blank-delimited token of b and what follows it.
func nextToken(b []byte) (tok, rest []byte) {
	i := 0
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !isBlank(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}
