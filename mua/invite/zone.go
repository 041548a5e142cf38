package invite

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// zones resolves the TZID of local times (RFC 5545 §3.2.19): through the
// VTIMEZONE of that name in the calendar (§3.6.5), which Outlook's
// Windows names ("W. Europe Standard Time") need, else through the IANA
// database ("Europe/Paris").
type zones struct {
	defs map[string]*ical.Component
}

func newZones(cal *ical.Calendar) *zones {
	z := &zones{defs: map[string]*ical.Component{}}
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		if id := strings.TrimSpace(propText(c.Props, ical.PropTimezoneID)); id != "" {
			z.defs[id] = c
		}
	}
	return z
}

// ZoneError is a TZID that names no zone Facteur knows.
type ZoneError struct {
	TZID string
	Err  error // why its VTIMEZONE could not be read; nil when there is none
}

func (e *ZoneError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("invite: time zone %q: %v", e.TZID, e.Err)
	}
	return fmt.Sprintf("invite: unknown time zone %q (no VTIMEZONE, not an IANA name)", e.TZID)
}

func (e *ZoneError) Is(target error) bool { return target == ErrUnknownZone }

func (e *ZoneError) Unwrap() error { return e.Err }

// instant is the instant of a wall-clock time (given as UTC) in zone tzid.
func (z *zones) instant(tzid string, wall time.Time) (time.Time, error) {
	tzid = strings.TrimSpace(tzid)
	if def := z.defs[tzid]; def != nil {
		off, err := offsetAt(def, wall)
		if err != nil {
			return time.Time{}, &ZoneError{TZID: tzid, Err: err}
		}
		return wall.Add(-time.Duration(off) * time.Second), nil
	}
	if loc, ok := ianaZone(tzid); ok {
		y, mo, d := wall.Date()
		h, mi, s := wall.Clock()
		return time.Date(y, mo, d, h, mi, s, 0, loc), nil
	}
	return time.Time{}, &ZoneError{TZID: tzid}
}

// ianaZone loads an IANA zone; "" and "Local" are not zones a calendar
// can mean.
func ianaZone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || strings.ContainsAny(name, "\\:") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// offsetAt is the UTC offset in seconds that a VTIMEZONE gives a wall-clock
// time: the TZOFFSETTO of the last onset (STANDARD or DAYLIGHT) at or
// before it, or, before the first onset, the TZOFFSETFROM of that one.
func offsetAt(def *ical.Component, wall time.Time) (int, error) {
	var last, first time.Time
	lastOff, firstOff, n := 0, 0, 0
	for _, obs := range def.Children {
		if obs.Name != ical.CompTimezoneStandard && obs.Name != ical.CompTimezoneDaylight {
			continue
		}
		from, to, start, err := observance(obs)
		if err != nil {
			return 0, err
		}
		n++
		if first.IsZero() || start.Before(first) {
			first, firstOff = start, from
		}
		onset, err := lastOnset(obs, start, wall)
		if err != nil {
			return 0, err
		}
		if !onset.IsZero() && (last.IsZero() || onset.After(last)) {
			last, lastOff = onset, to
		}
	}
	switch {
	case n == 0:
		return 0, fmt.Errorf("%w: VTIMEZONE without STANDARD or DAYLIGHT", ErrMalformed)
	case last.IsZero():
		return firstOff, nil
	}
	return lastOff, nil
}

// observance reads the offsets and the first onset of a STANDARD or
// DAYLIGHT sub-component.
func observance(obs *ical.Component) (from, to int, start time.Time, err error) {
	p := obs.Props.Get(ical.PropDateTimeStart)
	if p == nil {
		return 0, 0, start, fmt.Errorf("%w: %s without DTSTART", ErrMalformed, obs.Name)
	}
	if start, _, err = wallClock(p); err != nil {
		return 0, 0, start, err
	}
	if to, err = utcOffset(obs.Props.Get(ical.PropTimezoneOffsetTo)); err != nil {
		return 0, 0, start, err
	}
	if from, err = utcOffset(obs.Props.Get(ical.PropTimezoneOffsetFrom)); err != nil {
		from = to // optional in practice; required by the RFC
	}
	return from, to, start, nil
}

