package invite

import (
	"fmt"
	"io"
	"strings"

	"facteur/internal/message"
)

// CalendarPart returns the calendar part of a message, among its parts
// (message.Message.Attachments): the first text/calendar one (RFC 6047),
// else an application/ics or .ics attachment.
func CalendarPart(parts []message.Part) (message.Part, bool) {
	for _, p := range parts {
		if p.ContentType == "text/calendar" {
			return p, true
		}
	}
	for _, p := range parts {
		if p.ContentType == "application/ics" || strings.HasSuffix(strings.ToLower(p.Filename), ".ics") {
			return p, true
		}
	}
	return message.Part{}, false
}

// ParsePart reads the part at path (a Part.Path) of the message in r and
// parses it.
func ParsePart(r io.Reader, path string, o Options) (*Invitation, error) {
	_, body, err := message.OpenPart(r, path)
	if err != nil {
		return nil, fmt.Errorf("invite: part %s: %w", path, err)
	}
	return Parse(body, o)
}
