package invite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Method is the iTIP method of a calendar object (RFC 5546 §1.4).
type Method string

// The methods a mail reader meets.
const (
	MethodPublish Method = "PUBLISH"
	MethodRequest Method = "REQUEST"
	MethodReply   Method = "REPLY"
	MethodCancel  Method = "CANCEL"
	MethodCounter Method = "COUNTER"
)

// PartStat is an attendee's participation status (RFC 5545 §3.2.12).
type PartStat string

// The participation statuses of an event.
const (
	NeedsAction PartStat = "NEEDS-ACTION"
	Accepted    PartStat = "ACCEPTED"
	Declined    PartStat = "DECLINED"
	Tentative   PartStat = "TENTATIVE"
	Delegated   PartStat = "DELEGATED"
)

// Errors of Parse and Reply; the errors returned wrap one of them.
var (
	ErrMalformed    = errors.New("invite: malformed iCalendar object")
	ErrNoEvent      = errors.New("invite: the calendar holds no event")
	ErrUnknownZone  = errors.New("invite: unknown time zone")
	ErrTooLarge     = errors.New("invite: calendar part too large")
	ErrNotRequest   = errors.New("invite: only an invitation (METHOD:REQUEST) can be answered")
	ErrNoOrganizer  = errors.New("invite: the invitation names no organizer to answer")
	ErrBadPartStat  = errors.New("invite: an answer is ACCEPTED, TENTATIVE or DECLINED")
	ErrNoAttendeeID = errors.New("invite: the reply needs the address of the attendee")
)

// MaxSize bounds the calendar part that Parse reads.
const MaxSize = 1 << 20

// Person is the organizer or an attendee (RFC 5545 §3.8.4.1, §3.8.4.3).
type Person struct {
	Name     string   // CN, "" when none
	Addr     string   // the address of the mailto: URI, or the URI itself
	PartStat PartStat // NEEDS-ACTION when the line says none
	Role     string   // ROLE: REQ-PARTICIPANT (the default), OPT-PARTICIPANT, CHAIR...
	CUType   string   // CUTYPE: INDIVIDUAL (the default), ROOM, RESOURCE, GROUP
	RSVP     bool     // a reply is asked for
}

// Invitation is one event of a calendar object, as the reader shows it.
type Invitation struct {
	Method   Method // "" when the object has no METHOD (a plain .ics)
	UID      string
	Sequence int
	Status   string // STATUS: CONFIRMED, TENTATIVE, CANCELLED or ""
	Summary  string
	Location string
	// Description is the event's text, often the invitation's body again.
	Description string
	// Start and End are in Options.Location; End is exclusive. An all-day
	// event (DATE values) starts at midnight of its first day and ends at
	// midnight after its last one.
	Start, End time.Time
	AllDay     bool
	// RecurrenceID is set when the object is about one occurrence of a
	// recurring event.
	RecurrenceID time.Time
	Organizer    Person
	Attendees    []Person
	Recurrence   *Recurrence // nil for a single event

	cal   *ical.Calendar
	event *ical.Component
}

// Cancelled reports an event called off: a CANCEL, or STATUS:CANCELLED.
func (inv *Invitation) Cancelled() bool {
	return inv.Method == MethodCancel || strings.EqualFold(inv.Status, "CANCELLED")
}

// Attendee returns the attendee whose address is addr (case aside).
func (inv *Invitation) Attendee(addr string) (Person, bool) {
	for _, p := range inv.Attendees {
		if strings.EqualFold(p.Addr, strings.TrimSpace(addr)) {
			return p, true
		}
	}
	return Person{}, false
}

// Options tune Parse.
type Options struct {
	// Location is the zone times are given in, and the zone of floating
	// times and dates; nil means time.Local.
	Location *time.Location
}

