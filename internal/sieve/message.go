package sieve

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	stdtextproto "net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
)

// Message is what a script looks at: the whole message and its envelope.
type Message struct {
	Raw      []byte
	Envelope Envelope
}

// Envelope is the SMTP envelope (RFC 5321 §2.3.1) of the message, as the
// envelope test and the vacation action see it: the reverse path ("" for
// the null path <>), the recipient this delivery is for, and the login
// that submitted it, if any.
type Envelope struct {
	From, To, Auth string
}

// message adapts a Message to go-sieve's interp.Message and
// interp.MessageReader: header fields unfolded, RFC 2047 words decoded
// (RFC 5228 §2.7.2), read once.
type message struct {
	raw    []byte
	header textproto.Header
	cache  map[string][]string
}

func newMessage(raw []byte) *message {
	h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	return &message{raw: raw, header: h, cache: map[string][]string{}}
}

var wordDecoder = mime.WordDecoder{CharsetReader: charset.Reader}

// HeaderGet returns the decoded values of a field, in order.
func (m *message) HeaderGet(key string) ([]string, error) {
	k := stdtextproto.CanonicalMIMEHeaderKey(key)
	if v, ok := m.cache[k]; ok {
		return v, nil
	}
	var out []string
	fields := m.header.FieldsByKey(k)
	for fields.Next() {
		out = append(out, decodeValue(fields.Value()))
	}
	m.cache[k] = out
	return out, nil
}

// decodeValue unfolds a field value and decodes its encoded words.
func decodeValue(v string) string {
	v = strings.NewReplacer("\r\n", "", "\n", "").Replace(v)
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "=?") {
		return v
	}
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// MessageSize is the size of the message in octets (the size test).
func (m *message) MessageSize() int { return len(m.raw) }

// ReadMessage returns the whole message, for the body test.
func (m *message) ReadMessage() (io.Reader, error) { return bytes.NewReader(m.raw), nil }

// envelope adapts an Envelope to interp.Envelope and ext.Clock.
type envelope struct {
	Envelope
	now time.Time
}

func (e envelope) EnvelopeFrom() string { return e.From }
func (e envelope) EnvelopeTo() string   { return e.To }
func (e envelope) AuthUsername() string { return e.Auth }
func (e envelope) Now() time.Time       { return e.now }
