package queue

import (
	"os"
	"strings"
	"time"
)

// PickupReceived is the trace field (RFC 5321 §4.4, RFC 5322 §3.6.7) of a
// message that enters the spool without SMTP, like the one Postfix's
// pickup writes: "Received: by HOST (Facteur PROGRAM, from userid USER)
// id ID for <rcpt>; date". The for clause names the recipient when there
// is one only. An empty host means the machine's name.
func PickupReceived(host, program, user, id string, rcpts []string, now time.Time) string {
	if host == "" {
		host, _ = os.Hostname()
	}
	if host == "" {
		host = "localhost"
	}
	var b strings.Builder
	b.WriteString("Received: by " + strings.ToLower(host) + " (Facteur")
	if program != "" {
		b.WriteString(" " + program)
	}
	if user != "" {
		b.WriteString(", from userid " + user)
	}
	b.WriteString(")\r\n\tid " + id)
	if len(rcpts) == 1 {
		b.WriteString("\r\n\tfor <" + rcpts[0] + ">")
	}
	b.WriteString("; " + now.Format(time.RFC1123Z) + "\r\n")
	return b.String()
}