// utcOffset reads a UTC-OFFSET value (RFC 5545 §3.3.14): "+0100",
// "-0500", "+053000".
func utcOffset(p *ical.Prop) (int, error) {
	if p == nil {
		return 0, fmt.Errorf("%w: time zone observance without TZOFFSETTO", ErrMalformed)
	}
	v := strings.TrimSpace(p.Value)
	bad := fmt.Errorf("%w: %s %q is not a UTC offset", ErrMalformed, p.Name, p.Value)
	if (len(v) != 5 && len(v) != 7) || (v[0] != '+' && v[0] != '-') {
		return 0, bad
	}
	n := 0
	for i := 1; i < len(v); i += 2 {
		d, err := strconv.Atoi(v[i : i+2])
		if err != nil || d < 0 || d > 59 {
			return 0, bad
		}
		n = n*60 + d
	}
	if len(v) == 5 {
		n *= 60
	}
	if n >= 24*3600 {
		return 0, bad
	}
	if v[0] == '-' {
		n = -n
	}
	return n, nil
}

// lastOnset is the last onset of an observance at or before wall (the zero
// time when none is): its DTSTART, its RDATEs, the occurrences of its
// RRULE.
func lastOnset(obs *ical.Component, start, wall time.Time) (time.Time, error) {
	var last time.Time
	keep := func(t time.Time) {
		if !t.After(wall) && t.After(last) {
			last = t
		}
	}
	keep(start)
	for _, rd := range obs.Props.Values(ical.PropRecurrenceDates) {
		for v := range strings.SplitSeq(rd.Value, ",") {
			if t, _, err := wallClock(&ical.Prop{Name: rd.Name, Params: rd.Params, Value: v}); err == nil {
				keep(t)
			}
		}
	}
	if obs.Props.Get(ical.PropRecurrenceRule) == nil || !start.Before(wall) {
		return last, nil
	}
	t, err := ruleBefore(obs, start, wall)
	if err != nil {
		return time.Time{}, err
	}
	keep(t)
	return last, nil
}

// maxZoneCount bounds the COUNT of a time zone rule: such a rule is run
// from its first onset.
const maxZoneCount = 1000

// ruleBefore is the last occurrence of the observance's RRULE at or before
// wall. Only the rules that time zones use are taken: yearly or monthly,
// by month, day of the month and weekday. A rule without COUNT starts
// again shortly before wall, so that a rule from 1601 (Outlook's) is not
// run through four centuries, nor a hostile one through eight thousand
// years.
func ruleBefore(obs *ical.Component, start, wall time.Time) (time.Time, error) {
	opt, err := obs.Props.RecurrenceRule()
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !zoneRule(opt) {
		return time.Time{}, fmt.Errorf("%w: %q is not a time zone rule", ErrMalformed, obs.Props.Get(ical.PropRecurrenceRule).Value)
	}
	opt.Dtstart = start
	if opt.Count == 0 {
		end := wall
		if !opt.Until.IsZero() && opt.Until.Before(wall) {
			end = opt.Until
		}
		opt.Dtstart = closeStart(start, end, opt)
	}
	rule, err := rrule.NewRRule(*opt)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return rule.Before(wall, true), nil
}

// zoneRule reports a rule of the kind time zones use.
func zoneRule(opt *rrule.ROption) bool {
	if opt.Freq != rrule.YEARLY && opt.Freq != rrule.MONTHLY || opt.Count > maxZoneCount {
		return false
	}
	return len(opt.Byhour)+len(opt.Byminute)+len(opt.Bysecond)+len(opt.Byyearday)+len(opt.Byweekno)+len(opt.Byeaster) == 0
}

// closeStart moves the start of a rule without COUNT forward by whole
// intervals, to about two years before end: the occurrences near end are
// the same.
func closeStart(start, end time.Time, opt *rrule.ROption) time.Time {
	step := max(opt.Interval, 1)
	if opt.Freq == rrule.YEARLY {
		n := (end.Year() - 2 - start.Year()) / step * step
		if n > 0 {
			return start.AddDate(n, 0, 0)
		}
		return start
	}
	months := (end.Year()-start.Year()-2)*12 + int(end.Month()) - int(start.Month())
	n := months / step * step
	if n > 0 && start.Day() <= 28 { // AddDate would move a 31st
		return start.AddDate(0, n, 0)
	}
	return start
}
