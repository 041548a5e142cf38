package account

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Protocol is how mail is read from the incoming server.
type Protocol string

// The incoming protocols.
const (
	IMAP Protocol = "imap" // RFC 9051 / RFC 3501
	POP3 Protocol = "pop3" // RFC 1939
)

// Security is how a connection is protected.
type Security string

// The connection security modes (RFC 8314).
const (
	// SecurityTLS is implicit TLS from the first byte (993, 995, 465).
	SecurityTLS Security = "tls"
	// SecurityStartTLS upgrades a plaintext connection with STARTTLS or
	// STLS (143, 110, 587); a server that does not offer it is an error.
	SecurityStartTLS Security = "starttls"
	// SecurityNone is plaintext, only when the user chose it.
	SecurityNone Security = "none"
)

// Identity is who the user is on this account.
type Identity struct {
	Name    string `json:"name,omitempty"` // display name, "Marc Machin"
	Address string `json:"address"`        // "marc@machin.com"
	// Signature is appended to new messages after "-- " (RFC 3676 §4.3).
	Signature string `json:"signature,omitempty"`
	// Aliases are other addresses of the user, removed by Reply all.
	Aliases []string `json:"aliases,omitempty"`
}

// Server is one server of an account.
type Server struct {
	Host     string   `json:"host"`
	Port     int      `json:"port,omitempty"` // 0 means the default port of the protocol and security
	Security Security `json:"security,omitempty"`
	User     string   `json:"user,omitempty"` // login; "" means the identity's address
	// Fingerprint is the SHA-256 of the DER certificate the user accepted
	// for a server whose certificate does not verify (hex, colons allowed).
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Options tune what is done with the mail of an account.
type Options struct {
	// DeleteAfterDownload removes messages from a POP3 server once stored
	// locally. The default leaves them on the server.
	DeleteAfterDownload bool `json:"deleteAfterDownload,omitempty"`
	// DeleteAfterDays removes messages from a POP3 server that many days
	// after they were first downloaded; 0 means never.
	DeleteAfterDays int `json:"deleteAfterDays,omitempty"`
	// DeleteWhenDeleted removes a message from a POP3 server at the next
	// collection once the user deleted it in Facteur (it went to the Trash
	// or was removed): Thunderbird's "until I delete them".
	DeleteWhenDeleted bool `json:"deleteWhenDeleted,omitempty"`
	// Offline downloads every IMAP message body during sync (available
	// offline); otherwise only headers, flags and structure are synced
	// and bodies are fetched when a message is opened.
	Offline bool `json:"offline,omitempty"`
	// ServerSavesSent: the SMTP server files a copy of what it sends in
	// the Sent folder itself (Gmail does), so the client does not APPEND.
	ServerSavesSent bool `json:"serverSavesSent,omitempty"`
	// SizeLimit is the SMTP server's SIZE (RFC 1870) as last seen, in
	// bytes; 0 when unknown. The composer warns above it.
	SizeLimit int64 `json:"sizeLimit,omitempty"`
}

// Account is one remote mail account. Name is its unique key and the
// account name of its folders in the mailstore.
type Account struct {
	Name     string   `json:"name"`
	Identity Identity `json:"identity"`
	// Identities are the other From addresses of the account, each with
	// its name and signature (AllIdentities lists them all).
	Identities []Identity `json:"identities,omitempty"`
	Protocol   Protocol   `json:"protocol"`
	Incoming   Server     `json:"incoming"`
	Outgoing   Server     `json:"outgoing,omitempty"`
	Options    Options    `json:"options,omitempty"`
	// Auth is how the user logs in to both servers; "" is AuthPassword.
	Auth AuthMethod `json:"auth,omitempty"`
	// OAuth2 is the authorization server of an AuthOAuth2 account.
	OAuth2 *OAuth2 `json:"oauth2,omitempty"`
}

// DefaultPort returns the standard port of a protocol ("imap", "pop3",
// "smtp") under a security mode.
func DefaultPort(proto string, sec Security) int {
	tls := sec == SecurityTLS || sec == ""
	switch strings.ToLower(proto) {
	case "imap":
		return pick(tls, 993, 143)
	case "pop3":
		return pick(tls, 995, 110)
	case "smtp":
		return pick(tls, 465, 587)
	}
	return 0
}

func pick(c bool, a, b int) int {
	if c {
		return a
	}
	return b
}

// Sec returns the security mode, SecurityTLS when unset.
func (s Server) Sec() Security {
	if s.Security == "" {
		return SecurityTLS
	}
	return s.Security
}

// PortFor returns Port, or when unset the default port of proto (imap,
// pop3, smtp) for the server's security.
func (s Server) PortFor(proto string) int {
	if s.Port == 0 {
		return DefaultPort(proto, s.Sec())
	}
	return s.Port
}

// Address returns "host:port", with the default port of proto when unset.
func (s Server) Address(proto string) string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.PortFor(proto)))
}

// Login returns the user name to log in with: User, else the address.
func (a Account) Login(s Server) string {
	if s.User != "" {
		return s.User
	}
	return a.Identity.Address
}

// Validate checks an account before it is saved.
func (a Account) Validate() error {
	switch {
	case strings.TrimSpace(a.Name) == "" || strings.ContainsAny(a.Name, "/\\\x00"):
		return &FieldError{Field: "name", Reason: "must be non-empty, without / or \\"}
	case a.Protocol != IMAP && a.Protocol != POP3:
		return &FieldError{Field: "protocol", Reason: "must be imap or pop3"}
	case a.Incoming.Host == "":
		return &FieldError{Field: "incoming.host", Reason: "missing"}
	case a.Options.DeleteAfterDays < 0:
		return &FieldError{Field: "options.deleteAfterDays", Reason: "negative"}
	}
	if err := checkServer("incoming", a.Incoming); err != nil {
		return err
	}
	if err := a.checkAuth(); err != nil {
		return err
	}
	if err := a.checkIdentities(); err != nil {
		return err
	}
	if a.Outgoing.Host != "" {
		return checkServer("outgoing", a.Outgoing)
	}
	return nil
}

func checkServer(field string, s Server) error {
	switch s.Security {
	case "", SecurityTLS, SecurityStartTLS, SecurityNone:
	default:
		return &FieldError{Field: field + ".security", Reason: fmt.Sprintf("%q is not tls, starttls or none", s.Security)}
	}
	if s.Port < 0 || s.Port > 65535 {
		return &FieldError{Field: field + ".port", Reason: "out of range"}
	}
	if s.Fingerprint != "" {
		if _, err := ParseFingerprint(s.Fingerprint); err != nil {
			return &FieldError{Field: field + ".fingerprint", Reason: err.Error()}
		}
	}
	return nil
}

// ParseSecurity reads "tls", "ssl", "starttls" or "none"/"plain".
func ParseSecurity(s string) (Security, error) {
	switch strings.ToLower(s) {
	case "tls", "ssl", "implicit":
		return SecurityTLS, nil
	case "starttls", "stls":
		return SecurityStartTLS, nil
	case "none", "plain", "plaintext":
		return SecurityNone, nil
	}
	return "", &FieldError{Field: "security", Reason: fmt.Sprintf("%q is not tls, starttls or none", s)}
}
