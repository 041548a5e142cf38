package compose

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"facteur/internal/message"
	"facteur/mua/account"
)

// Original is a message being answered, forwarded or edited: its bytes
// and what internal/message read of them.
type Original struct {
	Raw []byte
	Msg *message.Message
	// Texts are the words the builders add (attribution, forward
	// separator), in the user's language; the zero value is English.
	Texts Texts
}

// ParseOriginal reads a stored message for the builders.
func ParseOriginal(raw []byte) (Original, error) {
	m, err := message.Parse(bytes.NewReader(raw), message.Options{NoLinks: true})
	if err != nil {
		return Original{}, err
	}
	return Original{Raw: raw, Msg: m}, nil
}

// Reply answers the author: Reply-To when the message has one, else From
// (or, for a message the user sent, its To). The subject gets "Re: ",
// the body the quoted text under an attribution line, then the
// signature; In-Reply-To and References thread it (RFC 5322 §3.6.4).
func Reply(o Original, from account.Identity) Draft {
	d := replyBase(o, from)
	d.To = joinAddrs(replyTargets(o.Msg, from))
	return d
}

// ReplyAll answers the author and every other recipient: the user's own
// addresses (identity and aliases) are removed, duplicates merged, and the
// original Cc stays in Cc.
func ReplyAll(o Original, from account.Identity) Draft {
	d := replyBase(o, from)
	seen := ownSet(from)
	to := mergeAddrs(seen, replyTargets(o.Msg, from), o.Msg.To)
	d.To = joinAddrs(to)
	d.Cc = joinAddrs(mergeAddrs(seen, o.Msg.Cc))
	if d.To == "" { // only the user and the Cc were left
		d.To, d.Cc = d.Cc, ""
	}
	return d
}

func replyBase(o Original, from account.Identity) Draft {
	m := o.Msg
	d := Draft{From: from, Subject: prefixSubject("Re: ", m.Subject), InReplyTo: m.MessageID}
	d.References = append(d.References, m.References...)
	if len(d.References) == 0 && len(m.InReplyTo) > 0 {
		d.References = append(d.References, m.InReplyTo[0])
	}
	if m.MessageID != "" {
		d.References = append(d.References, m.MessageID)
	}
	quote := Quote(m.Text)
	if isFlowed(o.Raw) { // answered in kind: the quote flows too
		quote, d.Flowed = QuoteFlowed(m.Text), true
	}
	body := "\n" + o.Texts.wrote(m) + "\n\n" + quote // RFC 3676 §4.5 quotes
	d.Body = withSignature(body, from.Signature)
	return d
}

// replyTargets is where a reply goes.
func replyTargets(m *message.Message, from account.Identity) []message.Address {
	if len(m.ReplyTo) > 0 {
		return m.ReplyTo
	}
	if len(m.From) > 0 && isOwn(ownSet(from), m.From[0].Addr) && len(m.To) > 0 {
		return m.To // a reply to one's own sent message goes to its recipients
	}
	return m.From
}

// Attribution is the line above the quote, in English: "On <date>,
// <name> wrote:" (Original.Texts gives another language).
func Attribution(m *message.Message) string {
	return Texts{}.wrote(m)
}

// prefixSubject adds "Re: " or "Fwd: " unless the subject has it already.
func prefixSubject(prefix, subject string) string {
	s := strings.TrimSpace(subject)
	if strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix)) {
		return s
	}
	if prefix == "Re: " && strings.HasPrefix(strings.ToLower(s), "re:") {
		return "Re: " + strings.TrimSpace(s[3:])
	}
	return prefix + s
}

func ownSet(id account.Identity) map[string]bool {
	own := map[string]bool{strings.ToLower(id.Address): true}
	for _, a := range id.Aliases {
		own[strings.ToLower(strings.TrimSpace(a))] = true
	}
	return own
}

func isOwn(own map[string]bool, addr string) bool { return own[strings.ToLower(addr)] }

// mergeAddrs concatenates lists, dropping addresses in seen (which it
// updates): own addresses and those already placed.
func mergeAddrs(seen map[string]bool, lists ...[]message.Address) []message.Address {
	var out []message.Address
	for _, l := range lists {
		for _, a := range l {
			k := strings.ToLower(a.Addr)
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

// joinAddrs writes addresses back as the composer shows them.
func joinAddrs(list []message.Address) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		parts = append(parts, formatAddr(a))
	}
	return strings.Join(parts, ", ")
}

func formatAddr(a message.Address) string {
	if a.Name == "" {
		return a.Addr
	}
	if strings.ContainsAny(a.Name, `()<>[]:;@\,."`) {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a.Name) + `" <` + a.Addr + ">"
	}
	return a.Name + " <" + a.Addr + ">"
}