// Parse reads an iCalendar object (the decoded content of a text/calendar
// part, UTF-8) and returns its event: the one without RECURRENCE-ID when
// the object also holds exceptions of a series, else the first one.
func Parse(r io.Reader, o Options) (*Invitation, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, MaxSize)
	}
	return parse(data, o)
}

// parse reads the object; a panic of the libraries (go-ical's decoder
// panics on some truncated content lines) becomes ErrMalformed.
func parse(data []byte, o Options) (inv *Invitation, err error) {
	defer func() {
		if v := recover(); v != nil {
			inv, err = nil, fmt.Errorf("%w: %v", ErrMalformed, v)
		}
	}()
	cal, err := decode(data)
	if err != nil {
		return nil, err
	}
	ev := mainEvent(cal)
	if ev == nil {
		return nil, ErrNoEvent
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	p := &reader{zones: newZones(cal), loc: o.Location}
	return p.invitation(cal, ev)
}

// decode runs go-ical's decoder.
func decode(data []byte) (*ical.Calendar, error) {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: it ends before END:VCALENDAR", ErrMalformed)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return cal, nil
}

// mainEvent is the VEVENT an invitation is about.
func mainEvent(cal *ical.Calendar) *ical.Component {
	var first *ical.Component
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		if c.Props.Get(ical.PropRecurrenceID) == nil {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

// reader turns the properties of an event into an Invitation.
type reader struct {
	zones *zones
	loc   *time.Location
}

func (p *reader) invitation(cal *ical.Calendar, ev *ical.Component) (*Invitation, error) {
	inv := &Invitation{cal: cal, event: ev,
		Method:      Method(strings.ToUpper(strings.TrimSpace(propText(cal.Props, ical.PropMethod)))),
		UID:         strings.TrimSpace(propText(ev.Props, ical.PropUID)),
		Status:      strings.ToUpper(strings.TrimSpace(propText(ev.Props, ical.PropStatus))),
		Summary:     propText(ev.Props, ical.PropSummary),
		Location:    propText(ev.Props, ical.PropLocation),
		Description: propText(ev.Props, ical.PropDescription),
	}
	if s := ev.Props.Get(ical.PropSequence); s != nil {
		n, err := strconv.Atoi(strings.TrimSpace(s.Value))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: SEQUENCE %q is not a number", ErrMalformed, s.Value)
		}
		inv.Sequence = n
	}
	if err := p.times(inv, ev); err != nil {
		return nil, err
	}
	if o := ev.Props.Get(ical.PropOrganizer); o != nil {
		inv.Organizer = person(o)
	}
	for _, a := range ev.Props.Values(ical.PropAttendee) {
		inv.Attendees = append(inv.Attendees, person(&a))
	}
	inv.Recurrence = p.recurrence(ev, inv.AllDay)
	return inv, nil
}

// times reads DTSTART, DTEND or DURATION, and RECURRENCE-ID.
func (p *reader) times(inv *Invitation, ev *ical.Component) error {
	start := ev.Props.Get(ical.PropDateTimeStart)
	if start == nil {
		return fmt.Errorf("%w: the event has no DTSTART", ErrMalformed)
	}
	var err error
	if inv.Start, inv.AllDay, err = p.time(start); err != nil {
		return fmt.Errorf("DTSTART: %w", err)
	}
	switch end, dur := ev.Props.Get(ical.PropDateTimeEnd), ev.Props.Get(ical.PropDuration); {
	case end != nil:
		if inv.End, _, err = p.time(end); err != nil {
			return fmt.Errorf("DTEND: %w", err)
		}
	case dur != nil:
		d, err := dur.Duration()
		if err != nil {
			return fmt.Errorf("%w: DURATION %q: %v", ErrMalformed, dur.Value, err)
		}
		inv.End = inv.Start.Add(d)
	case inv.AllDay:
		inv.End = inv.Start.AddDate(0, 0, 1) // RFC 5545 §3.6.1: one day
	default:
		inv.End = inv.Start
	}
	if inv.End.Before(inv.Start) {
		return fmt.Errorf("%w: the event ends before it starts", ErrMalformed)
	}
	if rid := ev.Props.Get(ical.PropRecurrenceID); rid != nil {
		if inv.RecurrenceID, _, err = p.time(rid); err != nil {
			return fmt.Errorf("RECURRENCE-ID: %w", err)
		}
	}
	return nil
}

// time reads a DATE or DATE-TIME property (RFC 5545 §3.3.4, §3.3.5): a
// date, a UTC time, a local time with a TZID, or a floating time. It
// reports a date.
func (p *reader) time(prop *ical.Prop) (time.Time, bool, error) {
	wall, date, err := wallClock(prop)
	if err != nil {
		return time.Time{}, false, err
	}
	y, mo, d := wall.Date()
	if date {
		return time.Date(y, mo, d, 0, 0, 0, 0, p.loc), true, nil
	}
	if strings.HasSuffix(prop.Value, "Z") {
		return wall.In(p.loc), false, nil
	}
	tzid := prop.Params.Get(ical.ParamTimezoneID)
	if tzid == "" { // floating: the same wall clock wherever one is
		h, mi, s := wall.Clock()
		return time.Date(y, mo, d, h, mi, s, 0, p.loc), false, nil
	}
	t, err := p.zones.instant(tzid, wall)
	if err != nil {
		return time.Time{}, false, err
	}
	return t.In(p.loc), false, nil
}

// wallClock reads the digits of a DATE or DATE-TIME value with go-ical,
// as a UTC time; the TZID is resolved by the caller (go-ical knows only
// IANA names, Outlook writes Windows ones). date reports a DATE value.
func wallClock(prop *ical.Prop) (t time.Time, date bool, err error) {
	bare := ical.Prop{Name: prop.Name, Params: ical.Params{}, Value: strings.TrimSpace(prop.Value)}
	switch v := prop.Params.Get(ical.ParamValue); {
	case v != "":
		bare.Params.Set(ical.ParamValue, strings.ToUpper(v))
	case len(bare.Value) == len("20060102"): // a date without VALUE=DATE
		bare.Params.Set(ical.ParamValue, string(ical.ValueDate))
	}
	t, err = bare.DateTime(time.UTC)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%w: %s %q is not a date or time", ErrMalformed, prop.Name, prop.Value)
	}
	return t, bare.ValueType() == ical.ValueDate, nil
}

// person reads an ORGANIZER or ATTENDEE line.
func person(prop *ical.Prop) Person {
	p := Person{
		Name:     strings.TrimSpace(prop.Params.Get(ical.ParamCommonName)),
		Addr:     mailtoAddr(prop.Value),
		PartStat: PartStat(strings.ToUpper(prop.Params.Get(ical.ParamParticipationStatus))),
		Role:     strings.ToUpper(prop.Params.Get(ical.ParamRole)),
		CUType:   strings.ToUpper(prop.Params.Get(ical.ParamCalendarUserType)),
		RSVP:     strings.EqualFold(prop.Params.Get(ical.ParamRSVP), "TRUE"),
	}
	if p.PartStat == "" {
		p.PartStat = NeedsAction
	}
	return p
}

// mailtoAddr is the address of a "mailto:" calendar user address (RFC
// 5545 §3.3.3), or the URI as it is.
func mailtoAddr(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		return strings.TrimSpace(v[7:])
	}
	return v
}

// propText is the text of a property (RFC 5545 §3.3.11), or "" when it is
// absent. A value with a bad escape, which some producers write ("\:"),
// is kept with the backslashes of those escapes dropped.
func propText(props ical.Props, name string) string {
	prop := props.Get(name)
	if prop == nil {
		return ""
	}
	if t, err := prop.Text(); err == nil {
		return t
	}
	r := strings.NewReplacer(`\n`, "\n", `\N`, "\n", `\\`, `\`, `\`, "")
	return r.Replace(prop.Value)
}
