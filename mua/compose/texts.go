package compose

import (
	"fmt"
	"time"

	"facteur/internal/message"
)

// Texts are the words the builders write into a message for its reader:
// the attribution line above a quote and the separator of an inline
// forward. The zero value is English; the GUI gives the user's language
// (Original.Texts).
type Texts struct {
	// Wrote returns the attribution line; date is zero when the message
	// has none, who is the author's name, else address.
	Wrote func(date time.Time, who string) string
	// Forwarded names the separator of an inline forward ("Forwarded
	// message"); dashes go around it.
	Forwarded string
}

func (t Texts) wrote(m *message.Message) string {
	who := "someone"
	if len(m.From) > 0 {
		who = m.From[0].Name
		if who == "" {
			who = m.From[0].Addr
		}
	}
	if t.Wrote != nil {
		return t.Wrote(m.Date, who)
	}
	if m.Date.IsZero() {
		return who + " wrote:"
	}
	return fmt.Sprintf("On %s, %s wrote:", m.Date.Format("Mon, 2 Jan 2006 15:04 -0700"), who)
}

func (t Texts) forwarded() string {
	name := t.Forwarded
	if name == "" {
		name = "Forwarded message"
	}
	return "---------- " + name + " ----------"
}
