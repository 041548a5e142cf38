package invite

import (
	"bytes"
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
