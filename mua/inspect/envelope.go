package inspect

import "strings"

// KnownEnvelope is the SMTP envelope exactly as an MTA received it (RFC
// 5321 §3.3 MAIL FROM and RCPT TO), when the mailstore recorded it because
// the message passed Facteur's own MTA. It wins over what the header says.
type KnownEnvelope struct {
	MailFrom string   // "" for the null reverse-path <>
	RcptTo   []string // "local@domain", without <>
}

// Source names where a piece of the envelope was read.
type Source string

// The places the envelope can be read from.
const (
	SourceKnown                Source = "mailstore"              // the envelope Facteur's MTA recorded
	SourceReturnPath           Source = "Return-Path"            // added by the final MTA (RFC 5321 §4.4)
	SourceXEnvelopeFrom        Source = "X-Envelope-From"        // added by some MDAs
	SourceReceivedEnvelopeFrom Source = "Received envelope-from" // the (envelope-from <...>) comment of Exim, Dovecot
	SourceMboxFrom             Source = "mbox From line"         // the "From sender date" line of an mbox
	SourceEnvelopeTo           Source = "Envelope-To"            // Exim
	SourceXEnvelopeTo          Source = "X-Envelope-To"
	SourceXOriginalTo          Source = "X-Original-To" // Postfix: RCPT TO before alias rewriting
	SourceDeliveredTo          Source = "Delivered-To"  // the mailbox it was delivered to
	SourceReceivedFor          Source = "Received for"  // the for clause of a hop
)

// Evidence is one place where the message tells an envelope address.
type Evidence struct {
	Addr   string `json:"addr"` // "" is the null reverse-path <>
	Source Source `json:"source"`
	Hop    int    `json:"hop,omitempty"` // the hop (travel order) of a Received clue
}

// Envelope is MAIL FROM and RCPT TO as far as the message tells them (or
// exactly, when known), beside the header's originator and destination
// fields. The course's point: To is not where the message went.
type Envelope struct {
	MailFrom       string   `json:"mail_from"`
	NullSender     bool     `json:"null_sender,omitempty"` // MAIL FROM:<>, a bounce
	MailFromSource Source   `json:"mail_from_source,omitempty"`
	RcptTo         []string `json:"rcpt_to"`
	RcptToSource   Source   `json:"rcpt_to_source,omitempty"`
	// Exact is set when MailFrom and RcptTo come from a KnownEnvelope.
	Exact bool `json:"exact"`
	// Senders and Recipients list every clue, the most trusted first.
	Senders    []Evidence  `json:"senders,omitempty"`
	Recipients []Evidence  `json:"recipients,omitempty"`
	Header     HeaderAddrs `json:"header"`
}

// HeaderAddrs are the RFC 5322 §3.6.2-3.6.3 and §3.6.6 address fields.
type HeaderAddrs struct {
	From       []Mailbox `json:"from,omitempty"`
	Sender     []Mailbox `json:"sender,omitempty"`
	ReplyTo    []Mailbox `json:"reply_to,omitempty"`
	To         []Mailbox `json:"to,omitempty"`
	Cc         []Mailbox `json:"cc,omitempty"`
	Bcc        []Mailbox `json:"bcc,omitempty"`
	ResentFrom []Mailbox `json:"resent_from,omitempty"`
	ResentTo   []Mailbox `json:"resent_to,omitempty"` // Resent-To, Resent-Cc and Resent-Bcc
}

// recipients returns To, Cc, Bcc and the Resent- recipients.
func (a HeaderAddrs) recipients() []Mailbox {
	var out []Mailbox
	for _, l := range [][]Mailbox{a.To, a.Cc, a.Bcc, a.ResentTo} {
		out = append(out, l...)
	}
	return out
}

// readHeaderAddrs parses the address fields.
func readHeaderAddrs(h *header) HeaderAddrs {
	list := func(names ...string) []Mailbox {
		var out []Mailbox
		for _, n := range names {
			for i := h.next(n, 0); i >= 0; i = h.next(n, i+1) {
				out = append(out, parseMailboxes(h.fields[i].Value)...)
			}
		}
		return out
	}
	return HeaderAddrs{
		From: list("From"), Sender: list("Sender"), ReplyTo: list("Reply-To"),
		To: list("To"), Cc: list("Cc"), Bcc: list("Bcc"),
		ResentFrom: list("Resent-From", "Resent-Sender"),
		ResentTo:   list("Resent-To", "Resent-Cc", "Resent-Bcc"),
	}
}