// Forward forwards inline: the original header block and text under a
// separator, and the original attachments joined again.
func Forward(o Original, from account.Identity) (Draft, error) {
	m := o.Msg
	d := Draft{From: from, Subject: prefixSubject("Fwd: ", m.Subject)}
	var b strings.Builder
	b.WriteString("\n\n" + o.Texts.forwarded() + "\n")
	writeField(&b, "From", joinAddrs(m.From))
	if !m.Date.IsZero() {
		writeField(&b, "Date", m.Date.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	}
	writeField(&b, "Subject", m.Subject)
	writeField(&b, "To", joinAddrs(m.To))
	writeField(&b, "Cc", joinAddrs(m.Cc))
	b.WriteString("\n" + strings.TrimRight(m.Text, "\n") + "\n")
	d.Body = withSignature(b.String(), from.Signature)
	atts, err := originalAttachments(o)
	d.Attachments = atts
	return d, err
}

func writeField(b *strings.Builder, name, value string) {
	if value != "" {
		b.WriteString(name + ": " + value + "\n")
	}
}

// ForwardAttached forwards the whole original as a message/rfc822
// attachment (RFC 2046 §5.2.1).
func ForwardAttached(o Original, from account.Identity) Draft {
	d := New(from)
	d.Subject = prefixSubject("Fwd: ", o.Msg.Subject)
	name := strings.TrimSpace(o.Msg.Subject)
	if name == "" {
		name = "message"
	}
	d.Attachments = []Attachment{{Name: sanitizeName(name) + ".eml", ContentType: "message/rfc822", Data: o.Raw, Size: int64(len(o.Raw))}}
	return d
}

// EditAsNew starts a new draft from a message (a sent one, or a draft):
// the same recipients, subject, text and attachments, a new Message-ID.
func EditAsNew(o Original, from account.Identity) (Draft, error) {
	m := o.Msg
	d := Draft{From: from, To: joinAddrs(m.To), Cc: joinAddrs(m.Cc), Bcc: joinAddrs(m.Bcc), Subject: m.Subject, Body: m.Text}
	d.InReplyTo = strings.Join(m.InReplyTo, " ")
	d.References = m.References
	atts, err := originalAttachments(o)
	d.Attachments = atts
	return d, err
}

// originalAttachments copies the attachments of the original.
func originalAttachments(o Original) ([]Attachment, error) {
	var out []Attachment
	for _, p := range o.Msg.Attachments {
		_, r, err := message.OpenPart(bytes.NewReader(o.Raw), p.Path)
		if err != nil {
			return out, err
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return out, err
		}
		name := p.Filename
		if name == "" {
			name = "attachment-" + p.Path
		}
		out = append(out, Attachment{Name: sanitizeName(name), ContentType: p.ContentType, Data: data, Size: int64(len(data))})
	}
	return out, nil
}

// sanitizeName makes a subject or received file name safe as a file name
// and a header parameter.
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
}

// deliveryFields are the fields where delivery agents record the
// envelope recipient (RFC 5321's RCPT TO): Postfix's, Exim's and qmail's
// Delivered-To and X-Original-To, Exim's Envelope-To. They name the
// identity a message came to when the header does not (a Bcc, a mailing
// list, an alias that forwards).
var deliveryFields = []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Delivered-To"}

// ReplyIdentity is the identity of account a that answers m: the one the
// original was addressed to (To, then Cc, then the envelope recipient its
// delivery recorded: deliveryFields, the last hop's first), else the
// account's main one. The other addresses of the account join its
// Aliases, so that Reply all leaves every one of them out.
func ReplyIdentity(a account.Account, m *message.Message) account.Identity {
	var rcpts []string
	for _, l := range [][]message.Address{m.To, m.Cc} {
		for _, r := range l {
			rcpts = append(rcpts, r.Addr)
		}
	}
	for _, f := range deliveryFields {
		for _, v := range m.Header.Values(f) {
			for _, r := range strings.Split(v, ",") {
				rcpts = append(rcpts, strings.Trim(strings.TrimSpace(r), "<>"))
			}
		}
	}
	id := a.AddressedIdentity(rcpts)
	id.Aliases = slices.Clone(id.Aliases)
	for _, other := range a.AllIdentities() {
		if !strings.EqualFold(other.Address, id.Address) {
			id.Aliases = append(id.Aliases, other.Address)
		}
	}
	return id
}
