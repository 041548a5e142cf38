package inspect

import (
	"strings"
	"sync"
	"time"
)

// oldDateParts collects the pieces of a date while parseDate scans it.
type oldDateParts struct {
	day, month, year    int
	hour, minute, sec   int
	offset              int // seconds east of UTC
	haveTime, haveZone  bool
	haveDay, haveYear   bool
	yearDigits, unknown int
}

// parseDate reads an RFC 5322 §3.3 date-time leniently, as the Received
// fields of real servers need: optional weekday, comments such as "(CET)",
// obsolete zone names (§4.3), missing seconds, two- and three-digit years,
// the asctime order "Nov  5 10:12:01 2024", fractional seconds, and trailing
// words after a complete date. A date without a zone is taken as UTC.
func oldParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(stripComments(s))
	if s == "" {
		return time.Time{}, false
	}
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, true
		}
	}
	var d oldDateParts
	for _, f := range strings.FieldsFunc(s, isDateSep) {
		if !d.add(f) {
			break
		}
	}
	return d.time()
}

func isDateSep(r rune) bool {
	return r == ' ' || r == '\t' || r == ','
}

// add takes one field of the date; it returns false when scanning should
// stop (the date is complete, or the field makes no sense).
func (d *oldDateParts) add(f string) bool {
	if d.complete() && d.haveZone {
		return false
	}
	switch {
	case monthOf(f) > 0 && d.month == 0:
		d.month = monthOf(f)
	case isWeekday(f):
	case strings.IndexByte(f, ':') > 0 && !d.haveTime:
		d.haveTime = d.clock(f)
		return d.haveTime
	case (f[0] == '+' || f[0] == '-') && d.haveTime && !d.haveZone:
		return d.numericZone(f)
	case isDigits(f):
		return d.number(f)
	case d.haveTime && !d.haveZone && zoneOffset(f) >= -12:
		d.offset, d.haveZone = zoneOffset(f)*3600, true
	default:
		d.unknown++
		return false
	}
	return true
}

// number takes a day or a year.
func (d *oldDateParts) number(f string) bool {
	n := leadingInt(f)
	switch {
	case !d.haveDay && len(f) <= 2 && n >= 1 && n <= 31 && (d.month == 0 || !d.haveYear):
		d.day, d.haveDay = n, true
	case !d.haveYear && len(f) <= 4:
		d.year, d.haveYear, d.yearDigits = n, true, len(f)
	default:
		return false
	}
	return true
}

// clock reads "hh:mm", "hh:mm:ss" or "hh:mm:ss.fff".
func (d *oldDateParts) clock(f string) bool {
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	if len(parts) == 3 {
		parts[2], _, _ = strings.Cut(parts[2], ".")
	}
	vals := [3]int{}
	for i, p := range parts {
		if p == "" || len(p) > 2 || !isDigits(p) {
			return false
		}
		vals[i] = leadingInt(p)
	}
	d.hour, d.minute, d.sec = vals[0], vals[1], vals[2]
	return d.hour < 24 && d.minute < 60 && d.sec <= 60
}

// numericZone reads "+0200" or "-0800".
func (d *oldDateParts) numericZone(f string) bool {
	digits := f[1:]
	if len(digits) != 4 || !isDigits(digits) {
		return false
	}
	h, m := leadingInt(digits[:2]), leadingInt(digits[2:])
	if h > 23 || m > 59 {
		return false
	}
	d.offset = h*3600 + m*60
	if f[0] == '-' {
		d.offset = -d.offset
	}
	d.haveZone = true
	return true
}

func (d *oldDateParts) complete() bool {
	return d.haveDay && d.month > 0 && d.haveYear && d.haveTime
}

// time assembles the parts; ok is false when a part is missing or out of
// range (31 February).
func (d *oldDateParts) time() (time.Time, bool) {
	if !d.complete() {
		return time.Time{}, false
	}
	year := d.year
	switch {
	case d.yearDigits <= 2 && year < 50:
		year += 2000
	case d.yearDigits <= 3 && year < 1000:
		year += 1900
	}
	if year < 1900 {
		return time.Time{}, false
	}
	sec := min(d.sec, 59) // a leap second
	loc := time.UTC
	if d.haveZone && d.offset != 0 {
		loc = fixedZone(d.offset)
	}
	t := time.Date(year, time.Month(d.month), d.day, d.hour, d.minute, sec, 0, loc)
	if t.Day() != d.day {
		return time.Time{}, false
	}
	return t, true
}

// oldZones caches the fixed oldZones by offset: one *time.Location per offset
// instead of one per date.
var oldZones sync.Map

func fixedZone(offset int) *time.Location {
	if z, ok := oldZones.Load(offset); ok {
		return z.(*time.Location)
	}
	z, _ := oldZones.LoadOrStore(offset, time.FixedZone("", offset))
	return z.(*time.Location)
}

// key3 returns the first three letters of f in lower case, as a map key.
func key3(f string) [3]byte {
	return [3]byte{lowerASCII(f[0]), lowerASCII(f[1]), lowerASCII(f[2])}
}

var oldMonths = map[[3]byte]int{
	{'j', 'a', 'n'}: 1, {'f', 'e', 'b'}: 2, {'m', 'a', 'r'}: 3, {'a', 'p', 'r'}: 4,
	{'m', 'a', 'y'}: 5, {'j', 'u', 'n'}: 6, {'j', 'u', 'l'}: 7, {'a', 'u', 'g'}: 8,
	{'s', 'e', 'p'}: 9, {'o', 'c', 't'}: 10, {'n', 'o', 'v'}: 11, {'d', 'e', 'c'}: 12,
}

var oldWeekdays = map[[3]byte]time.Weekday{
	{'s', 'u', 'n'}: time.Sunday, {'m', 'o', 'n'}: time.Monday, {'t', 'u', 'e'}: time.Tuesday,
	{'w', 'e', 'd'}: time.Wednesday, {'t', 'h', 'u'}: time.Thursday, {'f', 'r', 'i'}: time.Friday,
	{'s', 'a', 't'}: time.Saturday,
}

// monthOf returns 1 to 12 for an English month name or its first three
// letters, or 0.
func monthOf(f string) int {
	if len(f) < 3 || len(f) > 9 {
		return 0
	}
	m := oldMonths[key3(f)]
	if m == 0 || (len(f) > 3 && !strings.EqualFold(f, time.Month(m).String())) {
		return 0
	}
	return m
}

// isWeekday tells whether f is an English day name or its abbreviation.
func isWeekday(f string) bool {
	if len(f) < 3 {
		return false
	}
	d, ok := oldWeekdays[key3(f)]
	return ok && (len(f) == 3 || strings.EqualFold(f, d.String()))
}

// zoneOffset returns the offset in hours of an RFC 5322 §4.3 obsolete zone
// name (and UTC), or -99.
func zoneOffset(f string) int {
	switch strings.ToUpper(f) {
	case "UT", "UTC", "GMT", "Z":
		return 0
	case "EDT":
		return -4
	case "EST", "CDT":
		return -5
	case "CST", "MDT":
		return -6
	case "MST", "PDT":
		return -7
	case "PST":
		return -8
	}
	return -99
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
