package ext

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/foxcpp/go-sieve/interp"
	"github.com/foxcpp/go-sieve/parser"
)

// Clock gives the time of a run to currentdate (RFC 5260 §5) and the
// local zone to date; an Envelope that is one sets them, otherwise they
// are time.Now and time.Local.
type Clock interface {
	Now() time.Time
}

func init() {
	interp.RegisterExtension("date")
	interp.RegisterTest("date", loadDate)
	interp.RegisterTest("currentdate", loadCurrentDate)
}

// DateTest is the date test (RFC 5260 §4) and, without a header,
// currentdate (§5).
type DateTest struct {
	interp.MatcherTest
	Header   string // "" for currentdate
	Part     string
	Zone     string // :zone "+0200"
	Original bool   // :originalzone
	Index    interp.Index
}

func loadDate(s *interp.Script, t parser.Test) (interp.Test, error) {
	return loadDateTest(s, t, true)
}

func loadCurrentDate(s *interp.Script, t parser.Test) (interp.Test, error) {
	return loadDateTest(s, t, false)
}

func loadDateTest(s *interp.Script, t parser.Test, header bool) (interp.Test, error) {
	if !s.RequiresExtension("date") {
		return nil, parser.ErrorAt(t.Position, "missing require 'date'")
	}
	dt := &DateTest{MatcherTest: interp.NewMatcherTest()}
	var key []string
	var last bool
	pos := []interp.SpecPosArg{
		{MinStrCount: 1, MaxStrCount: 1, MatchStr: func(v []string) { dt.Part = strings.ToLower(v[0]) }},
		{MinStrCount: 1, MatchStr: func(v []string) { key = v }},
	}
	if header {
		pos = append([]interp.SpecPosArg{{MinStrCount: 1, MaxStrCount: 1, MatchStr: func(v []string) { dt.Header = v[0] }}}, pos...)
	}
	spec := &interp.Spec{
		Tags: map[string]interp.SpecTag{
			"zone": {NeedsValue: true, MinStrCount: 1, MaxStrCount: 1, MatchStr: func(v []string) { dt.Zone = v[0] }},
		},
		Pos: pos,
	}
	if header {
		spec.Tags["originalzone"] = interp.SpecTag{MatchBool: func() { dt.Original = true }}
		interp.AddIndexTags(spec, &dt.Index, &last)
	}
	if err := interp.LoadSpec(s, dt.AddSpecTags(spec), t.Position, t.Args, t.Tests, nil); err != nil {
		return nil, err
	}
	if err := interp.CheckIndex(s, t, &dt.Index, last); err != nil {
		return nil, err
	}
	if dt.Zone != "" && dt.Original {
		return nil, parser.ErrorAt(t.Position, "date: :zone and :originalzone together")
	}
	if _, ok := dateParts[dt.Part]; !ok {
		return nil, parser.ErrorAt(t.Position, "date: unknown date-part %q", dt.Part)
	}
	if dt.Zone != "" {
		if _, ok := parseZone(dt.Zone); !ok {
			return nil, parser.ErrorAt(t.Position, "date: bad time zone %q", dt.Zone)
		}
	}
	if err := dt.SetKey(s, key); err != nil {
		return nil, err
	}
	return dt, nil
}

// Check compares the date-part of each date with the keys.
func (dt *DateTest) Check(_ context.Context, d *interp.RuntimeData) (bool, error) {
	dates, err := dt.dates(d)
	if err != nil {
		return false, err
	}
	if dt.IsCount() {
		return dt.CountMatches(d, uint64(len(dates))), nil
	}
	for _, t := range dates {
		if ok, err := dt.TryMatch(d, dateParts[dt.Part](t)); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// dates returns the dates the test looks at, in the zone it asks for.
func (dt *DateTest) dates(d *interp.RuntimeData) ([]time.Time, error) {
	clock, _ := d.Envelope.(Clock)
	loc := time.Local
	if dt.Zone != "" {
		loc, _ = parseZone(interp.ExpandVars(d, dt.Zone))
	}
	if dt.Header == "" {
		d.NoteField("current date")
		now := time.Now()
		if clock != nil {
			now = clock.Now()
		}
		return []time.Time{now.In(loc)}, nil
	}
	name := interp.ExpandVars(d, dt.Header)
	values, err := d.Msg.HeaderGet(name)
	if err != nil {
		return nil, err
	}
	d.NoteField(name)
	var out []time.Time
	for _, v := range dt.Index.Select(values) {
		t, err := parseDate(v, name)
		if err != nil {
			continue // an unreadable date is no date (RFC 5260 §4)
		}
		if !dt.Original {
			t = t.In(loc)
		}
		out = append(out, t)
	}
	return out, nil
}

// parseDate reads an RFC 5322 date; for Received, the date after the last
// ';' (RFC 5260 §4).
func parseDate(v, field string) (time.Time, error) {
	if strings.EqualFold(field, "received") {
		if i := strings.LastIndexByte(v, ';'); i >= 0 {
			v = v[i+1:]
		}
	}
	return mail.ParseDate(strings.TrimSpace(v))
}

// parseZone reads "+hhmm" or "-hhmm" (RFC 5260 §4.1).
func parseZone(z string) (*time.Location, bool) {
	if len(z) != 5 || (z[0] != '+' && z[0] != '-') {
		return nil, false
	}
	hh, err1 := strconv.Atoi(z[1:3])
	mm, err2 := strconv.Atoi(z[3:5])
	if err1 != nil || err2 != nil || hh > 23 || mm > 59 {
		return nil, false
	}
	off := hh*3600 + mm*60
	if z[0] == '-' {
		off = -off
	}
	return time.FixedZone(z, off), true
}

// dateParts are the date-parts of RFC 5260 §4.2.
var dateParts = map[string]func(time.Time) string{
	"year":    func(t time.Time) string { return fmt.Sprintf("%04d", t.Year()) },
	"month":   func(t time.Time) string { return fmt.Sprintf("%02d", int(t.Month())) },
	"day":     func(t time.Time) string { return fmt.Sprintf("%02d", t.Day()) },
	"date":    func(t time.Time) string { return t.Format("2006-01-02") },
	"julian":  func(t time.Time) string { return strconv.Itoa(julian(t)) },
	"hour":    func(t time.Time) string { return fmt.Sprintf("%02d", t.Hour()) },
	"minute":  func(t time.Time) string { return fmt.Sprintf("%02d", t.Minute()) },
	"second":  func(t time.Time) string { return fmt.Sprintf("%02d", t.Second()) },
	"time":    func(t time.Time) string { return t.Format("15:04:05") },
	"iso8601": func(t time.Time) string { return t.Format("2006-01-02T15:04:05-07:00") },
	"std11":   func(t time.Time) string { return t.Format("Mon, 02 Jan 2006 15:04:05 -0700") },
	"zone":    func(t time.Time) string { return t.Format("-0700") },
	"weekday": func(t time.Time) string { return strconv.Itoa(int(t.Weekday())) },
}

// julian is the Modified Julian Day of t's date: days since 1858-11-17.
func julian(t time.Time) int {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return int(day.Sub(time.Date(1858, 11, 17, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}
