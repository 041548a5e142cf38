package message

import (
	"strconv"
	"time"
)

// ParseDate reads a date-time as found in Date and Received fields. It
// accepts RFC 5322 section 3.3 dates and the obsolete or broken forms seen
// in real mail (section 4.3 and beyond): no or misspelt day of week,
// two-digit years (< 50: 20xx, else 19xx) and three-digit years (+1900),
// named zones (UT, GMT, EST, CET...; unknown names and military letters are
// read as UTC, as section 4.3 says of the latter), "+hh:mm" and "+hh"
// zones, "GMT+0200", no zone (UTC), no seconds, fractions of seconds,
// comments, dashes ("11-May-2000"), asctime order ("Thu May 11 18:19:24
// 2000"), AM/PM, ISO 8601 dates ("2000-05-11T18:19:24Z") and dd.mm.yyyy.
// It needs at least a day, a month and a year; the error wraps ErrBadDate.
func ParseDate(s string) (time.Time, error) {
	var d dateParts
	if d.canonical(s) {
		return d.time(), nil
	}
	d = dateParts{}
	if !d.scan(s) {
		return time.Time{}, withDetail(ErrBadDate, strconv.Quote(truncate(s, 80)))
	}
	return d.time(), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// dateParts are the pieces of a date found so far.
type dateParts struct {
	year, month, day        int
	yearDigits              int
	hour, min, sec, nsec    int
	haveTime, haveZone, bad bool
	off                     int // zone offset in minutes
	pm, am                  bool
}

// scan reads the tokens of s.
func (d *dateParts) scan(s string) bool {
	for i := 0; i < len(s) && !d.bad; {
		c := s[i]
		switch {
		case c == '(':
			i = skipComment(s, i)
		case isLetter(c) || c >= 0x80:
			j := i
			for j < len(s) && (isLetter(s[j]) || s[j] >= 0x80) {
				j++
			}
			d.word(s[i:j])
			i = j
		case isDigit(c):
			i = d.number(s, i)
		case (c == '+' || c == '-') && i+1 < len(s) && isDigit(s[i+1]) && d.haveTime:
			i = d.numericZone(s, i)
		default:
			i++
		}
	}
	if d.bad || d.day == 0 || d.month == 0 || d.yearDigits == 0 {
		return false
	}
	return d.check()
}

// skipComment returns the index after the comment at s[i] == '('.
func skipComment(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// months maps month names and abbreviations (English, and the French and
// German ones some mailers write) to their number.
var months = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
	"janv": 1, "fev": 2, "fév": 2, "févr": 2, "fevr": 2, "mars": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "aout": 8, "août": 8,
	"sept": 9, "déc": 12, "mär": 3, "mrz": 3, "okt": 10, "dez": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8, "september": 9,
	"october": 10, "november": 11, "december": 12,
}

// zones maps zone names to offsets in minutes: RFC 5322 section 4.3, and
// common others (for the ambiguous ones, the most common reading).
var zones = map[string]int{
	"ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
	"est": -5 * 60, "edt": -4 * 60, "cst": -6 * 60, "cdt": -5 * 60,
	"mst": -7 * 60, "mdt": -6 * 60, "pst": -8 * 60, "pdt": -7 * 60,
	"akst": -9 * 60, "akdt": -8 * 60, "hst": -10 * 60, "ast": -4 * 60, "adt": -3 * 60,
	"cet": 60, "cest": 120, "met": 60, "mest": 120, "mez": 60, "mesz": 120, "bst": 60, "west": 60,
	"eet": 120, "eest": 180, "msk": 180, "ist": 5*60 + 30, "sgt": 8 * 60, "hkt": 8 * 60,
	"jst": 9 * 60, "kst": 9 * 60, "awst": 8 * 60, "acst": 9*60 + 30, "aest": 10 * 60, "aedt": 11 * 60,
	"nzst": 12 * 60, "nzdt": 13 * 60,
}

// word handles a run of letters: month, zone, AM/PM; other words (days of
// the week, "at", military zones) are ignored.
func (d *dateParts) word(w string) {
	if len(w) > 12 {
		return
	}
	var buf [12]byte
	lw := buf[:len(w)]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lw[i] = c
	}
	switch string(lw) {
	case "mon", "tue", "wed", "thu", "fri", "sat", "sun":
		return // the usual day names, in no map: no look-up
	}
	if m, ok := months[string(lw)]; ok && d.month == 0 {
		d.month = m
		return
	}
	if off, ok := zones[string(lw)]; ok && !d.haveZone {
		d.off, d.haveZone = off, true
		return
	}
	switch string(lw) {
	case "pm":
		d.pm = true
	case "am":
		d.am = true
	}
}

// number handles a token starting with a digit at s[i] and returns the
// index after it.
func (d *dateParts) number(s string, i int) int {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	switch {
	case j < len(s) && s[j] == ':':
		return d.clock(s, i)
	case j-i == 4 && j+1 < len(s) && s[j] == '-' && isDigit(s[j+1]):
		return d.isoDate(s, i)
	case j < len(s) && s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]):
		return d.dottedDate(s, i)
	}
	n, _ := atoi(s[i:j])
	switch digits := j - i; {
	case digits >= 3 && digits <= 4 && d.yearDigits == 0:
		d.year, d.yearDigits = n, digits
	case digits <= 2 && d.day == 0:
		d.day = n
	case digits <= 2 && d.yearDigits == 0:
		d.year, d.yearDigits = n, digits
	}
	return j
}

