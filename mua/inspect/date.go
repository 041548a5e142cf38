package inspect

import (
	"strings"
	"time"

	"facteur/internal/message"
)

// parseDate reads the date of a Date or Received field with
// internal/message's lenient reader (RFC 5322 §3.3, the obsolete forms of
// §4.3 — two-digit years, named and military zones — and the broken ones
// of real servers: fractions of seconds, ISO dates, asctime order). ok is
// false when no date can be read, when the text has no time of day (a hop
// dated at midnight would make up delays), or when the year is before 1900
// (no mail was written then: a broken field).
func parseDate(s string) (time.Time, bool) {
	if !hasClock(s) {
		return time.Time{}, false
	}
	if i := strings.Index(s, " m=+"); i > 0 {
		s = s[:i] // Go's monotonic clock reading, printed by SendGrid
	}
	t, err := message.ParseDate(s)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	return t, true
}

// hasClock tells whether s holds a time of day, "hh:mm", outside comments
// (what stripComments leaves, read without building it).
func hasClock(s string) bool {
	var c clockScan
	for i := 0; i < len(s); {
		switch s[i] {
		case '(':
			_, end := commentEnd(s, i)
			c.feed(' ')
			i = end
		case '"':
			end := len(s)
			if k := indexFrom(s, i+1, '"'); k >= 0 {
				end = k + 1
			}
			for ; i < end; i++ {
				if c.feed(s[i]) {
					return true
				}
			}
		default:
			if c.feed(s[i]) {
				return true
			}
			i++
		}
	}
	return false
}

// clockScan finds a digit, a colon and a digit in a row.
type clockScan struct{ digit, colonAfterDigit bool }

func (c *clockScan) feed(b byte) bool {
	if c.colonAfterDigit && isDecimal(b) {
		return true
	}
	c.colonAfterDigit = b == ':' && c.digit
	c.digit = isDecimal(b)
	return false
}

func isDecimal(c byte) bool { return c >= '0' && c <= '9' }

// splitDate separates the clause tokens from the date tokens. The date
// follows the last top-level semicolon (RFC 5321 §4.4); when a field has
// none, it starts at the first word that opens a date ("Mon,", "26 Mar",
// "2018-03-26") with a time of day after it.
func splitDate(raw string, toks []token) (body, date []token) {
	last := -1
	for i, t := range toks {
		if t.kind == tokSemi {
			last = i
		}
	}
	if last >= 0 {
		return toks[:last], toks[last+1:]
	}
	for i := 1; i < len(toks); i++ {
		if opensDate(toks, i) && hasClock(raw[toks[i].start:]) {
			return toks[:i], toks[i:]
		}
	}
	return toks, nil
}

// opensDate tells whether toks[i] starts a date: a day name before a day
// or a month, a day before a month, or an ISO date; never a clause's value.
func opensDate(toks []token, i int) bool {
	t := toks[i]
	if t.kind != tokWord || toks[i-1].kind == tokWord && keyword(toks[i-1].text) != clNone {
		return false
	}
	next := ""
	if i+1 < len(toks) && toks[i+1].kind == tokWord {
		next = toks[i+1].text
	}
	switch w := t.text; {
	case isDayName(strings.TrimSuffix(w, ",")):
		return next != "" && (isDecimal(next[0]) || isMonthName(next))
	case len(w) <= 2 && isDecimal(w[0]):
		return allDecimal(w) && isMonthName(next)
	case len(w) == 10 && w[4] == '-' && w[7] == '-':
		return allDecimal(w[:4]) && allDecimal(w[5:7]) && allDecimal(w[8:])
	}
	return false
}

func isDayName(w string) bool {
	if len(w) != 3 {
		return false
	}
	return indexFold("mon tue wed thu fri sat sun", w) >= 0
}

func isMonthName(w string) bool {
	if len(w) != 3 {
		return false
	}
	return indexFold("jan feb mar apr may jun jul aug sep oct nov dec", w) >= 0
}

func allDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDecimal(s[i]) {
			return false
		}
	}
	return s != ""
}

// dateText returns the text of the date tokens as written.
func dateText(raw string, date []token) string {
	if len(date) == 0 {
		return ""
	}
	return raw[date[0].start:]
}

// dateComments reads the comments written after the date: Postfix's
// "(envelope-from x)" after "(UTC)".
func (p *hopParser) dateComments(date []token) {
	for _, t := range date {
		if t.kind == tokComment {
			p.h.envelopeComment(t.text)
		}
	}
}
