package invite

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"facteur/internal/mailaddr"
	"facteur/mua/account"
	"facteur/mua/compose"
)

// prodID names Facteur as the producer of its replies (RFC 5545 §3.7.3).
const prodID = "-//Facteur//Facteur//EN"

// ReplyOptions say who answers an invitation, and how.
type ReplyOptions struct {
	// From is the user: the sender of the reply and the attendee who
	// answers, found among the ATTENDEE lines by its address or one of
	// its aliases (a user not invited by name is added as an attendee,
	// RFC 5546 §3.2.3).
	From     account.Identity
	PartStat PartStat // Accepted, Tentative or Declined
	// Subject and Text are the subject and the text part of the mail, in
	// the user's language; "" gives DefaultSubject and an English text.
	Subject, Text string
	// InReplyTo and References are the message ids of the invitation,
	// without <>.
	InReplyTo  string
	References []string
	Now        time.Time // the DTSTAMP
}

// DefaultSubject is the English subject of an answer: "Accepted: Summary".
func DefaultSubject(ps PartStat, summary string) string {
	word := map[PartStat]string{Accepted: "Accepted", Tentative: "Tentative", Declined: "Declined"}[ps]
	return word + ": " + summary
}

// Reply returns the mail of the user's answer to an invitation: to the
// organizer, text/plain and text/calendar; method=REPLY as
// multipart/alternative (RFC 6047 §2.4). compose.Build makes it a message
// for mailer.Send.
func (inv *Invitation) Reply(o ReplyOptions) (compose.Draft, error) {
	cal, err := inv.CalendarReply(o)
	if err != nil {
		return compose.Draft{}, err
	}
	org, err := mailaddr.Parse(inv.Organizer.Addr)
	if err != nil {
		return compose.Draft{}, fmt.Errorf("%w: %q: %v", ErrNoOrganizer, inv.Organizer.Addr, err)
	}
	org.Name = inv.Organizer.Name
	d := compose.Draft{From: o.From, To: org.String(), Subject: o.Subject, Body: o.Text,
		InReplyTo: o.InReplyTo, References: o.References, Date: o.Now,
		Alternative: &compose.Alternative{ContentType: ical.MIMEType,
			Params: map[string]string{"method": string(MethodReply)}, Data: cal}}
	d.From.Signature = "" // an answer, not a letter
	if d.Subject == "" {
		d.Subject = DefaultSubject(o.PartStat, inv.Summary)
	}
	if d.Body == "" {
		d.Body = defaultText(o, inv.Summary)
	}
	return d, nil
}

// CalendarReply returns the iCalendar object of the answer (RFC 5546
// §3.2.3): METHOD:REPLY; the VEVENT with UID, SEQUENCE, RECURRENCE-ID,
// DTSTAMP, ORGANIZER, SUMMARY, DTSTART and DTEND in UTC (or as dates), and
// the user's ATTENDEE line alone with its new PARTSTAT. Lines longer than
// 75 octets are folded (RFC 5545 §3.1).
func (inv *Invitation) CalendarReply(o ReplyOptions) ([]byte, error) {
	if err := inv.canReply(o); err != nil {
		return nil, err
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropMethod, string(MethodReply))
	ev := ical.NewEvent()
	uid := inv.event.Props.Get(ical.PropUID) // as written: the organizer matches it byte for byte
	ev.Props.Set(&ical.Prop{Name: ical.PropUID, Params: ical.Params{}, Value: uid.Value})
	if inv.event.Props.Get(ical.PropSequence) != nil {
		ev.Props.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: fmt.Sprint(inv.Sequence)})
	}
	ev.Props.SetDateTime(ical.PropDateTimeStamp, o.Now.UTC())
	if inv.Summary != "" {
		ev.Props.SetText(ical.PropSummary, inv.Summary)
	}
	inv.setTime(ev, ical.PropDateTimeStart, inv.Start)
	inv.setTime(ev, ical.PropDateTimeEnd, inv.End)
	if !inv.RecurrenceID.IsZero() {
		inv.setTime(ev, ical.PropRecurrenceID, inv.RecurrenceID)
	}
	ev.Props.Set(organizerLine(inv.event.Props.Get(ical.PropOrganizer)))
	ev.Props.Set(inv.attendeeLine(o))
	cal.Children = append(cal.Children, ev.Component)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("invite: writing the reply: %w", err)
	}
	return fold(buf.Bytes()), nil
}

