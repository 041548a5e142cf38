package message

import "errors"

// Errors of Parse, OpenPart and ParseDate, wrapped in *Error in
// Message.Problems: test them with errors.Is.
var (
	ErrEmpty           = errors.New("message: empty input")
	ErrMalformedHeader = errors.New("malformed header")
	ErrHeaderTooLarge  = errors.New("header too large")
	ErrUnknownCharset  = errors.New("unknown charset")
	ErrUnknownEncoding = errors.New("unknown transfer encoding")
	ErrBadEncoding     = errors.New("bad transfer encoding")
	ErrTruncated       = errors.New("truncated multipart")
	ErrNoBoundary      = errors.New("multipart without boundary")
	ErrTooComplex      = errors.New("too many parts or too deep nesting")
	ErrBadAddress      = errors.New("unreadable address")
	ErrBadDate         = errors.New("unreadable date")
	ErrBadMediaType    = errors.New("malformed media type")
	ErrPartNotFound    = errors.New("message: no such part")
	ErrRead            = errors.New("read error")
)

// Error is one problem met while parsing a message.
type Error struct {
	Part  string // MIME part path, "" for the message itself
	Field string // header field concerned, if any ("Date", "Content-Type")
	Err   error  // one of the Err values, possibly wrapping a cause
}

func (e *Error) Error() string {
	s := "message"
	if e.Part != "" {
		s += ": part " + e.Part
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// causeError adds a cause (an underlying error, or a detail) to a sentinel.
type causeError struct {
	kind   error
	detail string
	cause  error
}

func (e *causeError) Error() string {
	s := e.kind.Error()
	if e.detail != "" {
		s += " " + e.detail
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *causeError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// withDetail returns kind with a detail such as the charset name.
func withDetail(kind error, detail string) error {
	return &causeError{kind: kind, detail: detail}
}

// withCause returns kind wrapping cause.
func withCause(kind, cause error) error {
	return &causeError{kind: kind, cause: cause}
}
