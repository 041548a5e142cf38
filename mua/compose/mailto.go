package compose

import (
	"fmt"
	"net/url"
	"strings"

	"facteur/mua/account"
)

// maxMailto bounds a mailto URI read from the command line or a link.
const maxMailto = 64 << 10

// ParseMailto reads a mailto: URI (RFC 6068): the addresses of its path
// and its to, cc, bcc, subject, body and in-reply-to header fields,
// percent-decoded ('+' is a plus, not a space: §5). Other fields are
// ignored, as §3 asks of fields that are unsafe or unknown. A line break
// in a header field becomes a space; in the body it becomes a line end.
func ParseMailto(uri string, from account.Identity) (Draft, error) {
	d := New(from)
	if len(uri) > maxMailto {
		return d, fmt.Errorf("%w: longer than %d bytes", ErrBadMailto, maxMailto)
	}
	rest, ok := cutPrefixFold(strings.TrimSpace(uri), "mailto:")
	if !ok {
		return d, fmt.Errorf("%w: no mailto: scheme", ErrBadMailto)
	}
	path, query, _ := strings.Cut(rest, "?")
	to, err := unescape(path)
	if err != nil {
		return d, err
	}
	d.To = oneLine(to)
	var body string
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		name, err1 := unescape(k)
		value, err2 := unescape(v)
		if err1 != nil || err2 != nil {
			return d, fmt.Errorf("%w: field %q", ErrBadMailto, k)
		}
		switch strings.ToLower(name) {
		case "to":
			d.To = joinList(d.To, oneLine(value))
		case "cc":
			d.Cc = joinList(d.Cc, oneLine(value))
		case "bcc":
			d.Bcc = joinList(d.Bcc, oneLine(value))
		case "subject":
			d.Subject = oneLine(value)
		case "body":
			body = strings.ReplaceAll(value, "\r\n", "\n")
		case "in-reply-to":
			d.InReplyTo = trimID(oneLine(value))
		}
	}
	d.Body = withSignature(body, from.Signature)
	return d, nil
}

func unescape(s string) (string, error) {
	v, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadMailto, err)
	}
	return strings.ToValidUTF8(v, "\uFFFD"), nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// oneLine turns the line breaks of a header value into spaces.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s))
}

func joinList(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ", " + b
}
