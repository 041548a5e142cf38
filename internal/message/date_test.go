package message

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Thu, 11 May 2000 18:19:24 +0200", "2000-05-11T18:19:24+02:00"},
		{"11 May 2000 18:20:08 +0200", "2000-05-11T18:20:08+02:00"},
		{"Fri, 23 Nov 2001 09:30:15 GMT", "2001-11-23T09:30:15Z"},
		{"Fri, 23 Nov 2001 09:30:05 +0100 (CET)", "2001-11-23T09:30:05+01:00"},
		{"Mon, 3 Feb 25 10:00 EST", "2025-02-03T10:00:00-05:00"},
		{"3 Feb 99 10:00:00 PDT", "1999-02-03T10:00:00-07:00"},
		{"3 Feb 101 10:00:00 +0000", "2001-02-03T10:00:00Z"},
		{"Thursday, 11-May-00 18:19:24 GMT", "2000-05-11T18:19:24Z"},
		{"Thu May 11 18:19:24 2000", "2000-05-11T18:19:24Z"},
		{"Thu May 11 18:19:24 CEST 2000", "2000-05-11T18:19:24+02:00"},
		{"thu, 11 may 2000 18:19:24 +0200", "2000-05-11T18:19:24+02:00"},
		{"Thu,11 May 2000 18:19:24+0200", "2000-05-11T18:19:24+02:00"},
		{"Thu, 11 May 2000 18:19:24 GMT+0200", "2000-05-11T18:19:24+02:00"},
		{"Thu, 11 May 2000 18:19:24 +02:00", "2000-05-11T18:19:24+02:00"},
		{"Thu, 11 May 2000 18:19:24 -0330", "2000-05-11T18:19:24-03:30"},
		{"Thu, 11 May 2000 18:19:24 +0545", "2000-05-11T18:19:24+05:45"},
		{"Thu, 11 May 2000 18:19:24 -0000", "2000-05-11T18:19:24Z"},
		{"Thu, 11 May 2000 18:19:24 A", "2000-05-11T18:19:24Z"},
		{"Thu, 11 May 2000 18:19:24 XYZT", "2000-05-11T18:19:24Z"},
		{"Thu, 11 May 2000 18:19:24", "2000-05-11T18:19:24Z"},
		{"Thu, 11 May 2000 18:19", "2000-05-11T18:19:00Z"},
		{"Thu, 11 May 2000", "2000-05-11T00:00:00Z"},
		{"Thu, 11 May 2000 18:19:24.123 +0000", "2000-05-11T18:19:24.123Z"},
		{"Thu, 11 May 2000 06:19:24 PM +0000", "2000-05-11T18:19:24Z"},
		{"Thu, 11 May 2000 12:05:00 AM +0000", "2000-05-11T00:05:00Z"},
		{"Thu, 11 Sept 2000 18:19:24 +0000", "2000-09-11T18:19:24Z"},
		{"Thu, 11 September 2000 18:19:24 +0000", "2000-09-11T18:19:24Z"},
		{"jeu., 11 mai 2000 18:19:24 +0200", "2000-05-11T18:19:24+02:00"},
		{"Do, 11 Okt 2000 18:19:24 +0200", "2000-10-11T18:19:24+02:00"},
		{"2000-05-11T18:19:24Z", "2000-05-11T18:19:24Z"},
		{"2000-05-11 18:19:24 +0200", "2000-05-11T18:19:24+02:00"},
		{"11.05.2000 18:19", "2000-05-11T18:19:00Z"},
		{"Tue, 29 Feb 2000 00:00:00 +0000", "2000-02-29T00:00:00Z"},
		{"Thu, 31 Dec 1998 23:59:60 +0000", "1998-12-31T23:59:59Z"},
		{"  (comment (nested)) 11 May 2000 18:19:24 +0200", "2000-05-11T18:19:24+02:00"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		want, _ := time.Parse(time.RFC3339Nano, tt.want)
		_, gotOff := got.Zone()
		_, wantOff := want.Zone()
		if !got.Equal(want) || gotOff != wantOff {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

func TestParseDateErrors(t *testing.T) {
	for _, in := range []string{
		"", "yesterday", "11 May", "May 2000", "Thu, 31 Feb 2000 10:00:00 +0000",
		"Thu, 29 Feb 1900 10:00:00 +0000", "Thu, 11 May 2000 25:00:00 +0000",
		"Thu, 11 May 2000 10:61:00 +0000", "11 13 2000", "Thu, 0 May 2000 10:00:00",
		"Thu, 11 May 20000 10:00:00",
	} {
		if d, err := ParseDate(in); !errors.Is(err, ErrBadDate) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrBadDate", in, d, err)
		}
	}
}

// FuzzDate checks that ParseDate never panics and that what it reads
// formats and reads back to the same instant.
func FuzzDate(f *testing.F) {
	for _, s := range []string{
		"Thu, 11 May 2000 18:19:24 +0200", "11 May 00 18:19 EST", "Thu May 11 18:19:24 2000",
		"2000-05-11T18:19:24.5Z", "11.05.2000", "Thu, 11-May-2000 06:00 PM GMT+2", "(x) 1 jan 1 0:0",
		"Tue, 5 Nov 2024 10:11:57 -0800 (PST)", "5 Nov 2024 10:11:57 +0000", "Sat, 29 Feb 2025 00:00:60 +2359 (x)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast, slow dateParts
		if fast.canonical(s) {
			ok := slow.scan(s)
			if a, b := fast.time(), slow.time(); !ok || !a.Equal(b) || a.Format(time.RFC3339Nano) != b.Format(time.RFC3339Nano) {
				t.Fatalf("%q: the canonical reader gives %v, scan %v (ok %v)", s, a, b, ok)
			}
		}
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrBadDate) || !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, %v", s, d, err)
			}
			return
		}
		if y := d.Year(); y < 0 || y > 9999 {
			t.Fatalf("ParseDate(%q): year %d", s, y)
		}
		again, err := ParseDate(d.Format(time.RFC1123Z))
		if err != nil || !again.Equal(d.Truncate(time.Second)) {
			t.Fatalf("ParseDate(%q) = %v; formatted and read back: %v, %v", s, d, again, err)
		}
	})
}

// TestDayNamesInNoMap: word skips the day names before its look-ups, which
// is right only while no month or zone is spelt like one.
func TestDayNamesInNoMap(t *testing.T) {
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		if _, ok := months[d]; ok {
			t.Errorf("%q is a month", d)
		}
		if _, ok := zones[d]; ok {
			t.Errorf("%q is a zone", d)
		}
	}
}
