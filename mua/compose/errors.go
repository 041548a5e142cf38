package compose

import (
	"errors"
	"fmt"
)

// Errors for errors.Is.
var (
	// ErrHeaderInjection matches every *InjectionError.
	ErrHeaderInjection = errors.New("compose: line break in a header field")
	// ErrNoRecipient: the draft has no To, Cc nor Bcc address.
	ErrNoRecipient = errors.New("compose: no recipient")
	// ErrNoSender: the draft has no From address.
	ErrNoSender = errors.New("compose: no sender address")
	// ErrBadMailto wraps the errors of ParseMailto.
	ErrBadMailto = errors.New("compose: bad mailto URI")
)

// InjectionError is a header value that holds a CR or LF: written as is,
// it would add header fields of the writer's choosing.
type InjectionError struct {
	Field string // "Subject", "To", "Attachment name"...
}

func (e *InjectionError) Error() string {
	return fmt.Sprintf("compose: %s contains a line break", e.Field)
}

// Is makes errors.Is(err, ErrHeaderInjection) true.
func (e *InjectionError) Is(target error) bool { return target == ErrHeaderInjection }

// AddressError is one address of a field that does not pass
// internal/mailaddr's checks; Err is a *mailaddr.ParseError whose Reason
// says why ("source route: deprecated by RFC 1123").
type AddressError struct {
	Field string // "From", "To", "Cc", "Bcc"
	Text  string // the address as typed
	Err   error
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("%s: %q: %v", e.Field, e.Text, e.Err)
}

func (e *AddressError) Unwrap() error { return e.Err }

// AddressErrors are all the bad addresses of a draft.
type AddressErrors []*AddressError

func (e AddressErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	return fmt.Sprintf("%s (and %d more bad addresses)", e[0].Error(), len(e)-1)
}

// Unwrap gives every error, for errors.As and errors.Is.
func (e AddressErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, a := range e {
		out[i] = a
	}
	return out
}
