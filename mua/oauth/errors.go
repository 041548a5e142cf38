package oauth

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
)

// Errors for errors.Is.
var (
	// ErrState: the browser came back with a state other than the one
	// sent (RFC 6749 §10.12): not the answer to this flow's request.
	ErrState = errors.New("oauth: the redirect's state does not match the request")
	// ErrNotAuthorized: the account has no stored token; the flow must run.
	ErrNotAuthorized = errors.New("oauth: the account has not been authorized yet")
	// ErrReauthorize matches a *TokenError whose refresh token the
	// provider no longer accepts (invalid_grant, RFC 6749 §5.2: revoked,
	// expired, password changed): the flow must run again.
	ErrReauthorize = errors.New("oauth: the authorization was revoked or has expired")
	// ErrRejected matches every *RejectedError.
	ErrRejected = errors.New("oauth: the server refused the access token")
	// ErrNoMechanism matches every *MechanismError.
	ErrNoMechanism = errors.New("oauth: the server offers neither OAUTHBEARER nor XOAUTH2")
	// ErrUnknownProvider: no preset for that name or domain.
	ErrUnknownProvider = errors.New("oauth: unknown OAuth2 provider")
)

// AuthorizationError is an error that the authorization server sent to
// the redirect URI (RFC 6749 §4.1.2.1): "access_denied" when the user
// declined, "invalid_scope", "unauthorized_client"...
type AuthorizationError struct {
	Code        string
	Description string
	URI         string
}

func (e *AuthorizationError) Error() string {
	s := "oauth: authorization refused: " + e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// TokenError is a failure at the token endpoint, while exchanging the
// code (Op "exchange") or refreshing (Op "refresh").
type TokenError struct {
	Op  string
	Err error // *oauth2.RetrieveError when the endpoint answered
}

func (e *TokenError) Error() string { return "oauth: token " + e.Op + ": " + e.Err.Error() }

func (e *TokenError) Unwrap() error { return e.Err }

// Code is the RFC 6749 §5.2 error code of the endpoint's answer, "" when
// it did not answer with one.
func (e *TokenError) Code() string {
	var re *oauth2.RetrieveError
	if errors.As(e.Err, &re) {
		return re.ErrorCode
	}
	return ""
}

// Is makes a refused refresh token match ErrReauthorize.
func (e *TokenError) Is(target error) bool {
	return target == ErrReauthorize && e.Op == "refresh" && e.Code() == "invalid_grant"
}

// RejectedError is a mail server's refusal of an access token. Status and
// Scope come from the server's error challenge (RFC 7628 §3.2.2; XOAUTH2
// sends the same JSON) when it sent one.
type RejectedError struct {
	Mechanism string // "OAUTHBEARER" or "XOAUTH2"
	Status    string // "invalid_token", "401"...
	Scope     string // the scope the server wants
	Err       error  // the protocol's refusal (*imap.Error, *smtp.SMTPError, *pop3.Error)
}

func (e *RejectedError) Error() string {
	s := "oauth: " + e.Mechanism + ": the server refused the access token"
	if e.Status != "" {
		s += " (status " + e.Status + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *RejectedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrRejected) true.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }

// MechanismError is a server that announces no OAuth2 SASL mechanism.
type MechanismError struct {
	Offered []string // the mechanisms it announced
}

func (e *MechanismError) Error() string {
	return fmt.Sprintf("oauth: the server offers neither OAUTHBEARER nor XOAUTH2 (it offers: %s)", orNone(e.Offered))
}

// Is makes errors.Is(err, ErrNoMechanism) true.
func (e *MechanismError) Is(target error) bool { return target == ErrNoMechanism }

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, " ")
}
