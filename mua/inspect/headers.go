package inspect

import (
	"io"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message/charset"
)

// Headers is what the header says besides the route and the envelope.
type Headers struct {
	// Fields is every header field in order, each with its family
	// (Groups sorts them as the course does).
	Fields []Field `json:"fields"`

	MessageID  string   `json:"message_id,omitempty"` // without <>
	InReplyTo  []string `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	Subject    string   `json:"subject,omitempty"` // RFC 2047 decoded

	// Date is the Date field: when the sender's MUA wrote the message
	// (zero when missing or unreadable; DateRaw keeps the text).
	Date    time.Time `json:"date,omitzero"`
	DateRaw string    `json:"date_raw,omitempty"`

	MIMEVersion string `json:"mime_version,omitempty"`
	ContentType string `json:"content_type,omitempty"` // media type, lower case: "text/plain"
	Charset     string `json:"charset,omitempty"`      // the charset parameter, as written
	// Bad holds the header lines that are neither a field nor a
	// continuation line.
	Bad []string `json:"bad,omitempty"`
}

// buildHeaders reads the identification, date and MIME fields.
func buildHeaders(h *header) Headers {
	hd := Headers{
		Fields:      h.fields,
		MessageID:   firstID(h.get("Message-ID")),
		InReplyTo:   msgIDs(h.get("In-Reply-To")),
		References:  msgIDs(strings.Join(h.all("References"), " ")),
		Subject:     decodeWords(unfold(h.get("Subject"))),
		DateRaw:     strings.TrimSpace(unfold(h.get("Date"))),
		MIMEVersion: strings.TrimSpace(stripComments(h.get("MIME-Version"))),
		Bad:         h.bad,
	}
	hd.Date, _ = parseDate(hd.DateRaw)
	hd.ContentType, hd.Charset = contentType(h.get("Content-Type"))
	return hd
}

// msgIDs returns the message identifiers of a field, without <>: "<a@b>
// <c@d>" gives a@b, c@d (RFC 5322 §3.6.4). A value without angle brackets
// is taken as one identifier.
func msgIDs(v string) []string {
	var out []string
	rest := stripComments(v)
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(rest[i+1 : i+j]); id != "" {
			out = append(out, id)
		}
		rest = rest[i+j+1:]
	}
	if out == nil {
		if id := strings.TrimSpace(rest); id != "" && !strings.ContainsAny(id, " \t<>") {
			out = append(out, id)
		}
	}
	return out
}

func firstID(v string) string {
	if ids := msgIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// contentType returns the media type and the charset parameter of a
// Content-Type field; a broken field gives what can be read of it.
func contentType(v string) (mediaType, cs string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", ""
	}
	mt, params, err := mime.ParseMediaType(v)
	if err == nil || mt != "" {
		return mt, params["charset"]
	}
	mt, _, _ = strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(mt)), ""
}

// wordDecoder decodes RFC 2047 encoded words in any charset go-message knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	return charset.Reader(cs, r)
}}

// decodeWords decodes the RFC 2047 encoded words of a header value; on
// error the value is returned as written.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}
