// Package invite reads the meeting invitations that mail carries and
// answers them.
//
// An invitation is a text/calendar part (iMIP, RFC 6047) holding an
// iCalendar object (RFC 5545) whose METHOD is an iTIP one (RFC 5546):
// REQUEST (an invitation or an update), CANCEL (the event is cancelled),
// REPLY (an attendee answered). Parse reads it with
// github.com/emersion/go-ical into an Invitation: summary, start and end
// as instants shown in the reader's zone (all-day events as dates; UTC
// forms; local times with a TZID resolved through the VTIMEZONE of the
// object, as Outlook's Windows names need, else through the IANA database;
// floating times in the reader's zone), location, organizer, attendees
// with their participation status (PARTSTAT), and a simple recurrence rule
// (RRULE FREQ, INTERVAL, COUNT, UNTIL, weekly BYDAY) in a form that can be
// said in words.
//
// Reply builds the iTIP REPLY of the user (RFC 5546 §3.2.3): METHOD:REPLY,
// the VEVENT with its UID, SEQUENCE, RECURRENCE-ID, a new DTSTAMP, the
// ORGANIZER, and only the user's ATTENDEE line with the new PARTSTAT; the
// mail is multipart/alternative, text/plain then text/calendar;
// method=REPLY (RFC 6047 §2.4), addressed to the organizer, and goes out
// through the account like any message (mua/mailer).
//
// Bad input gives an error that says what is wrong (errors.Is with
// ErrMalformed, ErrNoEvent, ErrUnknownZone), never a panic: the parser of
// go-ical panics on some truncated content lines, and Parse turns that
// into ErrMalformed.
package invite
