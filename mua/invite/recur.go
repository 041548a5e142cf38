package invite

import (
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// Recurrence is the RRULE of a recurring event (RFC 5545 §3.3.10), as far
// as it can be said in words.
type Recurrence struct {
	Freq     string // DAILY, WEEKLY, MONTHLY, YEARLY (or HOURLY...)
	Interval int    // every Interval periods; 1 when the rule says none
	Count    int    // the number of occurrences; 0 when not bounded by a count
	// Until is the last day of the series (zero when none), in
	// Options.Location.
	Until time.Time
	// Weekdays are the days of a weekly rule (BYDAY without ordinals).
	Weekdays []time.Weekday
	// Simple reports a rule that the fields above say entirely; the
	// others (the second Tuesday of the month...) are shown as Rule.
	Simple bool
	Rule   string // the RRULE value as written
}

var freqNames = map[rrule.Frequency]string{
	rrule.YEARLY: "YEARLY", rrule.MONTHLY: "MONTHLY", rrule.WEEKLY: "WEEKLY", rrule.DAILY: "DAILY",
	rrule.HOURLY: "HOURLY", rrule.MINUTELY: "MINUTELY", rrule.SECONDLY: "SECONDLY",
}

// recurrence reads the RRULE of an event with go-ical (rrule-go's parser).
func (p *reader) recurrence(ev *ical.Component, allDay bool) *Recurrence {
	prop := ev.Props.Get(ical.PropRecurrenceRule)
	if prop == nil {
		return nil
	}
	opt, err := ev.Props.RecurrenceRule()
	if err != nil || opt.Interval < 0 || opt.Count < 0 {
		// The event is shown all the same, its rule as written.
		return &Recurrence{Rule: prop.Value, Interval: 1}
	}
	r := &Recurrence{Freq: freqNames[opt.Freq], Interval: max(opt.Interval, 1), Count: opt.Count, Rule: prop.Value}
	if !opt.Until.IsZero() {
		r.Until = opt.Until.In(p.loc)
		if allDay || len(untilValue(prop.Value)) == len("20060102") {
			y, m, d := opt.Until.Date()
			r.Until = time.Date(y, m, d, 0, 0, 0, 0, p.loc)
		}
	}
	start, _, _ := wallClock(ev.Props.Get(ical.PropDateTimeStart))
	r.Simple = simpleRule(opt, start)
	if r.Simple && opt.Freq == rrule.WEEKLY {
		for _, d := range opt.Byweekday {
			r.Weekdays = append(r.Weekdays, time.Weekday((d.Day()+1)%7))
		}
		slices.Sort(r.Weekdays)
	}
	return r
}

// simpleRule reports a rule that says no more than every so many days,
// weeks (on some days), months or years, a count and an end: the BYxxx
// parts that Outlook repeats from DTSTART (BYMONTHDAY=15, BYMONTH=3)
// included.
func simpleRule(opt *rrule.ROption, start time.Time) bool {
	if opt.Freq < rrule.YEARLY || opt.Freq > rrule.DAILY {
		return false
	}
	if len(opt.Bysetpos)+len(opt.Byyearday)+len(opt.Byweekno)+len(opt.Byhour)+len(opt.Byminute)+len(opt.Bysecond)+len(opt.Byeaster) > 0 {
		return false
	}
	if len(opt.Byweekday) > 0 && opt.Freq != rrule.WEEKLY {
		return false
	}
	for _, d := range opt.Byweekday {
		if d.N() != 0 {
			return false
		}
	}
	sameDay := len(opt.Bymonthday) == 0 || len(opt.Bymonthday) == 1 && opt.Bymonthday[0] == start.Day()
	sameMonth := len(opt.Bymonth) == 0 || len(opt.Bymonth) == 1 && opt.Bymonth[0] == int(start.Month())
	switch opt.Freq {
	case rrule.MONTHLY:
		return sameDay && len(opt.Bymonth) == 0
	case rrule.YEARLY:
		return sameDay && sameMonth
	}
	return len(opt.Bymonthday)+len(opt.Bymonth) == 0
}

// untilValue is the UNTIL part of an RRULE value.
func untilValue(rule string) string {
	for part := range strings.SplitSeq(rule, ";") {
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(k, "UNTIL") {
			return v
		}
	}
	return ""
}
