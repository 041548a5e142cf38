package inspect

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// FindingKind classifies a Finding, for translations and icons.
type FindingKind uint8

// The kinds of findings.
const (
	FindEnvelopeSender    FindingKind = iota + 1 // MAIL FROM differs from From
	FindBounce                                   // null reverse-path <>
	FindHiddenRecipient                          // an envelope recipient in neither To nor Cc: Bcc
	FindMailingList                              // List-Id, Precedence: list
	FindForward                                  // Resent-*, X-Forwarded-To, alias rewriting
	FindSenderField                              // Sender differs from From
	FindReplyTo                                  // Reply-To differs from From
	FindNoReceived                               // no Received field at all
	FindUnparsedReceived                         // a Received field could not be read
	FindDateAfterReceived                        // Date later than the first hop
	FindClockSkew                                // a hop dated before the previous one
	FindBadHeader                                // header lines that are not fields
	FindRDNSMismatch                             // the written reverse DNS name is not what PTR says (DNS)
	FindDKIM                                     // the live DKIM verification (DNS)
)

var findingNames = [...]string{"", "envelope-sender", "bounce", "hidden-recipient", "mailing-list",
	"forward", "sender-field", "reply-to", "no-received", "unparsed-received",
	"date-after-received", "clock-skew", "bad-header", "rdns-mismatch", "dkim"}

