package invite

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"facteur/internal/message"
	"facteur/mua/demo"
)

// The demo's invitation, as Outlook sends it: multipart/alternative with
// the calendar in base64, its part found and read.
func TestDemoInvitation(t *testing.T) {
	raw, err := demo.Message("inbox-09-invitation.eml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := message.Parse(bytes.NewReader(raw), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	part, ok := CalendarPart(m.Attachments)
	if !ok {
		t.Fatalf("no calendar part among %+v", m.Attachments)
	}
	paris := mustZone(t, "Europe/Paris")
	inv, err := ParsePart(bytes.NewReader(raw), part.Path, Options{Location: paris})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Method != MethodRequest || inv.Summary != "Bascule vers le MX secondaire" || inv.Location != "Salle des serveurs, truc.fr" ||
		inv.Start.Format("2006-01-02 15:04") != "2026-12-08 14:00" || inv.Recurrence == nil || inv.Recurrence.Count != 3 || len(inv.Attendees) != 3 {
		t.Errorf("%+v", inv)
	}
	if _, err := ParsePart(bytes.NewReader(raw), "9", Options{}); err == nil {
		t.Error("a part that is not there parsed")
	}
}

// A calendar part in ISO-8859-1 or windows-1252, as Outlook may send it,
// is read as UTF-8; an unknown charset is an error, not mojibake.
func TestCalendarPartCharset(t *testing.T) {
	ics, err := os.ReadFile("testdata/google-allday.ics")
	if err != nil {
		t.Fatal(err)
	}
	var latin1 []byte // every rune of the file is below U+0100
	for _, r := range string(ics) {
		latin1 = append(latin1, byte(r))
	}
	for _, tc := range []struct {
		name, charset string
		body          []byte
		want          string
	}{
		{"utf-8", "utf-8", ics, "Relais fermé (Noël)"},
		{"no charset", "", ics, "Relais fermé (Noël)"},
		{"iso-8859-1", "ISO-8859-1", latin1, "Relais fermé (Noël)"},
		{"windows-1252", "windows-1252", latin1, "Relais fermé (Noël)"},
		{"unknown", "x-martian", latin1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := "text/calendar; method=REQUEST"
			if tc.charset != "" {
				ct += "; charset=" + tc.charset
			}
			raw := "From: fred@truc.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: " + ct +
				"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + string(tc.body) + "\r\n--b--\r\n"
			inv, err := ParsePart(strings.NewReader(raw), "2", Options{})
			if tc.want == "" {
				if err == nil {
					t.Errorf("parsed in an unknown charset: %q", inv.Summary)
				}
				return
			}
			if err != nil || inv.Summary != tc.want {
				t.Errorf("summary %q, %v; want %q", inv.Summary, err, tc.want)
			}
		})
	}
}
