package mailaddr

import (
	"errors"
	"fmt"
)

// Reasons of a *ParseError, for errors.Is.
var (
	// ErrEmpty: no address at all (empty input, "<>" in a header, an empty group where one mailbox is wanted).
	ErrEmpty = errors.New("empty address")
	// ErrNoAt: a word or phrase with neither "@domain" nor "<...>".
	ErrNoAt = errors.New("missing @domain")
	// ErrBadLocal: the local part (before the @) is empty or malformed.
	ErrBadLocal = errors.New("bad local part")
	// ErrBadDomain: the domain is missing, malformed, not a host name, or an address literal that is not an IP address.
	ErrBadDomain = errors.New("bad domain")
	// ErrUnterminated: a quoted string, comment, domain literal or angle address is not closed.
	ErrUnterminated = errors.New("unterminated quoted string, comment, literal or angle address")
	// ErrSourceRoute: a source route, refused by Validate (RFC 1123 §5.2.19, RFC 5321 §3.6.1).
	ErrSourceRoute = errors.New("source route (deprecated by RFC 1123 §5.2.19 and RFC 5321 §3.6.1)")
	// ErrSyntax: any other character or token out of place.
	ErrSyntax = errors.New("syntax error")
	// ErrTooLong: a part longer than RFC 5321 §4.5.3.1 allows (refused by Validate).
	ErrTooLong = errors.New("address too long")
	// ErrBadParam: a malformed or repeated ESMTP parameter after an SMTP path.
	ErrBadParam = errors.New("bad ESMTP parameter")
)

// ParseError reports where and why an address could not be read.
type ParseError struct {
	Input  string // the text given to the parser
	Pos    int    // byte offset in Input where the problem was found
	Reason error  // wraps one of the Err* values
}

// Error returns "mailaddr: REASON at offset N in "INPUT"".
func (e *ParseError) Error() string {
	in := e.Input
	if len(in) > 80 {
		in = in[:77] + "..."
	}
	return fmt.Sprintf("mailaddr: %v at offset %d in %q", e.Reason, e.Pos, in)
}

// Unwrap returns the reason, so that errors.Is(err, ErrSourceRoute) works.
func (e *ParseError) Unwrap() error { return e.Reason }

// errorf wraps a sentinel with a detail.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}