// atoi reads up to 9 digits.
func atoi(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// digitsAt reads the digits at s[i:], at most max of them.
func digitsAt(s string, i, max int) (n, j int) {
	j = i
	for j < len(s) && j-i < max && isDigit(s[j]) {
		n = n*10 + int(s[j]-'0')
		j++
	}
	return n, j
}

// clock reads hh:mm[:ss[.fff]].
func (d *dateParts) clock(s string, i int) int {
	h, j := digitsAt(s, i, 2)
	if j == i || j >= len(s) || s[j] != ':' {
		d.bad = true
		return j
	}
	m, k := digitsAt(s, j+1, 2)
	if k == j+1 {
		d.bad = true
		return k
	}
	sec := 0
	if k < len(s) && s[k] == ':' {
		var l int
		sec, l = digitsAt(s, k+1, 2)
		if l == k+1 {
			sec = 0
		}
		k = l
		if k+1 < len(s) && (s[k] == '.' || s[k] == ',') && isDigit(s[k+1]) {
			k = d.fraction(s, k+1)
		}
	}
	if !d.haveTime {
		d.hour, d.min, d.sec, d.haveTime = h, m, sec, true
	}
	for k < len(s) && isDigit(s[k]) { // "18:19:245": garbage digits
		k++
	}
	return k
}

// fraction reads the digits of a fraction of second.
func (d *dateParts) fraction(s string, i int) int {
	ns, scale := 0, 100_000_000
	j := i
	for ; j < len(s) && isDigit(s[j]); j++ {
		ns += int(s[j]-'0') * scale
		scale /= 10
	}
	if !d.haveTime {
		d.nsec = ns
	}
	return j
}

// isoDate reads yyyy-mm-dd.
func (d *dateParts) isoDate(s string, i int) int {
	y, j := digitsAt(s, i, 4)
	m, k := digitsAt(s, j+1, 2)
	if k == j+1 || k >= len(s) || s[k] != '-' {
		d.bad = true
		return k
	}
	day, l := digitsAt(s, k+1, 2)
	if l == k+1 {
		d.bad = true
		return l
	}
	if d.yearDigits == 0 && d.month == 0 && d.day == 0 {
		d.year, d.yearDigits, d.month, d.day = y, 4, m, day
	}
	return l
}

// dottedDate reads dd.mm.yyyy (or dd.mm.yy).
func (d *dateParts) dottedDate(s string, i int) int {
	day, j := digitsAt(s, i, 2)
	m, k := digitsAt(s, j+1, 2)
	if k == j+1 || k >= len(s) || s[k] != '.' {
		d.bad = true
		return k
	}
	y, l := digitsAt(s, k+1, 4)
	if l == k+1 || l-k-1 == 1 {
		d.bad = true
		return l
	}
	if d.yearDigits == 0 && d.month == 0 && d.day == 0 {
		d.day, d.month, d.year, d.yearDigits = day, m, y, l-k-1
	}
	return l
}

// numericZone reads +hhmm, +hh:mm or +hh.
func (d *dateParts) numericZone(s string, i int) int {
	sign := 1
	if s[i] == '-' {
		sign = -1
	}
	n, j := digitsAt(s, i+1, 4)
	h, m := n, 0
	switch j - i - 1 {
	case 4:
		h, m = n/100, n%100
	case 3:
		h, m = n/100, n%100 // "+200": hmm
	case 2, 1:
		if j+2 < len(s) && s[j] == ':' && isDigit(s[j+1]) && isDigit(s[j+2]) {
			m = int(s[j+1]-'0')*10 + int(s[j+2]-'0')
			j += 3
		}
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if h <= 23 && m <= 59 {
		d.off, d.haveZone = sign*(h*60+m), true
	}
	return j
}

// check validates the fields and applies the year and AM/PM rules.
func (d *dateParts) check() bool {
	switch d.yearDigits {
	case 1, 2:
		if d.year < 50 {
			d.year += 2000
		} else {
			d.year += 1900
		}
	case 3:
		d.year += 1900
	}
	if d.pm && d.hour < 12 {
		d.hour += 12
	} else if d.am && d.hour == 12 {
		d.hour = 0
	}
	if d.sec == 60 {
		d.sec = 59 // a leap second
	}
	if d.month < 1 || d.month > 12 || d.day < 1 || d.day > daysIn(d.month, d.year) {
		return false
	}
	return d.hour <= 23 && d.min <= 59 && d.sec <= 59
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// fixedZones caches the zones of offsets in quarters of an hour.
var fixedZones = func() (z [24*4*2 + 1]*time.Location) {
	for i := range z {
		off := (i - 24*4) * 15 * 60
		if off == 0 {
			z[i] = time.UTC
			continue
		}
		z[i] = time.FixedZone("", off)
	}
	return z
}()

// time returns the date in its zone.
func (d *dateParts) time() time.Time {
	loc := time.UTC
	if d.off%15 == 0 {
		loc = fixedZones[d.off/15+24*4]
	} else {
		loc = time.FixedZone("", d.off*60)
	}
	return time.Date(d.year, time.Month(d.month), d.day, d.hour, d.min, d.sec, d.nsec, loc)
}