// buildEnvelope gathers the envelope clues and picks the best of each.
func buildEnvelope(h *header, route Route, known *KnownEnvelope) Envelope {
	e := Envelope{Header: readHeaderAddrs(h), Senders: senderClues(h, route), Recipients: recipientClues(h, route)}
	if known != nil {
		e.MailFrom, e.MailFromSource, e.Exact = known.MailFrom, SourceKnown, true
		e.RcptTo, e.RcptToSource = append([]string(nil), known.RcptTo...), SourceKnown
		e.NullSender = known.MailFrom == ""
		return e
	}
	if len(e.Senders) > 0 {
		e.MailFrom, e.MailFromSource = e.Senders[0].Addr, e.Senders[0].Source
		e.NullSender = e.MailFrom == ""
	}
	e.RcptTo, e.RcptToSource = bestRecipients(e.Recipients)
	return e
}

// senderClues lists the MAIL FROM clues, most trusted first.
func senderClues(h *header, route Route) []Evidence {
	var out []Evidence
	out = appendPaths(out, h, "Return-Path", SourceReturnPath)
	out = appendPaths(out, h, "X-Envelope-From", SourceXEnvelopeFrom)
	for i := len(route.Hops) - 1; i >= 0; i-- {
		if a := route.Hops[i].EnvelopeFrom; a != "" {
			out = append(out, Evidence{Addr: a, Source: SourceReceivedEnvelopeFrom, Hop: route.Hops[i].Index})
		}
	}
	if h.mboxFrom != "" {
		out = append(out, Evidence{Addr: mboxPath(h.mboxFrom), Source: SourceMboxFrom})
	}
	return out
}

// mboxPath turns the sender of an mbox From line into a path ("MAILER-DAEMON"
// stands for the null sender).
func mboxPath(s string) string {
	if strings.EqualFold(s, "MAILER-DAEMON") || s == "<>" {
		return ""
	}
	return strings.Trim(s, "<>")
}

// recipientClues lists the RCPT TO clues, most trusted first: Exim's
// Envelope-To, Postfix's X-Original-To (before alias rewriting), the
// Delivered-To of the final delivery, then the for clauses from the last
// hop back.
func recipientClues(h *header, route Route) []Evidence {
	n := 0
	for i := range route.Hops {
		n += len(route.Hops[i].For)
	}
	var out []Evidence
	if n > 0 {
		out = make([]Evidence, 0, n+2) // grown once for the for clauses
	}
	out = appendLists(out, h, "Envelope-To", SourceEnvelopeTo)
	out = appendLists(out, h, "X-Envelope-To", SourceXEnvelopeTo)
	out = appendPaths(out, h, "X-Original-To", SourceXOriginalTo)
	out = appendPaths(out, h, "Delivered-To", SourceDeliveredTo)
	for i := len(route.Hops) - 1; i >= 0; i-- {
		for _, a := range route.Hops[i].For {
			if addr, ok := parsePath(a); ok && addr != "" {
				out = append(out, Evidence{Addr: addr, Source: SourceReceivedFor, Hop: route.Hops[i].Index})
			}
		}
	}
	if len(out) == 0 {
		return nil // as without the clauses
	}
	return out
}

func appendPaths(out []Evidence, h *header, name string, src Source) []Evidence {
	for i := h.next(name, 0); i >= 0; i = h.next(name, i+1) {
		if a, ok := parsePath(h.fields[i].Value); ok {
			out = append(out, Evidence{Addr: a, Source: src})
		}
	}
	return out
}

func appendLists(out []Evidence, h *header, name string, src Source) []Evidence {
	for i := h.next(name, 0); i >= 0; i = h.next(name, i+1) {
		for part := range strings.SplitSeq(h.fields[i].Value, ",") {
			if a, ok := parsePath(part); ok && a != "" {
				out = append(out, Evidence{Addr: a, Source: src})
			}
		}
	}
	return out
}

// bestRecipients returns the recipients of the most trusted source: all
// the addresses of that source for Envelope-To style lists, the top one
// for Delivered-To and X-Original-To (each forward adds one), and those
// of the last hop that has a for clause.
func bestRecipients(clues []Evidence) ([]string, Source) {
	if len(clues) == 0 {
		return nil, ""
	}
	first := clues[0]
	var out []string
	for _, c := range clues {
		if c.Source != first.Source || c.Hop != first.Hop {
			break
		}
		if !containsString(out, c.Addr) {
			out = append(out, c.Addr)
		}
		if c.Source == SourceDeliveredTo || c.Source == SourceXOriginalTo {
			break
		}
	}
	return out, first.Source
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