// canReply checks that the invitation can be answered so.
func (inv *Invitation) canReply(o ReplyOptions) error {
	switch {
	case inv.Method != MethodRequest:
		return fmt.Errorf("%w (this one is %q)", ErrNotRequest, inv.Method)
	case o.PartStat != Accepted && o.PartStat != Tentative && o.PartStat != Declined:
		return fmt.Errorf("%w, not %q", ErrBadPartStat, o.PartStat)
	case inv.event.Props.Get(ical.PropOrganizer) == nil || !strings.Contains(inv.Organizer.Addr, "@"):
		return ErrNoOrganizer
	case strings.TrimSpace(o.From.Address) == "":
		return ErrNoAttendeeID
	case inv.UID == "":
		return fmt.Errorf("%w: the event has no UID to answer", ErrMalformed)
	}
	return nil
}

// setTime writes a time of the reply: a date for an all-day event, else
// UTC, so that the reply needs no VTIMEZONE.
func (inv *Invitation) setTime(ev *ical.Event, name string, t time.Time) {
	if inv.AllDay {
		ev.Props.SetDate(name, t)
		return
	}
	ev.Props.SetDateTime(name, t.UTC())
}

// organizerLine is the ORGANIZER line of the invitation with only the
// parameters RFC 5545 §3.8.4.3 gives it (Lightning adds PARTSTAT, RSVP
// and ROLE).
func organizerLine(p *ical.Prop) *ical.Prop {
	line := ical.NewProp(ical.PropOrganizer)
	line.Value = p.Value
	for _, k := range []string{ical.ParamCommonName, ical.ParamDir, ical.ParamSentBy, ical.ParamLanguage} {
		if v := p.Params.Values(k); len(v) > 0 {
			line.Params[k] = v
		}
	}
	return line
}

// attendeeLine is the user's ATTENDEE line with the new PARTSTAT: the
// invitation's own line (its CN, ROLE, CUTYPE kept; RSVP is a request's),
// or a new one.
func (inv *Invitation) attendeeLine(o ReplyOptions) *ical.Prop {
	addrs := append([]string{o.From.Address}, o.From.Aliases...)
	for _, a := range inv.event.Props.Values(ical.PropAttendee) {
		for _, addr := range addrs {
			if strings.EqualFold(mailtoAddr(a.Value), strings.TrimSpace(addr)) {
				line := ical.Prop{Name: a.Name, Params: ical.Params{}, Value: a.Value}
				for k, v := range a.Params {
					line.Params[k] = v
				}
				line.Params.Del(ical.ParamRSVP)
				line.Params.Set(ical.ParamParticipationStatus, string(o.PartStat))
				return &line
			}
		}
	}
	line := ical.NewProp(ical.PropAttendee)
	line.Value = "mailto:" + strings.TrimSpace(o.From.Address)
	if name := strings.ReplaceAll(o.From.Name, `"`, ""); strings.TrimSpace(name) != "" {
		line.Params.Set(ical.ParamCommonName, name)
	}
	line.Params.Set(ical.ParamParticipationStatus, string(o.PartStat))
	return line
}

// fold folds the content lines longer than 75 octets (RFC 5545 §3.1),
// never inside a UTF-8 sequence.
func fold(data []byte) []byte {
	var out bytes.Buffer
	for line := range bytes.SplitSeq(bytes.TrimSuffix(data, []byte("\r\n")), []byte("\r\n")) {
		limit := 75
		for len(line) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			limit = 74 // the leading blank counts
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

// defaultText is the English text part of an answer.
func defaultText(o ReplyOptions, summary string) string {
	who := o.From.Name
	if strings.TrimSpace(who) == "" {
		who = o.From.Address
	}
	verb := map[PartStat]string{Accepted: "accepted", Tentative: "tentatively accepted", Declined: "declined"}[o.PartStat]
	return fmt.Sprintf("%s %s the invitation \"%s\".\n", who, verb, summary)
}
