package invite

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"facteur/internal/message"
	"facteur/mua/account"
	"facteur/mua/compose"
)

var (
	replyNow = time.Date(2026, 12, 6, 12, 30, 0, 0, time.UTC)
	marc     = account.Identity{Name: "Marc Machin", Address: "marc@machin.com", Aliases: []string{"postmaster@machin.com"}, Signature: "Marc"}
)

func parseFixture(t *testing.T, name string) *Invitation {
	t.Helper()
	inv, err := Parse(strings.NewReader(fixture(t, name)), Options{Location: mustZone(t, "Europe/Paris")})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// The REPLY of RFC 5546 §3.2.3, read back: METHOD:REPLY, the same UID and
// SEQUENCE, a new DTSTAMP, the organizer, and the user's line alone with
// the answer (its CN and ROLE kept, RSVP dropped); times in UTC or as
// dates; no line over 75 octets.
func TestCalendarReply(t *testing.T) {
	tests := []struct {
		fixture  string
		from     account.Identity
		ps       PartStat
		wantLine string // the ATTENDEE line, unfolded
		wantSeq  string
		wantTime string
	}{
		// Outlook: Marc is on the list; SEQUENCE:0 is kept.
		{"outlook-request.ics", marc, Accepted, "ATTENDEE;CN=Marc Machin;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:marc@machin.com", "SEQUENCE:0", "DTSTART:20261208T090000Z"},
		// Thunderbird: SEQUENCE:2 must come back, or the organizer's
		// client takes the answer for one to an older version.
		{"thunderbird-daily.ics", marc, Tentative, "ATTENDEE;CN=Marc Machin;PARTSTAT=TENTATIVE;ROLE=REQ-PARTICIPANT:mailto:marc@machin.com", "SEQUENCE:2", "DTSTART:20261214T140000Z"},
		// Google all day: dates stay dates.
		{"google-allday.ics", marc, Declined, "ATTENDEE;CN=Marc Machin;CUTYPE=INDIVIDUAL;PARTSTAT=DECLINED;ROLE=REQ-PARTICIPANT;X-NUM-GUESTS=0:mailto:marc@machin.com", "SEQUENCE:0", "DTSTART;VALUE=DATE:20261224"},
		// Invited under an alias.
		{"outlook-request.ics", account.Identity{Name: "Le postmaster", Address: "pm@machin.com", Aliases: []string{"MARC@machin.com"}}, Accepted,
			"ATTENDEE;CN=Marc Machin;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:marc@machin.com", "", ""},
		// Not on the list (the invitation was forwarded): added.
		{"google-weekly.ics", account.Identity{Name: `Ana "Relais" Lyse`, Address: "ana@machin.com"}, Accepted,
			"ATTENDEE;CN=Ana Relais Lyse;PARTSTAT=ACCEPTED:mailto:ana@machin.com", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.fixture+" "+string(tc.ps), func(t *testing.T) {
			inv := parseFixture(t, tc.fixture)
			raw, err := inv.CalendarReply(ReplyOptions{From: tc.from, PartStat: tc.ps, Now: replyNow})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
				if len(l) > 75 {
					t.Errorf("line of %d octets: %q", len(l), l)
				}
			}
			lines := strings.Split(strings.ReplaceAll(string(raw), "\r\n ", ""), "\r\n")
			must := []string{"METHOD:REPLY", "UID:" + inv.UID, "DTSTAMP:20261206T123000Z", tc.wantLine, tc.wantSeq, tc.wantTime}
			for _, m := range must {
				if m != "" && !slices.Contains(lines, m) {
					t.Errorf("no line %q in\n%s", m, raw)
				}
			}
			if n := strings.Count(string(raw), "\r\nATTENDEE"); n != 1 || strings.Contains(string(raw), "RSVP") || strings.Contains(string(raw), "CHAIR") {
				t.Errorf("%d ATTENDEE lines (want only the user's), or an RSVP left:\n%s", n, raw)
			}
			back, err := Parse(bytes.NewReader(raw), Options{Location: mustZone(t, "Europe/Paris")})
			if err != nil {
				t.Fatalf("the reply does not parse: %v\n%s", err, raw)
			}
			if back.Method != MethodReply || back.UID != inv.UID || back.Sequence != inv.Sequence ||
				back.Organizer.Addr != inv.Organizer.Addr || len(back.Attendees) != 1 || back.Attendees[0].PartStat != tc.ps ||
				!back.Start.Equal(inv.Start) || !back.End.Equal(inv.End) {
				t.Errorf("read back: %+v", back)
			}
		})
	}
}

