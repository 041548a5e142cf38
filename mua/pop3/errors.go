package pop3

import (
	"errors"
	"strings"
)

// Errors for errors.Is.
var (
	// ErrAuth: the login was refused (RFC 3206 [AUTH], or a -ERR to
	// PASS or AUTH without a response code).
	ErrAuth = errors.New("pop3: authentication failed")
	// ErrInUse: the maildrop is locked by another session (RFC 2449 [IN-USE]).
	ErrInUse = errors.New("pop3: maildrop in use")
	// ErrLoginDelay: logged in too recently (RFC 2449 [LOGIN-DELAY]).
	ErrLoginDelay = errors.New("pop3: login delay")
	// ErrTemporary: a temporary server failure (RFC 3206 [SYS/TEMP]).
	ErrTemporary = errors.New("pop3: temporary server failure")
	// ErrPermanent: a permanent server failure (RFC 3206 [SYS/PERM]).
	ErrPermanent = errors.New("pop3: permanent server failure")
	// ErrNoUIDL: the server has no UIDL, so messages cannot be collected
	// once each while they are left on the server.
	ErrNoUIDL = errors.New("pop3: server does not support UIDL")
	// ErrClosed: the connection was closed or lost.
	ErrClosed = errors.New("pop3: connection closed")
)

// Error is a negative reply of the server: "-ERR [Code] Text".
type Error struct {
	Command string // the command it answered ("PASS", "RETR"...)
	Code    string // the RFC 2449 response code, "" when none ("SYS/TEMP")
	Text    string
}

func (e *Error) Error() string {
	s := "pop3: " + e.Command + ": -ERR "
	if e.Code != "" {
		s += "[" + e.Code + "] "
	}
	return s + e.Text
}

// Is maps response codes to the sentinel errors.
func (e *Error) Is(target error) bool {
	code := strings.ToUpper(e.Code)
	switch target {
	case ErrAuth:
		return code == "AUTH" || code == "" && (e.Command == "PASS" || e.Command == "AUTH" || e.Command == "USER")
	case ErrInUse:
		return code == "IN-USE"
	case ErrLoginDelay:
		return code == "LOGIN-DELAY"
	case ErrTemporary:
		return code == "SYS/TEMP" || code == "IN-USE" || code == "LOGIN-DELAY"
	case ErrPermanent:
		return code == "SYS/PERM"
	}
	return false
}

// ProtocolError is a reply that is not POP3.
type ProtocolError struct {
	Command string
	Line    string
}

func (e *ProtocolError) Error() string {
	return "pop3: " + e.Command + ": malformed reply " + quoteShort(e.Line)
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return "\"" + s + "\""
}

// parseReply reads a status line: "+OK text" or "-ERR [CODE] text"
// (RFC 1939 §3, RFC 2449 §8).
func parseReply(cmd, line string) (string, error) {
	switch {
	case line == "+OK" || strings.HasPrefix(line, "+OK "):
		return strings.TrimPrefix(strings.TrimPrefix(line, "+OK"), " "), nil
	case line == "-ERR" || strings.HasPrefix(line, "-ERR "):
		return "", parseErr(cmd, strings.TrimPrefix(strings.TrimPrefix(line, "-ERR"), " "))
	}
	return "", &ProtocolError{Command: cmd, Line: line}
}

func parseErr(cmd, text string) *Error {
	e := &Error{Command: cmd, Text: text}
	if !strings.HasPrefix(text, "[") {
		return e
	}
	end := strings.IndexByte(text, ']')
	if end < 0 {
		return e
	}
	e.Code = text[1:end]
	e.Text = strings.TrimSpace(text[end+1:])
	return e
}
