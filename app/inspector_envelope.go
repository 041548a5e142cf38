package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/inspect"
)

// The Envelope tab sets the SMTP envelope (MAIL FROM, RCPT TO) beside the
// header's originator and destination fields, with where each envelope value
// was read, and spells out the differences: the course's point that To is not
// where the message went.

type envelopeTab struct {
	how          *widget.Label // exact, or as far as the message tells
	mailFrom     *selLabel
	mailFromSrc  *widget.Label
	rcptTo       *selLabel
	rcptToSrc    *widget.Label
	clues        *widget.Label
	header       *fyne.Container
	findings     *fyne.Container
	findingTexts []string // what findings shows, for tests
}

func newEnvelopeTab() *envelopeTab {
	t := &envelopeTab{
		how:      wrapLabel(),
		mailFrom: selectableLabel(), mailFromSrc: captionLabel(),
		rcptTo: selectableLabel(), rcptToSrc: captionLabel(),
		clues:  captionLabel(),
		header: container.New(layout.NewFormLayout()), findings: container.NewVBox(),
	}
	t.how.TextStyle.Italic = true
	return t
}

func (t *envelopeTab) content() fyne.CanvasObject {
	form := container.New(layout.NewFormLayout(),
		keyLabel("MAIL FROM"), tightVBox(t.mailFrom, t.mailFromSrc),
		keyLabel("RCPT TO"), tightVBox(t.rcptTo, t.rcptToSrc))
	env := section(lang.L("Envelope"), lang.L("SMTP, RFC 5321: where the message really went"),
		container.NewVBox(t.how, form, t.clues))
	head := section(lang.L("Header"), lang.L("RFC 5322: what the sender's MUA wrote"), t.header)
	cols := container.NewGridWithColumns(2, env, head)
	found := section(lang.L("Findings"), lang.L("what the envelope and the route tell"), t.findings)
	return container.NewVScroll(sections(cols, found))
}

// show draws the envelope, the header fields and the findings of r.
func (t *envelopeTab) show(r *inspect.Report) {
	e := r.Envelope
	if e.Exact {
		t.how.SetText(lang.L("Exact: recorded by Facteur's MTA when it received the message."))
	} else {
		t.how.SetText(lang.L("As far as the message tells: the envelope is not part of the message, these are the traces it left."))
	}
	t.mailFrom.SetText(mailFromText(e))
	t.mailFromSrc.SetText(sourceLine(e.MailFromSource, evidenceHop(e.Senders, e.MailFromSource)))
	t.rcptTo.SetText(orUnknown(strings.Join(e.RcptTo, "\n")))
	t.rcptToSrc.SetText(sourceLine(e.RcptToSource, evidenceHop(e.Recipients, e.RcptToSource)))
	t.clues.SetText(cluesText(e))
	setVisible(t.clues, t.clues.Text != "")
	t.showHeader(e.Header)
	t.showFindings(r)
}

// mailFromText is the reverse-path, "<>" for a bounce.
func mailFromText(e inspect.Envelope) string {
	if e.NullSender {
		return lang.L("<> (the null sender of a bounce)")
	}
	return orUnknown(e.MailFrom)
}

func orUnknown(s string) string {
	if s == "" {
		return lang.L("unknown")
	}
	return s
}

// evidenceHop is the hop of the first clue read from src, 0 if none.
func evidenceHop(clues []inspect.Evidence, src inspect.Source) int {
	for _, c := range clues {
		if c.Source == src {
			return c.Hop
		}
	}
	return 0
}

// sourceLine tells where an envelope value was read.
func sourceLine(src inspect.Source, hop int) string {
	if src == "" {
		return ""
	}
	return lang.L("read from: {{.Source}}", map[string]any{"Source": sourceText(src, hop)})
}

// sourceText names a source; header field names stay as written.
func sourceText(src inspect.Source, hop int) string {
	switch src {
	case inspect.SourceKnown:
		return lang.L("the envelope recorded by Facteur's MTA")
	case inspect.SourceReceivedFor:
		return lang.L("the for clause of hop {{.Hop}}", map[string]any{"Hop": hop})
	case inspect.SourceReceivedEnvelopeFrom:
		return lang.L("the envelope-from comment of hop {{.Hop}}", map[string]any{"Hop": hop})
	case inspect.SourceMboxFrom:
		return lang.L("the mbox From line")
	}
	return string(src)
}

// cluesText lists every place the message tells an envelope address, when
// there is more than the values shown.
func cluesText(e inspect.Envelope) string {
	var lines []string
	add := func(label string, list []inspect.Evidence) {
		for _, c := range list {
			addr := c.Addr
			if addr == "" {
				addr = "<>"
			}
			lines = append(lines, label+" "+addr+" ← "+sourceText(c.Source, c.Hop))
		}
	}
	if len(e.Senders) < 2 && len(e.Recipients) < 2 {
		return "" // nothing beyond the values shown
	}
	add("MAIL FROM", e.Senders)
	add("RCPT TO", e.Recipients)
	return lang.L("Every clue, the most trusted first:") + "\n" + strings.Join(lines, "\n")
}

// showHeader fills the header card: From and To always, the others when set.
func (t *envelopeTab) showHeader(h inspect.HeaderAddrs) {
	t.header.RemoveAll()
	rows := []struct {
		name   string
		list   []inspect.Mailbox
		always bool
	}{
		{"From", h.From, true}, {"Sender", h.Sender, false}, {"Reply-To", h.ReplyTo, false},
		{"To", h.To, true}, {"Cc", h.Cc, false}, {"Bcc", h.Bcc, false},
		{"Resent-From", h.ResentFrom, false}, {"Resent-To", h.ResentTo, false},
	}
	for _, row := range rows {
		if len(row.list) == 0 && !row.always {
			continue
		}
		v := selectableLabel()
		v.SetText(orDash(mailboxLines(row.list)))
		t.header.Add(keyLabel(row.name))
		t.header.Add(v)
	}
	t.header.Refresh()
}

func mailboxLines(list []inspect.Mailbox) string {
	lines := make([]string, 0, len(list))
	for _, m := range list {
		lines = append(lines, m.String())
	}
	return strings.Join(lines, "\n")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// showFindings lists the findings as sentences, each with its icon.
func (t *envelopeTab) showFindings(r *inspect.Report) {
	t.findings.RemoveAll()
	t.findingTexts = nil
	for _, f := range r.Findings {
		text := findingText(f, r)
		t.findingTexts = append(t.findingTexts, text)
		t.findings.Add(iconRow(findingIcon(f.Kind), text))
	}
	if len(r.Findings) == 0 {
		t.findings.Add(iconRow(theme.ConfirmIcon(), lang.L("Nothing to remark: the envelope matches the header.")))
	}
	t.findings.Refresh()
}

// findingIcon: a warning for what looks wrong, information otherwise.
func findingIcon(k inspect.FindingKind) fyne.Resource {
	switch k {
	case inspect.FindUnparsedReceived, inspect.FindDateAfterReceived, inspect.FindClockSkew,
		inspect.FindBadHeader, inspect.FindRDNSMismatch, inspect.FindDKIM:
		return theme.WarningIcon()
	}
	return theme.InfoIcon()
}
