package inspect

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

const (
	timeLayout   = "2006-01-02 15:04:05 -0700"
	maxValueRune = 100
)

// WriteText writes the report for a terminal: the message, the envelope
// beside the header, the findings, the route as a table with delays, each
// hop in detail, DNS, authentication and the header fields by family.
func (r *Report) WriteText(w io.Writer) error {
	tw := &textWriter{w: w}
	for _, section := range []func(*textWriter){
		r.textMessage, r.textEnvelope, r.textFindings, r.textRoute,
		r.textHops, r.textDNS, r.textAuth, r.textFamilies,
	} {
		section(tw)
	}
	return tw.err
}

// textWriter keeps the first write error, so sections need not check.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// table writes rows of cells, aligned in columns, indented by two,
// without trailing spaces.
func (t *textWriter) table(rows [][]string) {
	if t.err != nil {
		return
	}
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	var buf bytes.Buffer
	tab := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		cells := append(append([]string(nil), row...), make([]string, width-len(row))...)
		fmt.Fprintf(tab, "  %s\t\n", strings.Join(cells, "\t"))
	}
	tab.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			t.printf("%s\n", strings.TrimRight(line, " \n"))
		}
	}
}

func (r *Report) textMessage(t *textWriter) {
	h := r.Headers
	t.printf("Message\n")
	t.table([][]string{
		{"Subject", orDash(h.Subject)},
		{"Message-ID", orDash(h.MessageID)},
		{"Date", orDash(h.DateRaw)},
	})
}

func (r *Report) textEnvelope(t *textWriter) {
	e := r.Envelope
	how := "as far as the message tells"
	if e.Exact {
		how = "exact, recorded by Facteur's MTA"
	}
	t.printf("\nEnvelope (%s) and header\n", how)
	from := e.MailFrom
	if e.NullSender {
		from = "<> (null sender)"
	}
	rows := [][]string{
		{"MAIL FROM", orDash(from), source(e.MailFromSource, 0)},
		{"RCPT TO", orDash(strings.Join(e.RcptTo, ", ")), source(e.RcptToSource, firstHop(e.Recipients, e.RcptToSource))},
	}
	a := e.Header
	for _, f := range []struct {
		name string
		list []Mailbox
	}{{"From", a.From}, {"Sender", a.Sender}, {"Reply-To", a.ReplyTo}, {"To", a.To}, {"Cc", a.Cc}, {"Bcc", a.Bcc},
		{"Resent-From", a.ResentFrom}, {"Resent-To", a.ResentTo}} {
		if len(f.list) > 0 || f.name == "From" || f.name == "To" {
			rows = append(rows, []string{f.name, orDash(mailboxes(f.list))})
		}
	}
	t.table(rows)
}

func source(s Source, hop int) string {
	switch {
	case s == "":
		return ""
	case hop > 0:
		return fmt.Sprintf("(%s, hop %d)", s, hop)
	}
	return "(" + string(s) + ")"
}

func firstHop(clues []Evidence, s Source) int {
	for _, c := range clues {
		if c.Source == s {
			return c.Hop
		}
	}
	return 0
}

func mailboxes(list []Mailbox) string {
	parts := make([]string, 0, len(list))
	for _, m := range list {
		if m.Addr == "" && m.Group != "" {
			parts = append(parts, m.Group+":;")
			continue
		}
		parts = append(parts, m.String())
	}
	return strings.Join(parts, ", ")
}

func (r *Report) textFindings(t *textWriter) {
	t.printf("\nFindings\n")
	if len(r.Findings) == 0 {
		t.printf("  none\n")
	}
	for _, f := range r.Findings {
		t.printf("  - %s\n", f.Text)
	}
}

func (r *Report) textRoute(t *textWriter) {
	rt := r.Route
	t.printf("\nRoute: %d hop(s) in travel order", len(rt.Hops))
	if rt.Outbox != nil {
		t.printf(", %s in the sender's outbox", strings.TrimPrefix(rt.Outbox.String(), "+"))
	}
	if rt.Transit != nil {
		t.printf(", %s in all", strings.TrimPrefix(rt.Transit.String(), "+"))
	}
	t.printf("\n")
	rows := [][]string{{"#", "Date", "Delay", "Role", "From", "By", "With", "Flags"}}
	if !rt.Written.IsZero() {
		rows = append(rows, []string{"0", rt.Written.Format(timeLayout), "", "written", "the sender's MUA (Date field)"})
	}
	for _, rh := range rt.Hops {
		rows = append(rows, r.hopRow(rh))
	}
	t.table(rows)
}

