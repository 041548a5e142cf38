package app

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"facteur/internal/message"
	"facteur/mailstore"
)

// formatCount writes n with the thousands separator of the UI language.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := lang.X("format.thousands", ",")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatSize writes a byte count as B, KB, MB or GB (powers of 1024, one decimal
// above 10 KB only when it helps).
func formatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return lang.L("{{.N}} B", map[string]any{"N": n})
	}
	v := float64(n)
	keys := []string{"{{.N}} KB", "{{.N}} MB", "{{.N}} GB", "{{.N}} TB"}
	i := -1
	for v >= unit && i < len(keys)-1 {
		v /= unit
		i++
	}
	return localizeSize(keys[i], v)
}

func localizeSize(key string, v float64) string {
	prec := 0
	if v < 10 {
		prec = 1
	}
	num := strconv.FormatFloat(v, 'f', prec, 64)
	num = strings.Replace(num, ".", lang.X("format.decimal", "."), 1)
	switch key {
	case "{{.N}} KB":
		return lang.L("{{.N}} KB", map[string]any{"N": num})
	case "{{.N}} MB":
		return lang.L("{{.N}} MB", map[string]any{"N": num})
	case "{{.N}} GB":
		return lang.L("{{.N}} GB", map[string]any{"N": num})
	}
	return lang.L("{{.N}} TB", map[string]any{"N": num})
}

// monthAbbrev returns the short name of m in the UI language.
func monthAbbrev(m time.Month) string {
	names := [...]string{
		lang.L("Jan"), lang.L("Feb"), lang.L("Mar"), lang.L("Apr"),
		lang.L("May"), lang.L("Jun"), lang.L("Jul"), lang.L("Aug"),
		lang.L("Sep"), lang.L("Oct"), lang.L("Nov"), lang.L("Dec"),
	}
	return names[m-1]
}

// weekdayAbbrev returns the short name of d in the UI language.
func weekdayAbbrev(d time.Weekday) string {
	names := [...]string{
		lang.L("Sun"), lang.L("Mon"), lang.L("Tue"), lang.L("Wed"),
		lang.L("Thu"), lang.L("Fri"), lang.L("Sat"),
	}
	return names[d]
}

// formatListDate is the short date of a list row, one style for every
// list: the time today, the weekday in the six days before, day and month
// this year, the full date before.
func formatListDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case !t.Before(today.AddDate(0, 0, -6)) && t.Before(today):
		return weekdayAbbrev(t.Weekday())
	case t.Year() == now.Year():
		return strconv.Itoa(t.Day()) + " " + monthAbbrev(t.Month())
	}
	return t.Format("2006-01-02")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// formatLongDate is the date in the reader's header block.
func formatLongDate(t time.Time) string {
	if t.IsZero() {
		return lang.L("(no date)")
	}
	return strconv.Itoa(t.Day()) + " " + monthAbbrev(t.Month()) + " " +
		t.Format("2006, 15:04 -0700")
}

// formatAddresses joins addresses as "Name <addr>, ...".
func formatAddresses(list []message.Address) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, ", ")
}

// displayName is the short form of an address for a list row.
func displayName(a message.Address) string {
	if strings.TrimSpace(a.Name) != "" {
		return strings.TrimSpace(a.Name)
	}
	return a.Addr
}

// rowSender is the correspondent shown in a list row: the recipients in the
// Sent, Drafts and Outbox folders, the sender elsewhere.
func rowSender(s mailstore.Summary, role mailstore.Role) string {
	list := s.From
	if role == mailstore.RoleSent || role == mailstore.RoleDrafts || role == mailstore.RoleOutbox {
		list = s.To
	}
	if len(list) == 0 {
		if s.Envelope != nil && s.Envelope.MailFrom != "" {
			return s.Envelope.MailFrom
		}
		return lang.L("(unknown sender)")
	}
	names := make([]string, 0, len(list))
	for _, a := range list {
		names = append(names, displayName(a))
	}
	return strings.Join(names, ", ")
}

// rowSubject is a subject for display: one line, never empty.
func rowSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return lang.L("(no subject)")
	}
	return s
}