// Only an invitation can be answered, with one of the three answers, to
// an organizer.
func TestCalendarReplyRefuses(t *testing.T) {
	noOrg := strings.Replace(fixture(t, "google-allday.ics"), "ORGANIZER;CN=Fred Truc:mailto:fred.truc@gmail.com\r\n", "", 1)
	tests := []struct {
		name, src string
		o         ReplyOptions
		want      error
	}{
		{"a cancel", fixture(t, "outlook-cancel.ics"), ReplyOptions{From: marc, PartStat: Accepted}, ErrNotRequest},
		{"a reply", fixture(t, "google-reply.ics"), ReplyOptions{From: marc, PartStat: Accepted}, ErrNotRequest},
		{"a bad answer", fixture(t, "outlook-request.ics"), ReplyOptions{From: marc, PartStat: NeedsAction}, ErrBadPartStat},
		{"no organizer", noOrg, ReplyOptions{From: marc, PartStat: Accepted}, ErrNoOrganizer},
		{"no address", fixture(t, "outlook-request.ics"), ReplyOptions{PartStat: Declined}, ErrNoAttendeeID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Parse(strings.NewReader(tc.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := inv.Reply(tc.o); !errors.Is(err, tc.want) {
				t.Errorf("Reply: %v, want %v", err, tc.want)
			}
		})
	}
}

// The mail of the answer: to the organizer, the subject in the language
// asked, In-Reply-To the invitation, text/plain then text/calendar;
// method=REPLY in multipart/alternative, no signature.
func TestReplyMail(t *testing.T) {
	inv := parseFixture(t, "outlook-request.ics")
	for _, tc := range []struct{ subject, text, wantSubject, wantText string }{
		{"", "", "Accepted: Point migration du relais", `Marc Machin accepted the invitation "Point migration du relais".`},
		{"Accepté : Point migration du relais", "Marc Machin a accepté.", "Accepté : Point migration du relais", "Marc Machin a accepté."},
	} {
		d, err := inv.Reply(ReplyOptions{From: marc, PartStat: Accepted, Subject: tc.subject, Text: tc.text,
			InReplyTo: "invite-1@truc.fr", Now: replyNow})
		if err != nil {
			t.Fatal(err)
		}
		m, err := compose.Build(d, replyNow)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Rcpts, []string{"fred@truc.fr"}) || m.From != "marc@machin.com" {
			t.Errorf("envelope %s -> %v", m.From, m.Rcpts)
		}
		pm, err := message.Parse(bytes.NewReader(m.Raw), message.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if pm.Subject != tc.wantSubject || strings.TrimSpace(pm.Text) != tc.wantText || pm.Header.Get("In-Reply-To") != "<invite-1@truc.fr>" {
			t.Errorf("subject %q, text %q, In-Reply-To %q", pm.Subject, pm.Text, pm.Header.Get("In-Reply-To"))
		}
		if len(pm.Attachments) != 1 || pm.Attachments[0].ContentType != "text/calendar" {
			t.Fatalf("parts %+v", pm.Attachments)
		}
		_, body, err := message.OpenPart(bytes.NewReader(m.Raw), pm.Attachments[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(body, Options{})
		if err != nil || back.Method != MethodReply || back.Attendees[0].PartStat != Accepted {
			t.Fatalf("the calendar part: %+v, %v", back, err)
		}
		if raw := string(m.Raw); !strings.Contains(raw, "multipart/alternative") || !strings.Contains(raw, "method=REPLY") || strings.Contains(raw, "-- \r\n") {
			t.Errorf("the message:\n%s", raw)
		}
	}
}
