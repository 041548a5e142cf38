package compose

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"facteur/internal/ascii"
	"facteur/internal/mailaddr"

	"github.com/emersion/go-message/mail"
)

// Message is a built message: the bytes to submit and their SMTP envelope.
type Message struct {
	Raw       []byte   // CRLF lines, no Bcc field
	From      string   // envelope reverse-path (the identity's address)
	Rcpts     []string // To, Cc and Bcc addresses, duplicates merged
	MessageID string   // without <>
	// SMTPUTF8 is set when an address is not ASCII (RFC 6531); EightBit
	// when the bytes are not 7-bit (8BITMIME, RFC 6152).
	SMTPUTF8 bool
	EightBit bool
}

// Size is the message size in bytes, as SIZE counts it (RFC 1870).
func (m *Message) Size() int64 { return int64(len(m.Raw)) }

// Build checks a draft and writes its message. now is the Date when
// d.Date is zero.
func Build(d Draft, now time.Time) (*Message, error) {
	if err := d.checkInjection(); err != nil {
		return nil, err
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	h, env, err := d.header(now, false)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := d.writeBody(&buf, h); err != nil {
		return nil, err
	}
	env.Raw = buf.Bytes()
	env.EightBit = !ascii.Is(env.Raw)
	return env, nil
}

// BuildDraft writes a draft as it stands, for the Drafts folder: it needs
// no recipient, keeps Bcc in a header field (a draft is never sent as it
// is), and keeps an address field that does not parse yet as typed. CR and
// LF are refused as in Build.
func BuildDraft(d Draft, now time.Time) ([]byte, error) {
	if err := d.checkInjection(); err != nil {
		return nil, err
	}
	h, _, err := d.header(now, true)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := d.writeBody(&buf, h); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkInjection refuses CR and LF in every value that becomes a header
// field or a parameter.
func (d Draft) checkInjection() error {
	fields := []struct{ name, v string }{
		{"From name", d.From.Name}, {"From", d.From.Address}, {"To", d.To}, {"Cc", d.Cc}, {"Bcc", d.Bcc},
		{"Subject", d.Subject}, {"In-Reply-To", d.InReplyTo}, {"References", strings.Join(d.References, " ")},
	}
	for _, a := range d.Attachments {
		fields = append(fields, struct{ name, v string }{"Attachment name", a.Name}, struct{ name, v string }{"Attachment type", a.ContentType})
	}
	if alt := d.Alternative; alt != nil {
		fields = append(fields, struct{ name, v string }{"Alternative type", alt.ContentType})
		for k, v := range alt.Params {
			fields = append(fields, struct{ name, v string }{"Alternative parameter", k + "=" + v})
		}
	}
	for _, f := range fields {
		if strings.ContainsAny(f.v, "\r\n") {
			return &InjectionError{Field: f.name}
		}
	}
	return nil
}

// header writes the message header and works out the envelope.
func (d Draft) header(now time.Time, draft bool) (mail.Header, *Message, error) {
	var h mail.Header
	from, err := mailaddr.Parse(d.From.Address)
	if err != nil {
		return h, nil, &AddressError{Field: "From", Text: d.From.Address, Err: err}
	}
	env := &Message{From: from.Addr(), SMTPUTF8: from.NeedsSMTPUTF8()}
	h.SetAddressList("From", []*mail.Address{{Name: d.From.Name, Address: from.Addr()}})
	for _, f := range []struct{ name, text string }{{"To", d.To}, {"Cc", d.Cc}, {"Bcc", d.Bcc}} {
		list, utf8, err := addresses(f.text)
		if draft && (err != nil || len(CheckField(f.name, f.text)) > 0) {
			h.SetText(f.name, f.text) // kept as typed, to fix later
			continue
		}
		if err != nil {
			return h, nil, &AddressError{Field: f.name, Text: f.text, Err: err}
		}
		env.SMTPUTF8 = env.SMTPUTF8 || utf8
		for _, a := range list {
			env.Rcpts = appendFold(env.Rcpts, a.Address)
		}
		if (f.name != "Bcc" || draft) && len(list) > 0 {
			h.SetAddressList(f.name, list)
		}
	}
	if len(env.Rcpts) == 0 && !draft {
		return h, nil, ErrNoRecipient
	}
	date := d.Date
	if date.IsZero() {
		date = now
	}
	h.SetDate(date)
	h.SetSubject(d.Subject)
	if err := h.GenerateMessageIDWithHostname(domainOf(from)); err != nil {
		return h, nil, err
	}
	env.MessageID, _ = h.MessageID()
	h.Del("Message-Id")
	h.AddRaw([]byte("Message-ID: <" + env.MessageID + ">\r\n"))
	if d.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{trimID(d.InReplyTo)})
	}
	if refs := trimIDs(d.References); len(refs) > 0 {
		h.SetMsgIDList("References", refs)
	}
	h.AddRaw([]byte("MIME-Version: 1.0\r\n"))
	return h, env, nil
}

// domainOf is the right side of Message-ID: the sender's domain, in ASCII.
func domainOf(a mailaddr.Address) string {
	d, err := a.ASCIIDomain()
	if err != nil || d == "" || strings.HasPrefix(d, "[") {
		return "localhost"
	}
	return d
}

// addresses parses an address list into go-message's form.
func addresses(text string) ([]*mail.Address, bool, error) {
	if strings.TrimSpace(text) == "" {
		return nil, false, nil
	}
	list, err := mailaddr.ParseList(text)
	if err != nil {
		return nil, false, err
	}
	var out []*mail.Address
	needUTF8 := false
	for _, a := range list {
		if a.IsEmptyGroup() {
			continue
		}
		needUTF8 = needUTF8 || a.NeedsSMTPUTF8()
		out = append(out, &mail.Address{Name: a.Name, Address: a.Addr()})
	}
	return out, needUTF8, nil
}

