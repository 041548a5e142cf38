package invite

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones of the tests, whatever the machine has
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// event wraps VEVENT lines in a minimal REQUEST, CRLF lines.
func event(lines ...string) string {
	head := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
		"UID:u1@test", "DTSTAMP:20261201T000000Z", "ORGANIZER:mailto:fred@truc.fr"}
	all := append(append(head, lines...), "END:VEVENT", "END:VCALENDAR")
	return strings.Join(all, "\r\n") + "\r\n"
}

// want is what a case checks; empty fields are not checked.
type want struct {
	method     Method
	uid        string
	seq        int
	summary    string
	location   string
	noLocation bool
	start, end time.Time // compared as instants, and in the location asked
	allDay     bool
	organizer  string
	attendees  []string // "addr PARTSTAT"
	cancelled  bool
	recur      string // "FREQ/interval/count/until-date/weekdays/simple"
}

func TestParse(t *testing.T) {
	paris, ny := mustZone(t, "Europe/Paris"), mustZone(t, "America/New_York")
	utc := func(s string) time.Time {
		tt, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	outlook := fixture(t, "outlook-request.ics")
	thunderbird := fixture(t, "thunderbird-daily.ics")
	tests := []struct {
		name string
		src  string
		loc  *time.Location
		want want
	}{
		// Outlook / Exchange 2010: Windows zone name resolved through its
		// VTIMEZONE (rules from 1601), CN with a comma quoted, a room as
		// a RESOURCE attendee, X-MICROSOFT lines, a VALARM.
		{"outlook winter", outlook, paris, want{method: MethodRequest,
			uid:     "040000008200E00074C5B7101A82E00800000000B0F4E1A2C765DB01000000000000000010000000D3B9A1E1E6F5A04C9F3E5A8B2C1D0E9F",
			summary: "Point migration du relais", location: "Salle Dijkstra",
			start: utc("2026-12-08 09:00"), end: utc("2026-12-08 10:30"), organizer: "Fred Truc <fred@truc.fr>",
			attendees: []string{"marc@machin.com NEEDS-ACTION", "paul@uvsq.fr NEEDS-ACTION", "salle.dijkstra@truc.fr ACCEPTED"}}},
		// The same Outlook invitation in July: daylight time, UTC+2.
		{"outlook summer", strings.ReplaceAll(outlook, ":20261208T", ":20260707T"), paris, want{
			start: utc("2026-07-07 08:00"), end: utc("2026-07-07 09:30")}},
		// Shown to a reader in New York: the same instant, their wall clock.
		{"outlook seen from new york", outlook, ny, want{start: utc("2026-12-08 09:00")}},
		// Outlook's cancellation: METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE
		// raised, 8-bit text.
		{"outlook cancel", fixture(t, "outlook-cancel.ics"), paris, want{method: MethodCancel, seq: 1, cancelled: true,
			summary: "Annulé : Point migration du relais", start: utc("2026-12-08 09:00")}},
		// Google Calendar: a weekly series (WKST, COUNT, BYDAY) with an IANA
		// TZID and its VTIMEZONE, guests with X-NUM-GUESTS, a Meet link as
		// location.
		{"google weekly", fixture(t, "google-weekly.ics"), paris, want{method: MethodRequest,
			uid: "5k3p9v1r2q8h7c4m0o6n1g2b3a@google.com", summary: "Point hebdo file d'attente",
			location: "https://meet.google.com/abc-defg-hij", start: utc("2026-12-10 08:30"), end: utc("2026-12-10 08:45"),
			attendees: []string{"fred.truc@gmail.com ACCEPTED", "marc@machin.com NEEDS-ACTION", "jean@jussieu.fr DECLINED"},
			recur:     "WEEKLY/1/10//Thursday/true"}},
		// Google Calendar: an all-day event over two days (DTEND exclusive).
		{"google all day", fixture(t, "google-allday.ics"), paris, want{summary: "Relais fermé (Noël)", allDay: true,
			start: time.Date(2026, 12, 24, 0, 0, 0, 0, paris), end: time.Date(2026, 12, 26, 0, 0, 0, 0, paris)}},
		// Google Calendar's REPLY: one attendee, the answer; UTC times; an
		// empty LOCATION.
		{"google reply", fixture(t, "google-reply.ics"), paris, want{method: MethodReply, noLocation: true,
			organizer: "Marc Machin <marc@machin.com>", attendees: []string{"jean@jussieu.fr TENTATIVE"},
			start: utc("2026-12-10 08:30")}},
		// Thunderbird / Lightning: the organizer's own PARTSTAT, an attendee
		// without CN, a daily series until a UTC time, SEQUENCE 2, an
		// escaped comma.
		{"thunderbird winter", thunderbird, paris, want{method: MethodRequest, seq: 2,
			uid: "7d4c1a52-3f0e-4b9a-8d61-2e5f0c9b7a13", summary: "Astreinte MX secondaire",
			location: "Salle serveurs, bâtiment B", start: utc("2026-12-14 14:00"), end: utc("2026-12-14 14:30"),
			organizer: "Paul Ochon <paul@uvsq.fr>", attendees: []string{"marc@machin.com NEEDS-ACTION", "jean@jussieu.fr NEEDS-ACTION"},
			recur: "DAILY/1/0/2026-12-18//true"}},
		// The same in July: EDT, UTC-4, from the VTIMEZONE's DAYLIGHT rule.
		{"thunderbird summer", strings.ReplaceAll(thunderbird, ":20261214T", ":20260714T"), paris, want{
			start: utc("2026-07-14 13:00")}},
		// Hand-made shapes of RFC 5545: a floating time (the reader's wall
		// clock), an IANA TZID without VTIMEZONE, DURATION instead of DTEND,
		// a date without VALUE=DATE, a rule too rich for words.
		{"floating", event("DTSTART:20261208T100000", "DTEND:20261208T110000"), ny, want{
			start: time.Date(2026, 12, 8, 10, 0, 0, 0, ny), end: time.Date(2026, 12, 8, 11, 0, 0, 0, ny)}},
		{"iana without vtimezone", event("DTSTART;TZID=Asia/Tokyo:20261208T100000", "DURATION:PT1H30M"), paris, want{
			start: utc("2026-12-08 01:00"), end: utc("2026-12-08 02:30")}},
		{"quoted tzid", event(`DTSTART;TZID="Europe/Paris":20261208T100000`), paris, want{start: utc("2026-12-08 09:00")}},
		{"bare date", event("DTSTART:20261208"), paris, want{allDay: true,
			start: time.Date(2026, 12, 8, 0, 0, 0, 0, paris), end: time.Date(2026, 12, 9, 0, 0, 0, 0, paris)}},
		{"second tuesday", event("DTSTART:20261208T100000Z", "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270608T100000Z"), paris, want{
			recur: "MONTHLY/1/0/2027-06-08//false"}},
		{"outlook monthly", event("DTSTART:20261215T100000Z", "RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15;COUNT=6"), paris, want{
			recur: "MONTHLY/2/6///true"}},
		{"unreadable rule", event("DTSTART:20261215T100000Z", "RRULE:FREQ=SOMETIMES"), paris, want{recur: "/1/0///false"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Parse(strings.NewReader(tc.src), Options{Location: tc.loc})
			if err != nil {
				t.Fatal(err)
			}
			check(t, inv, tc.want, tc.loc)
		})
	}
}

func check(t *testing.T, inv *Invitation, w want, loc *time.Location) {
	t.Helper()
	str := func(got, want, what string) {
		if want != "" && got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	str(string(inv.Method), string(w.method), "method")
	str(inv.UID, w.uid, "UID")
	str(inv.Summary, w.summary, "summary")
	str(inv.Location, w.location, "location")
	if w.noLocation && inv.Location != "" {
		t.Errorf("location %q, want none", inv.Location)
	}
	if inv.Sequence != w.seq && w.seq != 0 {
		t.Errorf("sequence %d, want %d", inv.Sequence, w.seq)
	}
	for _, tm := range []struct {
		got, want time.Time
		what      string
	}{{inv.Start, w.start, "start"}, {inv.End, w.end, "end"}} {
		if w := tm.want; !w.IsZero() && (!tm.got.Equal(w) || tm.got.Location() != loc) {
			t.Errorf("%s = %v, want %v in %v", tm.what, tm.got, w.In(loc), loc)
		}
	}
	if inv.AllDay != w.allDay {
		t.Errorf("all day %v", inv.AllDay)
	}
	if w.organizer != "" {
		str(inv.Organizer.Name+" <"+inv.Organizer.Addr+">", w.organizer, "organizer")
	}
	if w.attendees != nil {
		var got []string
		for _, a := range inv.Attendees {
			got = append(got, a.Addr+" "+string(a.PartStat))
		}
		if !slices.Equal(got, w.attendees) {
			t.Errorf("attendees %q, want %q", got, w.attendees)
		}
	}
	if inv.Cancelled() != w.cancelled {
		t.Errorf("cancelled %v", inv.Cancelled())
	}
	if w.recur != "" {
		str(recurString(inv.Recurrence), w.recur, "recurrence")
	}
}

func recurString(r *Recurrence) string {
	if r == nil {
		return "none"
	}
	until := ""
	if !r.Until.IsZero() {
		until = r.Until.Format("2006-01-02")
	}
	var days []string
	for _, d := range r.Weekdays {
		days = append(days, d.String())
	}
	return strings.Join([]string{r.Freq, strconv.Itoa(r.Interval), strconv.Itoa(r.Count), until, strings.Join(days, ","), map[bool]string{true: "true", false: "false"}[r.Simple]}, "/")
}

// Bad input gives an error that says what is wrong, never a panic nor an
// empty invitation.
func TestParseRefusesBadInput(t *testing.T) {
	badZone := strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VTIMEZONE", "TZID:Nowhere", "BEGIN:STANDARD",
		"DTSTART:19700101T000000", "TZOFFSETTO:+2500", "END:STANDARD", "END:VTIMEZONE", "BEGIN:VEVENT", "UID:z",
		"DTSTART;TZID=Nowhere:20261208T100000", "END:VEVENT", "END:VCALENDAR"}, "\r\n")
	tests := []struct {
		name, src string
		want      error
		says      string
	}{
		{"not a calendar", "Hello Marc,\r\nsee you Tuesday.\r\n", ErrMalformed, ""},
		{"empty", "", ErrMalformed, "ends before"},
		{"cut short", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n", ErrMalformed, "ends before"},
		// go-ical's decoder panics on a parameter line without its colon.
		{"parameter without value", "BEGIN:VCALENDAR\r\nDTSTART;TZID=Europe/Paris\r\nEND:VCALENDAR\r\n", ErrMalformed, ""},
		{"no event", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", ErrNoEvent, ""},
		{"no start", event("SUMMARY:x"), ErrMalformed, "no DTSTART"},
		{"bad start", event("DTSTART:2026-12-08 10:00"), ErrMalformed, "DTSTART"},
		{"unknown zone", event("DTSTART;TZID=Atlantis/Poseidonis:20261208T100000"), ErrUnknownZone, "Atlantis/Poseidonis"},
		{"bad vtimezone", badZone, ErrUnknownZone, "+2500"},
		// A rule no zone uses, that would keep the parser busy for seconds.
		{"hostile zone rule", strings.Replace(strings.Replace(badZone, "+2500", "+0100", 1), "TZOFFSETTO", "RRULE:FREQ=MONTHLY;BYSECOND=1,2,3;BYMINUTE=1,2,3\r\nTZOFFSETTO", 1), ErrUnknownZone, "not a time zone rule"},
		{"bad sequence", event("DTSTART:20261208T100000Z", "SEQUENCE:two"), ErrMalformed, "SEQUENCE"},
		{"ends before it starts", event("DTSTART:20261208T100000Z", "DTEND:20261208T090000Z"), ErrMalformed, "ends before it starts"},
		{"bad duration", event("DTSTART:20261208T100000Z", "DURATION:1 hour"), ErrMalformed, "DURATION"},
		{"too large", event("DTSTART:20261208T100000Z", "DESCRIPTION:"+strings.Repeat("x", MaxSize)), ErrTooLarge, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Parse(strings.NewReader(tc.src), Options{})
			if !errors.Is(err, tc.want) || inv != nil {
				t.Fatalf("Parse = %v, %v; want %v", inv, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
	_, err := Parse(strings.NewReader(event("DTSTART;TZID=Atlantis/Poseidonis:20261208T100000")), Options{})
	var ze *ZoneError
	if !errors.As(err, &ze) || ze.TZID != "Atlantis/Poseidonis" {
		t.Errorf("%v is not a *ZoneError naming the zone", err)
	}
}
