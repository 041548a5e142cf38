package sieve

import (
	"bufio"
	"bytes"
	"errors"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// RedirectField marks a message that a script redirected, once per hop,
// with the address whose script did it: a message that comes back to the
// same script, or that went through MaxRedirectHops redirects, is not
// redirected again (RFC 5228 §4.2 asks implementations to guard against
// loops).
const RedirectField = "X-Facteur-Redirected-By"

// MaxRedirectHops bounds the redirects a message goes through.
const MaxRedirectHops = 5

// ErrRedirectLoop: the message was already redirected by this address, or
// too many times.
var ErrRedirectLoop = errors.New("sieve: redirect loop: the message was already redirected here, or too many times")

// PrepareRedirect returns the message as it is redirected by the script
// of address by: its RedirectField first. It fails with ErrRedirectLoop
// when redirecting it again would loop.
func PrepareRedirect(raw []byte, by string) ([]byte, error) {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil && len(raw) > 0 && h.Len() == 0 {
		h = textproto.Header{}
	}
	by = strings.ToLower(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, by))
	hops := 0
	fields := h.FieldsByKey(RedirectField)
	for fields.Next() {
		hops++
		if strings.EqualFold(strings.TrimSpace(fields.Value()), by) {
			return nil, ErrRedirectLoop
		}
	}
	if hops >= MaxRedirectHops {
		return nil, ErrRedirectLoop
	}
	out := make([]byte, 0, len(raw)+len(RedirectField)+len(by)+4)
	out = append(out, RedirectField+": "+by+"\r\n"...)
	return append(out, raw...), nil
}
