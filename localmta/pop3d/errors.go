package pop3d

import "errors"

// Response codes of RFC 2449 §8 and RFC 3206, sent in brackets after
// "-ERR" so that a client can tell why a command failed.
const (
	CodeInUse      = "IN-USE"      // the maildrop is locked by another session (RFC 2449 §8.1.1)
	CodeLoginDelay = "LOGIN-DELAY" // logged in too recently (RFC 2449 §8.1.2)
	CodeAuth       = "AUTH"        // bad credentials or a refused mechanism (RFC 3206 §4)
	CodeSysTemp    = "SYS/TEMP"    // a temporary failure of the server (RFC 3206 §5)
	CodeSysPerm    = "SYS/PERM"    // a permanent failure of the server (RFC 3206 §5)
)

// Error is a negative reply: "-ERR [Code] Text". Handlers return it for
// the session to send; Code may be empty.
type Error struct {
	Code string
	Text string
}

// Error returns the reply text after "-ERR ".
func (e *Error) Error() string {
	if e.Code == "" {
		return e.Text
	}
	return "[" + e.Code + "] " + e.Text
}

// The negative replies of the server, for errors.Is.
var (
	ErrSyntax          = &Error{Text: "syntax error"}
	ErrUnknownCommand  = &Error{Text: "unknown command"}
	ErrBadState        = &Error{Text: "command not valid in this state"}
	ErrLineTooLong     = &Error{Text: "line too long"}
	ErrNoSuchMessage   = &Error{Text: "no such message"}
	ErrMessageDeleted  = &Error{Text: "message already deleted"}
	ErrMessageGone     = &Error{Code: CodeSysTemp, Text: "message no longer in the maildrop"}
	ErrNoUser          = &Error{Text: "USER first"}
	ErrAuthFailed      = &Error{Code: CodeAuth, Text: "authentication failed"}
	ErrAuthCancelled   = &Error{Text: "authentication cancelled"}
	ErrTooManyFailures = &Error{Code: CodeAuth, Text: "too many authentication failures"}
	ErrPlaintext       = &Error{Code: CodeAuth, Text: "plaintext authentication disallowed on an insecure connection; use STLS"}
	ErrMechanism       = &Error{Text: "unsupported SASL mechanism"}
	ErrInUse           = &Error{Code: CodeInUse, Text: "maildrop already locked by another session"}
	ErrMaildrop        = &Error{Code: CodeSysTemp, Text: "cannot open the maildrop, try again later"}
	ErrNoTLS           = &Error{Text: "STLS not available"}
	ErrUpdate          = &Error{Code: CodeSysTemp, Text: "some deleted messages were not removed"}
)

// errNoStore is returned by New without Config.Store.
var errNoStore = errors.New("pop3d: Config.Store is nil")