func appendFold(list []string, s string) []string {
	for _, o := range list {
		if strings.EqualFold(o, s) {
			return list
		}
	}
	return append(list, s)
}

func trimID(id string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
}

func trimIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = trimID(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// writeBody writes the single text part, or multipart/mixed with the
// attachments.
func (d Draft) writeBody(buf *bytes.Buffer, h mail.Header) error {
	text := d.bodyText()
	switch {
	case len(d.Attachments) == 0 && d.Alternative == nil:
		setTextHeader(&h.Header, text, d.Flowed)
		w, err := mail.CreateSingleInlineWriter(buf, h)
		if err != nil {
			return err
		}
		return writeClose(w, strings.NewReader(text))
	case len(d.Attachments) == 0:
		iw, err := mail.CreateInlineWriter(buf, h)
		if err != nil {
			return err
		}
		return d.writeAlternatives(iw, text)
	}
	mw, err := mail.CreateWriter(buf, h)
	if err != nil {
		return err
	}
	if err := d.writeInline(mw, text); err != nil {
		return err
	}
	for _, a := range d.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeInline writes the text part of a multipart/mixed message, or its
// multipart/alternative with the Alternative.
func (d Draft) writeInline(mw *mail.Writer, text string) error {
	if d.Alternative != nil {
		iw, err := mw.CreateInline()
		if err != nil {
			return err
		}
		return d.writeAlternatives(iw, text)
	}
	var th mail.InlineHeader
	setTextHeader(&th.Header, text, d.Flowed)
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return err
	}
	return writeClose(tw, strings.NewReader(text))
}

// writeAlternatives writes the text, then the Alternative, the richer
// form last (RFC 2046 §5.1.4), and closes the multipart.
func (d Draft) writeAlternatives(iw *mail.InlineWriter, text string) error {
	var th mail.InlineHeader
	setTextHeader(&th.Header, text, d.Flowed)
	tw, err := iw.CreatePart(th)
	if err != nil {
		return err
	}
	if err := writeClose(tw, strings.NewReader(text)); err != nil {
		return err
	}
	alt := d.Alternative
	params := map[string]string{}
	for k, v := range alt.Params {
		params[k] = v
	}
	if strings.HasPrefix(strings.ToLower(alt.ContentType), "text/") {
		params["charset"] = "utf-8"
	}
	var ah mail.InlineHeader
	ah.SetContentType(alt.ContentType, params)
	ah.Set("Content-Transfer-Encoding", transferEncoding(string(alt.Data)))
	aw, err := iw.CreatePart(ah)
	if err != nil {
		return err
	}
	if err := writeClose(aw, bytes.NewReader(alt.Data)); err != nil {
		return err
	}
	return iw.Close()
}

// bodyText is the body in CRLF lines, flowed when asked.
func (d Draft) bodyText() string {
	text := strings.ReplaceAll(d.Body, "\r\n", "\n")
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if d.Flowed {
		text = flow(text)
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return strings.ReplaceAll(text, "\n", "\r\n")
}

// setTextHeader sets the text part's type and its transfer encoding:
// 7bit for short ASCII lines, else quoted-printable, or base64 when most
// of the text is not ASCII (RFC 2045 §6).
func setTextHeader(h interface {
	SetContentType(string, map[string]string)
	Set(string, string)
}, text string, flowed bool) {
	params := map[string]string{"charset": "utf-8"}
	if flowed {
		params["format"] = "flowed"
	}
	h.SetContentType("text/plain", params)
	h.Set("Content-Transfer-Encoding", transferEncoding(text))
}

func transferEncoding(text string) string {
	high, long := 0, false
	for line := range strings.SplitSeq(text, "\r\n") {
		long = long || len(line) > 76 || strings.HasSuffix(line, " ") && !strings.HasPrefix(line, "-- ")
	}
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 || text[i] < 0x20 && text[i] != '\r' && text[i] != '\n' && text[i] != '\t' {
			high++
		}
	}
	switch {
	case high > len(text)/3:
		return "base64"
	case high > 0 || long || strings.Contains(text, "\r\nFrom "):
		return "quoted-printable"
	}
	return "7bit"
}

// writeAttachment writes one attachment part: base64, or 7bit/8bit for an
// attached message (RFC 2046 §5.2.1 forbids encoding message/rfc822).
func writeAttachment(mw *mail.Writer, a Attachment) error {
	ctype := a.ContentType
	if ctype == "" {
		ctype = typeByName(a.Name)
	}
	r, err := a.open()
	if err != nil {
		return fmt.Errorf("compose: attachment %s: %w", a.Name, err)
	}
	defer r.Close()
	var ah mail.AttachmentHeader
	// RFC 2231 parameters (filename*=utf-8''...), as mime.FormatMediaType
	// writes them for non-ASCII names.
	ah.Set("Content-Type", mime.FormatMediaType(ctype, map[string]string{"name": a.Name}))
	ah.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	if strings.EqualFold(ctype, "message/rfc822") {
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		ah.Set("Content-Transfer-Encoding", map[bool]string{true: "7bit", false: "8bit"}[ascii.Is(data)])
		r = io.NopCloser(bytes.NewReader(data))
	} else {
		ah.Set("Content-Transfer-Encoding", "base64")
	}
	w, err := mw.CreateAttachment(ah)
	if err != nil {
		return err
	}
	return writeClose(w, r)
}

func writeClose(w io.WriteCloser, r io.Reader) error {
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
