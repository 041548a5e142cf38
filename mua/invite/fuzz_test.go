package invite

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse: any input gives an invitation or an error of the package,
// never a panic; an invitation has a start not after its end, and its
// REPLY, when it can be made, parses back to the same UID.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ics"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(event("DTSTART;TZID=Asia/Tokyo:20261208T100000", "DURATION:PT1H30M", "RRULE:FREQ=MONTHLY;BYDAY=2TU")))
	f.Add([]byte("BEGIN:VCALENDAR\r\nDTSTART;TZID=Europe/Paris\r\nEND:VCALENDAR\r\n"))
	loc := time.FixedZone("test", 5*3600+1800)
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse(bytes.NewReader(data), Options{Location: loc})
		if err != nil {
			if inv != nil {
				t.Fatal("an invitation with an error")
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNoEvent) && !errors.Is(err, ErrUnknownZone) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("an error of no kind: %v", err)
			}
			return
		}
		if inv.End.Before(inv.Start) {
			t.Fatalf("ends %v before it starts %v", inv.End, inv.Start)
		}
		raw, err := inv.CalendarReply(ReplyOptions{From: marc, PartStat: Accepted, Now: replyNow})
		if err != nil {
			return
		}
		back, err := Parse(bytes.NewReader(raw), Options{Location: loc})
		if err != nil || back.UID != inv.UID || back.Method != MethodReply {
			t.Fatalf("the reply %q does not read back: %v", raw, err)
		}
	})
}