func (r *Report) hopRow(rh RouteHop) []string {
	date := "?"
	if !rh.Date.IsZero() {
		date = rh.Date.Format(timeLayout)
	}
	delay := ""
	switch {
	case rh.Delay != nil:
		delay = rh.Delay.String()
	case rh.Index == 1 && r.Route.Outbox != nil && !rh.Date.IsZero():
		delay = r.Route.Outbox.String()
	}
	if rh.Unparsed {
		return []string{fmt.Sprint(rh.Index), date, delay, rh.Role.String(), "(unreadable, see below)", "", "", rh.Flags.String()}
	}
	return []string{fmt.Sprint(rh.Index), date, delay, rh.Role.String(), orDash(clientText(rh.Hop)), orDash(rh.By), orDash(rh.With), rh.Flags.String()}
}

// clientText shows the sending side: "HELO (rdns) [ip]".
func clientText(h Hop) string {
	name := h.HELO
	if name == "" {
		name = h.From
	}
	if h.RDNS != "" && !sameHost(h.RDNS, name) {
		name = strings.TrimSpace(name + " (" + h.RDNS + ")")
	}
	if h.IP.IsValid() {
		name = strings.TrimSpace(name + " [" + h.IP.String() + "]")
	}
	return name
}

func (r *Report) textHops(t *textWriter) {
	if len(r.Route.Hops) == 0 {
		return
	}
	t.printf("\nHops in detail\n")
	for _, rh := range r.Route.Hops {
		t.printf("  %d. %s\n", rh.Index, rh.Role.Course())
		for _, l := range hopDetails(rh) {
			t.printf("     %s\n", l)
		}
	}
}

// hopDetails lists what a hop says beyond the table.
func hopDetails(rh RouteHop) []string {
	h := rh.Hop
	var out []string
	add := func(label, v string) {
		if v != "" {
			out = append(out, label+" "+v)
		}
	}
	add("id", h.ID)
	add("for", strings.Join(h.For, ", "))
	add("via", h.Via)
	add("software", h.Software)
	if h.ProtocolRaw != "" && h.ProtocolRaw != h.With {
		add("protocol", h.ProtocolRaw)
	}
	for _, c := range h.More {
		add("also", c.Name+" "+c.Value)
	}
	if h.TLS != nil {
		add("TLS", h.TLS.String())
	}
	switch {
	case h.Auth != "":
		add("authenticated as", h.Auth)
	case h.Authenticated:
		out = append(out, "authenticated (SMTP AUTH)")
	}
	add("envelope-from", h.EnvelopeFrom)
	add("comments", strings.Join(h.Comments, "; "))
	if rh.Date.IsZero() {
		add("date", "unreadable: "+orDash(h.DateRaw))
	}
	if h.Unparsed || len(h.Extra) > 0 {
		add("raw", h.Raw)
	}
	return out
}

func (r *Report) textAuth(t *textWriter) {
	t.printf("\nAuthentication\n")
	if len(r.Auth) == 0 {
		t.printf("  no Authentication-Results field\n")
	}
	for _, ar := range r.Auth {
		head := fmt.Sprintf("%s by %s", ar.Field, orDash(ar.ServID))
		if ar.Instance > 0 {
			head += fmt.Sprintf(" (ARC i=%d)", ar.Instance)
		} else if ar.Position == 1 {
			head += " (top: the recipient's server)"
		}
		t.printf("  %s\n", head)
		for _, res := range ar.Results {
			t.printf("    %s=%s%s\n", res.Method, res.Result, props(res))
		}
		if ar.Error != "" {
			t.printf("    (not fully read: %s)\n", ar.Error)
		}
	}
}

func props(r AuthResult) string {
	var b strings.Builder
	for _, k := range r.propKeys() {
		fmt.Fprintf(&b, " %s=%s", k, r.Props[k])
	}
	return b.String()
}

func (r *Report) textFamilies(t *textWriter) {
	t.printf("\nHeader fields by family (course: \"Format de l'en-tête\")\n")
	for _, g := range r.Headers.Groups() {
		t.printf("  %s / %s\n", g.Family.Title(), g.Family.Course())
		for _, f := range g.Fields {
			t.printf("    %s: %s\n", f.Name, shorten(unfold(f.Value)))
		}
	}
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxValueRune {
		return s
	}
	return string([]rune(s)[:maxValueRune-3]) + "..."
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
