package mailstore

import (
	"bytes"
	"net/mail"
	"strings"
	"time"

	"facteur/internal/eol"
	"facteur/internal/message"
	"facteur/mailstore/thread"
)

// maxText caps the body text indexed per message.
const maxText = 64 << 10

// row is one message ready for the index.
type row struct {
	folder     *folderInfo
	sub        string
	name       fileName
	messageID  string
	subject    string
	from       []message.Address
	to, cc     []message.Address
	date       int64
	arrived    int64
	size       int64 // RFC 822 size: the CRLF form's (RFC822.SIZE, POP3 LIST)
	disk       int64 // of the file (S= of its Maildir name)
	mtime      int64
	attachment bool
	refs       []string
	envelope   *Envelope
	problem    string
	body       string
	partial    int64  // >0: a partial message (PartialField) of that size on the server
	hash       []byte // contentHash of the file
	written    bool   // its file was written by this import or AddBatch: removed if not indexed
	id         int64  // set by the writer
	offset     int64  // import: source bytes consumed, for progress
}

// parseRow parses the bytes of a message into a row. A message that does not
// parse still gives a row, with what could be read and the problem. The
// envelope is env when given, else the one the headers record, else one with
// mailFrom (the sender of an mbox From_ line) when that is not empty.
func parseRow(data []byte, arrived time.Time, env *Envelope, mailFrom string) *row {
	r := parseMessage(data, arrived, env)
	if r.envelope == nil && mailFrom != "" {
		r.envelope = &Envelope{MailFrom: mailFrom}
	}
	return r
}

func parseMessage(data []byte, arrived time.Time, env *Envelope) *row {
	r := &row{size: eol.CRLFSize(data), disk: int64(len(data)), arrived: arrived.Unix(), date: arrived.Unix(), envelope: env}
	m, err := message.Parse(bytes.NewReader(data), message.Options{MaxText: maxText})
	if err != nil || m == nil {
		r.problem = "unreadable message"
		if err != nil {
			r.problem = err.Error()
		}
		return r
	}
	r.messageID = m.MessageID
	r.subject = m.Subject
	r.from, r.to, r.cc = m.From, m.To, m.Cc
	if !m.Date.IsZero() {
		r.date = m.Date.Unix()
	}
	r.refs = threadRefs(m)
	r.attachment, r.body = bodyText(m)
	r.problem = problems(m.Problems)
	if r.envelope == nil {
		r.envelope = headerEnvelope(m)
	}
	if size, att, ok := parsePartial(data); ok {
		r.partial = size
		if size <= 0 {
			r.partial = r.size // unknown: at least the header
		}
		r.attachment = att
	}
	return r
}

// threadRefs returns References then In-Reply-To, without duplicates.
func threadRefs(m *message.Message) []string {
	seen := map[string]bool{m.MessageID: true}
	var out []string
	for _, list := range [][]string{m.References, m.InReplyTo} {
		for _, id := range list {
			if id != "" && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// bodyText returns whether there are attachments and the searchable body:
// the text and the names of the attached files.
func bodyText(m *message.Message) (bool, string) {
	att := false
	var names []string
	for _, p := range m.Attachments {
		if !p.Inline {
			att = true
		}
		if p.Filename != "" {
			names = append(names, p.Filename)
		}
	}
	if len(names) == 0 {
		return att, m.Text
	}
	return att, m.Text + "\n" + strings.Join(names, "\n")
}

func problems(list []error) string {
	if len(list) == 0 {
		return ""
	}
	msgs := make([]string, 0, len(list))
	for _, e := range list {
		msgs = append(msgs, e.Error())
	}
	return strings.Join(msgs, "; ")
}

// headerEnvelope rebuilds the envelope from the headers a delivery agent
// adds: Return-Path (MAIL FROM) and Delivered-To or X-Original-To (RCPT TO).
func headerEnvelope(m *message.Message) *Envelope {
	var env Envelope
	found := false
	for _, f := range m.Header {
		switch strings.ToLower(f.Key) {
		case "return-path":
			if !found || env.MailFrom == "" {
				env.MailFrom = angleAddr(f.Value)
				found = true
			}
		case "delivered-to", "x-original-to":
			if a := angleAddr(f.Value); a != "" && !contains(env.RcptTo, a) {
				env.RcptTo = append(env.RcptTo, a)
				found = true
			}
		}
	}
	if !found {
		return nil
	}
	return &env
}

func angleAddr(v string) string {
	v = strings.TrimSpace(v)
	if a, err := mail.ParseAddress(v); err == nil {
		return a.Address
	}
	return strings.Trim(v, "<> \t")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// senderSort is the key of the sender order: the name, else the address.
func senderSort(from []message.Address) string {
	if len(from) == 0 {
		return ""
	}
	if from[0].Name != "" {
		return strings.ToLower(from[0].Name)
	}
	return strings.ToLower(from[0].Addr)
}

// isReply tells whether a subject carries a reply or forward marker, list
// tags ("[golang-nuts] ") apart.
func isReply(subject string) bool {
	s := strings.TrimSpace(subject)
	for strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			break
		}
		s = strings.TrimSpace(s[end+1:])
	}
	return s != "" && strings.ToLower(thread.BaseSubject(s)) != strings.ToLower(collapse(s))
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// subjectSort is the key of the subject order: the base subject (no Re:).
func subjectSort(subject string) string {
	return strings.ToLower(thread.BaseSubject(subject))
}