// String returns the kind's JSON name, such as "envelope-sender".
func (k FindingKind) String() string {
	if int(k) < len(findingNames) && k > 0 {
		return findingNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k FindingKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *FindingKind) UnmarshalText(b []byte) error {
	i := indexOf(findingNames[1:], string(b))
	if i < 0 {
		return fmt.Errorf("inspect: unknown finding %q", b)
	}
	*k = FindingKind(i + 1)
	return nil
}

// Finding is one remark of the inspector, spelled out in Text (English):
// the template of Code filled with Args (see Template).
type Finding struct {
	Kind  FindingKind       `json:"kind"`
	Text  string            `json:"text"`
	Addrs []string          `json:"addrs,omitempty"` // the addresses concerned
	Hop   int               `json:"hop,omitempty"`   // the hop concerned (travel order)
	Code  string            `json:"code,omitempty"`  // the sentence of Text, for translations
	Args  map[string]string `json:"args,omitempty"`  // the values of its placeholders
}

// findings compares envelope and header, and collects the remarks on the
// route and the header.
func findings(h *header, r *Report) []Finding {
	var out []Finding
	out = append(out, senderFindings(&r.Envelope)...)
	list, fwd := listFindings(h, &r.Envelope), forwardFindings(h, &r.Envelope)
	out = append(append(out, list...), fwd...)
	out = append(out, recipientFindings(h, &r.Envelope, len(list)+len(fwd) > 0)...)
	out = appendRouteFindings(out, &r.Route)
	if len(h.bad) > 0 {
		out = append(out, Finding{Kind: FindBadHeader}.say(CodeBadHeader, vars{"Count": strconv.Itoa(len(h.bad))}))
	}
	return out
}

// senderFindings compares MAIL FROM, Sender and Reply-To with From.
func senderFindings(e *Envelope) []Finding {
	var out []Finding
	from := firstAddr(e.Header.From)
	switch {
	case e.NullSender && e.MailFromSource != "":
		out = append(out, Finding{Kind: FindBounce}.say(CodeBounce, nil))
	case e.MailFrom != "" && from != "" && !containsAddr(e.Header.From, e.MailFrom):
		out = append(out, Finding{Kind: FindEnvelopeSender, Addrs: []string{e.MailFrom, from}}.say(CodeEnvelopeSender,
			vars{"MailFrom": e.MailFrom, "Source": string(e.MailFromSource), "From": from}))
	}
	if s := firstAddr(e.Header.Sender); s != "" && from != "" && !containsAddr(e.Header.From, s) {
		out = append(out, Finding{Kind: FindSenderField, Addrs: []string{s, from}}.say(CodeSenderField,
			vars{"Sender": s, "From": from}))
	}
	for _, m := range e.Header.ReplyTo {
		if from != "" && !containsAddr(e.Header.From, m.Addr) {
			out = append(out, Finding{Kind: FindReplyTo, Addrs: []string{m.Addr, from}}.say(CodeReplyTo,
				vars{"ReplyTo": m.Addr, "From": from}))
		}
	}
	return out
}

// listFindings recognises a mailing list (RFC 2919 List-Id, Precedence).
func listFindings(h *header, e *Envelope) []Finding {
	id := strings.TrimSpace(unfold(h.get("List-Id")))
	prec := strings.ToLower(strings.TrimSpace(h.get("Precedence")))
	if id == "" && !h.has("List-Post") && !h.has("Mailing-List") && prec != "list" {
		return nil
	}
	f := Finding{Kind: FindMailingList}
	switch {
	case id != "" && e.MailFrom != "":
		f = f.say(CodeMailingListIDSender, vars{"ListID": id, "MailFrom": e.MailFrom})
	case id != "":
		f = f.say(CodeMailingListID, vars{"ListID": id})
	case e.MailFrom != "":
		f = f.say(CodeMailingListSender, vars{"MailFrom": e.MailFrom})
	default:
		f = f.say(CodeMailingList, nil)
	}
	return []Finding{f}
}

// forwardFindings recognises a resent or forwarded message and alias
// rewriting between X-Original-To and Delivered-To.
func forwardFindings(h *header, e *Envelope) []Finding {
	var out []Finding
	if h.hasPrefix("Resent-") {
		who := append(addrList(e.Header.ResentFrom), addrList(e.Header.ResentTo)...)
		out = append(out, Finding{Kind: FindForward, Addrs: who}.say(CodeResent, nil))
	}
	for _, name := range []string{"X-Forwarded-To", "X-Forwarded-For"} {
		if v := strings.TrimSpace(h.get(name)); v != "" {
			out = append(out, Finding{Kind: FindForward, Addrs: []string{v}}.say(CodeForwardField,
				vars{"Field": name, "Value": v}))
		}
	}
	orig, deliv := firstOf(e.Recipients, SourceXOriginalTo), firstOf(e.Recipients, SourceDeliveredTo)
	if orig != "" && deliv != "" && !sameAddr(orig, deliv) {
		out = append(out, Finding{Kind: FindForward, Addrs: []string{orig, deliv}}.say(CodeAlias,
			vars{"Original": orig, "Delivered": deliv}))
	}
	return out
}

// recipientFindings spells out the envelope recipients that the header
// does not name: blind copies, unless a list or a forward explains them.
func recipientFindings(h *header, e *Envelope, explained bool) []Finding {
	all := e.Header.recipients()
	if len(all) == 0 && !h.has("To") && !h.has("Cc") {
		return nil
	}
	var out []Finding
	for _, rcpt := range e.RcptTo {
		switch {
		case containsAddr(e.Header.To, rcpt) || containsAddr(e.Header.Cc, rcpt) || containsAddr(e.Header.ResentTo, rcpt):
		case containsAddr(e.Header.Bcc, rcpt):
			out = append(out, Finding{Kind: FindHiddenRecipient, Addrs: []string{rcpt}}.say(CodeBcc, vars{"Rcpt": rcpt}))
		case explained:
		default:
			out = append(out, Finding{Kind: FindHiddenRecipient, Addrs: []string{rcpt}}.say(CodeHiddenRecipient,
				vars{"Rcpt": rcpt, "Source": string(e.RcptToSource)}))
		}
	}
	return out
}

// appendRouteFindings appends the remarks on the route to out, grown
// once for all of them.
func appendRouteFindings(out []Finding, r *Route) []Finding {
	if len(r.Hops) == 0 {
		return append(out, Finding{Kind: FindNoReceived}.say(CodeNoReceived, nil))
	}
	n := 1
	for i := range r.Hops {
		rh := &r.Hops[i] // no copy of the hop
		if rh.Unparsed {
			n++
		}
		if rh.Flags.Has(FlagClockSkew) {
			n++
		}
	}
	out = slices.Grow(out, n)
	var a textArena
	if r.Outbox != nil && *r.Outbox < 0 {
		out = append(out, a.say(Finding{Kind: FindDateAfterReceived}, CodeDateAfterReceived,
			vars{"Delay": a.delay(-*r.Outbox)}))
	}
	for i := range r.Hops {
		rh := &r.Hops[i]
		hop := strconv.Itoa(rh.Index)
		if rh.Unparsed {
			out = append(out, a.say(Finding{Kind: FindUnparsedReceived, Hop: rh.Index}, CodeUnparsedReceived, vars{"Hop": hop}))
		}
		if rh.Flags.Has(FlagClockSkew) {
			out = append(out, a.say(Finding{Kind: FindClockSkew, Hop: rh.Index}, CodeClockSkew,
				vars{"Hop": hop, "Delay": a.delay(*rh.Delay)}))
		}
	}
	return out
}

// delay returns what s.String() returns without its sign, from the arena.
func (a *textArena) delay(s Seconds) string {
	var buf [32]byte
	return a.bytes(s.appendText(buf[:0])[1:])
}

func firstAddr(list []Mailbox) string {
	for _, m := range list {
		if m.Addr != "" {
			return m.Addr
		}
	}
	return ""
}

func addrList(list []Mailbox) []string {
	var out []string
	for _, m := range list {
		if m.Addr != "" {
			out = append(out, m.Addr)
		}
	}
	return out
}

func firstOf(clues []Evidence, src Source) string {
	for _, c := range clues {
		if c.Source == src {
			return c.Addr
		}
	}
	return ""
}
