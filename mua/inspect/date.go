package inspect

import (
	"time"

	"facteur/internal/message"
)

// parseDate reads the date of a Date or Received field with
// internal/message's lenient reader (RFC 5322 §3.3, the obsolete forms of
// §4.3 and the broken ones of real servers). ok is false when no date can
// be read, when the text has no time of day (a hop dated at midnight would
// make up delays), or when the year is before 1900 (no mail was written
// then: a broken field).
func parseDate(s string) (time.Time, bool) {
	if !hasClock(s) {
		return time.Time{}, false
	}
	t, err := message.ParseDate(s)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	return t, true
}

// hasClock tells whether s holds a time of day, "hh:mm", outside comments.
func hasClock(s string) bool {
	s = stripComments(s)
	for i := 1; i+1 < len(s); i++ {
		if s[i] == ':' && isDecimal(s[i-1]) && isDecimal(s[i+1]) {
			return true
		}
	}
	return false
}

func isDecimal(c byte) bool { return c >= '0' && c <= '9' }
