package mbox

import "time"

// dateFields are the parts of a From_ line date.
type dateFields struct {
	year, day, hour, min, sec int
	month                     time.Month
	loc                       *time.Location
}

// parseDate reads the date of a From_ line, in either order:
//
//	asctime:  [wday] mon day hh:mm[:ss] [zone] year [zone] [anything]
//	RFC 5322: [wday[,]] day mon year hh:mm[:ss] [zone] [anything]
//
// Dates without a numeric zone are UTC. The order is strict on purpose: the
// date is what tells a separator from a body line starting with "From ".
func parseDate(b []byte) (time.Time, bool) {
	f := dateFields{loc: time.UTC}
	tok, rest := nextToken(b)
	if len(tok) > 0 && tok[len(tok)-1] == ',' {
		tok = tok[:len(tok)-1]
	}
	if weekday(tok) {
		tok, rest = nextToken(rest)
	}
	var ok bool
	if f.month, ok = month(tok); ok {
		ok = f.asctime(rest)
	} else {
		ok = f.rfc5322(tok, rest)
	}
	if !ok || f.day < 1 || f.day > 31 {
		return time.Time{}, false
	}
	return time.Date(f.year, f.month, f.day, f.hour, f.min, f.sec, 0, f.loc), true
}

// asctime reads "day hh:mm[:ss] [zone] year [zone]" after the month.
func (f *dateFields) asctime(b []byte) bool {
	tok, b := nextToken(b)
	var ok bool
	if f.day, ok = atoi(tok, 1, 2); !ok {
		return false
	}
	tok, b = nextToken(b)
	if !f.clock(tok) {
		return false
	}
	tok, b = nextToken(b)
	if loc, ok := zone(tok); ok {
		f.loc = loc
		tok, b = nextToken(b)
	}
	if f.year, ok = atoi(tok, 4, 4); !ok {
		return false
	}
	tok, _ = nextToken(b)
	if loc, ok := zone(tok); ok {
		f.loc = loc
	}
	return true
}

// rfc5322 reads "day mon year hh:mm[:ss] [zone]", day being tok.
func (f *dateFields) rfc5322(tok, b []byte) bool {
	var ok bool
	if f.day, ok = atoi(tok, 1, 2); !ok {
		return false
	}
	tok, b = nextToken(b)
	if f.month, ok = month(tok); !ok {
		return false
	}
	tok, b = nextToken(b)
	if f.year, ok = atoi(tok, 4, 4); !ok {
		return false
	}
	tok, b = nextToken(b)
	if !f.clock(tok) {
		return false
	}
	tok, _ = nextToken(b)
	if loc, ok := zone(tok); ok {
		f.loc = loc
	}
	return true
}

// clock reads hh:mm or hh:mm:ss.
func (f *dateFields) clock(b []byte) bool {
	if len(b) != 5 && len(b) != 8 || b[2] != ':' || len(b) == 8 && b[5] != ':' {
		return false
	}
	var ok1, ok2, ok3 bool
	f.hour, ok1 = atoi(b[0:2], 2, 2)
	f.min, ok2 = atoi(b[3:5], 2, 2)
	ok3 = true
	if len(b) == 8 {
		f.sec, ok3 = atoi(b[6:8], 2, 2)
	}
	return ok1 && ok2 && ok3 && f.hour < 24 && f.min < 60 && f.sec <= 60
}

// atoi reads an unsigned decimal of minLen to maxLen digits.
func atoi(b []byte, minLen, maxLen int) (int, bool) {
	if len(b) < minLen || len(b) > maxLen {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// zone reads a numeric zone "+0200" or a name (ignored, UTC); ok is false for
// anything else.
func zone(b []byte) (*time.Location, bool) {
	if len(b) == 5 && (b[0] == '+' || b[0] == '-') {
		hh, ok1 := atoi(b[1:3], 2, 2)
		mm, ok2 := atoi(b[3:5], 2, 2)
		if !ok1 || !ok2 || mm > 59 {
			return nil, false
		}
		off := (hh*60 + mm) * 60
		if b[0] == '-' {
			off = -off
		}
		if off == 0 {
			return time.UTC, true
		}
		return time.FixedZone("", off), true
	}
	if len(b) >= 1 && len(b) <= 5 {
		for _, c := range b {
			if c < 'A' || c > 'Z' {
				return nil, false
			}
		}
		return time.UTC, true
	}
	return nil, false
}

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

var dayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func month(b []byte) (time.Month, bool) {
	if len(b) != 3 {
		return 0, false
	}
	for i, m := range monthNames {
		if equalFold3(b, m) {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

func weekday(b []byte) bool {
	if len(b) != 3 {
		return false
	}
	for _, d := range dayNames {
		if equalFold3(b, d) {
			return true
		}
	}
	return false
}

// equalFold3 compares 3 ASCII letters with a lower-case name.
func equalFold3(b []byte, lower string) bool {
	for i := 0; i < 3; i++ {
		if b[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}
