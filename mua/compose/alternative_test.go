package compose

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
)

// An iMIP reply (RFC 6047 §2.4): the text, then the calendar, as
// multipart/alternative, alone or inside multipart/mixed with an
// attachment; go-message reads both parts back with their types and the
// calendar's method.
func TestAlternativeParts(t *testing.T) {
	cal := "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nSUMMARY:Réunion\r\nEND:VCALENDAR\r\n"
	for _, attach := range []bool{false, true} {
		d := New(marc)
		d.To, d.Subject, d.Body = "fred@truc.fr", "Accepted: Réunion", "Marc accepted.\n"
		d.Alternative = &Alternative{ContentType: "text/calendar", Params: map[string]string{"method": "REPLY"}, Data: []byte(cal)}
		if attach {
			d.Attachments = []Attachment{{Name: "plan.pdf", Data: []byte("%PDF")}}
		}
		m := mustBuild(t, d)
		types, bodies := readParts(t, m.Raw)
		if len(types) < 2 || !strings.HasPrefix(types[0], "text/plain;") || types[1] != "text/calendar; charset=utf-8; method=REPLY" {
			t.Fatalf("attach=%v: parts %q", attach, types)
		}
		if bodies[1] != cal || !strings.Contains(bodies[0], "Marc accepted.") {
			t.Errorf("attach=%v: bodies %q", attach, bodies)
		}
		if attach != (len(types) == 3) {
			t.Errorf("attach=%v: parts %q", attach, types)
		}
		top, _, _ := mime.ParseMediaType(headerOf(t, m.Raw))
		if want := map[bool]string{false: "multipart/alternative", true: "multipart/mixed"}[attach]; top != want {
			t.Errorf("top type %q, want %q", top, want)
		}
	}
}

// readParts lists the leaf parts of a message: their Content-Type (the
// parameters sorted) and decoded bodies.
func readParts(t *testing.T, raw []byte) (types, bodies []string) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return types, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		mt, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, mime.FormatMediaType(mt, params))
		b, _ := io.ReadAll(p.Body)
		bodies = append(bodies, string(b))
	}
}

func headerOf(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return r.Header.Get("Content-Type")
}
