package autoconfig

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"facteur/internal/dnsmx"
	"facteur/mua/account"
	"facteur/mua/pop3"

	"github.com/emersion/go-smtp"
)

// Kind is a class of failure, one sentence for the user each.
type Kind int

// The kinds of failure of Discover and Check.
const (
	KindOther       Kind = iota
	KindBadAddress       // the address has no domain
	KindDNS              // the domain or the server's name does not exist
	KindUnreachable      // connection refused, no route, timeout
	KindTLS              // certificate not trusted, or the TLS handshake failed
	KindNoStartTLS       // STARTTLS required but not offered
	KindAuth             // user name or password refused
	KindNotFound         // discovery found no server
)

// Sentinels for errors.Is on an *Error, one per Kind.
var (
	ErrBadAddress  = errors.New("autoconfig: not an e-mail address")
	ErrDNS         = errors.New("autoconfig: no such domain or host")
	ErrUnreachable = errors.New("autoconfig: server unreachable")
	ErrTLS         = errors.New("autoconfig: TLS failure")
	ErrNoStartTLS  = account.ErrNoStartTLS
	ErrAuth        = errors.New("autoconfig: authentication failed")
	ErrNotFound    = errors.New("autoconfig: no server settings found")
	// ErrInsecure matches an *InsecureError.
	ErrInsecure = errors.New("autoconfig: only a plaintext server was found")
)

var kindErrs = map[Kind]error{
	KindBadAddress: ErrBadAddress, KindDNS: ErrDNS, KindUnreachable: ErrUnreachable, KindTLS: ErrTLS,
	KindNoStartTLS: ErrNoStartTLS, KindAuth: ErrAuth, KindNotFound: ErrNotFound,
}

// Error is a failure of Discover or Check. The chain keeps the cause: an
// *account.CertificateError (with the fingerprint to pin) for KindTLS when
// the certificate did not verify, a *dnsmx.Error, a *net.OpError...
type Error struct {
	Kind     Kind
	Protocol string // IMAP, POP3, SMTP; "" for discovery
	Host     string // the server, or the domain
	Port     int
	Err      error
}

func (e *Error) Error() string {
	where := e.Host
	if e.Port != 0 {
		where = net.JoinHostPort(e.Host, fmt.Sprint(e.Port))
	}
	if e.Protocol != "" {
		where = e.Protocol + " " + where
	}
	return fmt.Sprintf("autoconfig: %s: %v", where, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel of the Kind.
func (e *Error) Is(target error) bool { return target != nil && kindErrs[e.Kind] == target }

// Certificate returns the certificate error, with its fingerprint, or nil.
func (e *Error) Certificate() *account.CertificateError {
	var ce *account.CertificateError
	if errors.As(e.Err, &ce) {
		return ce
	}
	return nil
}

// Sentence explains the failure to the user, in one or two sentences.
func (e *Error) Sentence() string {
	server := e.Host
	if e.Protocol != "" {
		server = fmt.Sprintf("the %s server %s", protoName(e.Protocol), e.Host)
	}
	switch e.Kind {
	case KindBadAddress:
		return fmt.Sprintf("%q is not an e-mail address (name@domain).", e.Host)
	case KindDNS:
		return fmt.Sprintf("The name %s does not exist in the DNS: check the address or the server name.", e.Host)
	case KindUnreachable:
		return fmt.Sprintf("Cannot connect to %s on port %d: it refused the connection or cannot be reached. Check the server, the port and your network.", server, e.Port)
	case KindTLS:
		if ce := e.Certificate(); ce != nil {
			return fmt.Sprintf("The certificate of %s is not trusted (%v). If you trust this server, pin its SHA-256 fingerprint %s.", server, ce.Err, ce.Fingerprint)
		}
		return fmt.Sprintf("The secure (TLS) connection to %s failed: the port or the security setting may be wrong.", server)
	case KindNoStartTLS:
		return fmt.Sprintf("%s does not offer STARTTLS, and Facteur will not send your password in clear. Choose implicit TLS, or plaintext only on a network you trust.", capitalize(server))
	case KindAuth:
		return fmt.Sprintf("%s refused the user name or the password.", capitalize(server))
	case KindNotFound:
		return fmt.Sprintf("No mail server settings were found for %s: enter them by hand.", e.Host)
	}
	return fmt.Sprintf("The test of %s failed: %v.", server, e.Err)
}

func protoName(p string) string {
	switch p {
	case IMAP:
		return "IMAP"
	case POP3:
		return "POP3"
	}
	return "SMTP"
}

func capitalize(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// InsecureError says that the only server found is plaintext: the caller
// must ask the user before choosing it.
type InsecureError struct {
	Server Server
}

func (e *InsecureError) Error() string {
	return fmt.Sprintf("autoconfig: only a plaintext server was found (%s): passwords would travel in clear", e.Server)
}

// Is makes errors.Is(err, ErrInsecure) true.
func (e *InsecureError) Is(target error) bool { return target == ErrInsecure }

// classify gives the Kind of a connection or login error.
func classify(err error) Kind {
	var (
		ce  *account.CertificateError
		de  *dnsmx.Error
		nde *net.DNSError
		se  *smtp.SMTPError
	)
	switch {
	case errors.As(err, &ce):
		return KindTLS
	case errors.Is(err, account.ErrNoStartTLS):
		return KindNoStartTLS
	case errors.Is(err, pop3.ErrAuth), errors.Is(err, errIMAPAuth):
		return KindAuth
	case errors.As(err, &se) && (se.Code == 535 || se.Code == 534 || se.Code == 454 && se.EnhancedCode == smtp.EnhancedCode{4, 7, 0}):
		return KindAuth
	case errors.As(err, &de) && errors.Is(de, dnsmx.ErrNotFound), errors.As(err, &nde) && nde.IsNotFound:
		return KindDNS
	case isTLSError(err):
		return KindTLS
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.As(err, &de) {
		return KindUnreachable
	}
	return KindOther
}

func isTLSError(err error) bool {
	var (
		rh tls.RecordHeaderError
		ae tls.AlertError
		ve *tls.CertificateVerificationError
		ue x509.UnknownAuthorityError
		he x509.HostnameError
	)
	return errors.As(err, &rh) || errors.As(err, &ae) || errors.As(err, &ve) || errors.As(err, &ue) || errors.As(err, &he)
}
