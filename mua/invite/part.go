package invite

import (
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/charset"

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
// parses it. A part in another charset than UTF-8 (Content-Type's
// charset, RFC 6047 §2.4: Outlook writes ISO-8859-1 or windows-1252) is
// decoded to UTF-8 first.
func ParsePart(r io.Reader, path string, o Options) (*Invitation, error) {
	part, body, err := message.OpenPart(r, path)
	if err == nil {
		body, err = utf8Body(part.Charset, body)
	}
	if err != nil {
		return nil, fmt.Errorf("invite: part %s: %w", path, err)
	}
	return Parse(body, o)
}

// utf8Body reads body, text in charset cs, as UTF-8.
func utf8Body(cs string, body io.Reader) (io.Reader, error) {
	switch strings.ToLower(cs) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return body, nil
	}
	return charset.Reader(cs, body)
}
