package account

import (
	"errors"
	"fmt"
)

// Errors for errors.Is.
var (
	// ErrNotFound: no account, or no password, by that name.
	ErrNotFound = errors.New("account: not found")
	// ErrExists: an account by that name exists already.
	ErrExists = errors.New("account: already exists")
	// ErrUntrusted matches every *CertificateError.
	ErrUntrusted = errors.New("account: server certificate not trusted")
	// ErrNoStartTLS: the server does not offer STARTTLS/STLS and the
	// account requires it; Facteur never falls back to plaintext.
	ErrNoStartTLS = errors.New("account: server does not offer STARTTLS; refusing plaintext")
	// ErrBadSecretParts: a secret kept in parts in the keyring has a part
	// missing, or its entry names no valid number of parts.
	ErrBadSecretParts = errors.New("account: secret parts in the keyring are damaged")
)

// FieldError tells which setting of an account is invalid.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return "account: " + e.Field + ": " + e.Reason }

// CertificateError is a server certificate that does not verify and is not
// pinned. Fingerprint (SHA-256 of the leaf DER, lower-case hex with colons)
// is what the user may pin into Server.Fingerprint after checking it.
type CertificateError struct {
	Host        string
	Fingerprint string
	Subject     string
	Issuer      string
	SelfSigned  bool
	Err         error // the verification error (x509.UnknownAuthorityError...)
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("account: certificate of %s not trusted (SHA-256 %s): %v", e.Host, e.Fingerprint, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUntrusted) true.
func (e *CertificateError) Is(target error) bool { return target == ErrUntrusted }
