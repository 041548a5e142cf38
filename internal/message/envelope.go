package message

import (
	"strings"
)

// envelope fills the fields of m that come from its header (RFC 5322
// section 3.6). Address lists given several times are merged; other
// fields are taken from their first occurrence.
func (p *parser) envelope(m *Message) {
	var haveSubject, haveDate, haveID, haveIRT, haveRefs bool
	for i := range m.Header {
		f := &m.Header[i]
		switch key := f.Key; {
		case strings.EqualFold(key, "Subject") && !haveSubject:
			m.Subject, haveSubject = oneLine(f.Decoded), true
		case strings.EqualFold(key, "From"):
			m.From = append(m.From, p.addresses(f)...)
		case strings.EqualFold(key, "To"):
			m.To = append(m.To, p.addresses(f)...)
		case strings.EqualFold(key, "Cc"):
			m.Cc = append(m.Cc, p.addresses(f)...)
		case strings.EqualFold(key, "Bcc"):
			m.Bcc = append(m.Bcc, p.addresses(f)...)
		case strings.EqualFold(key, "Reply-To"):
			m.ReplyTo = append(m.ReplyTo, p.addresses(f)...)
		case strings.EqualFold(key, "Sender"):
			m.Sender = append(m.Sender, p.addresses(f)...)
		case strings.EqualFold(key, "Date") && !haveDate:
			haveDate = true
			d, err := ParseDate(f.Value)
			if err != nil {
				p.problem("", f.Key, err)
			}
			m.Date = d
		case strings.EqualFold(key, "Message-Id") && !haveID:
			if ids := msgIDs(f.Value, true); len(ids) > 0 {
				m.MessageID, haveID = ids[0], true
			}
		case strings.EqualFold(key, "In-Reply-To") && !haveIRT:
			m.InReplyTo, haveIRT = msgIDs(f.Value, false), true
		case strings.EqualFold(key, "References") && !haveRefs:
			m.References, haveRefs = msgIDs(f.Value, false), true
		}
	}
}

// maxIDs bounds the ids kept from one field; References keeps its first
// one and the last ones, which is what threading uses.
const maxIDs = 200

// msgIDs extracts message ids (RFC 5322 section 3.6.4) without their
// angle brackets: every "<...>" of the value, blanks inside removed
// (folded ids). Without any bracket, single is true for Message-ID: the
// whole value is the id if it has no blank; for other fields, the words
// with an '@' are taken.
func msgIDs(v string, single bool) []string {
	var ids []string
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		if id := squeeze(rest[i+1 : i+j]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[i+j+1:]
	}
	if len(ids) == 0 {
		if single {
			if id := strings.TrimSpace(v); id != "" && !strings.ContainsAny(id, " \t") {
				ids = append(ids, strings.ToValidUTF8(id, "\uFFFD"))
			}
			return ids
		}
		for _, w := range strings.Fields(v) {
			if strings.Contains(w, "@") {
				ids = append(ids, strings.ToValidUTF8(strings.Trim(w, "<>,;\"()"), "\uFFFD"))
			}
		}
	}
	if len(ids) > maxIDs {
		ids = append(ids[:1], ids[len(ids)-maxIDs+1:]...)
	}
	return ids
}

// squeeze removes blanks from an id and makes it valid UTF-8.
func squeeze(s string) string {
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Join(strings.Fields(s), "")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
