package oauthtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
)

// errInvalidToken is Server.Check's refusal.
var errInvalidToken = errors.New("oauthtest: invalid access token")

// Check accepts or refuses a user's access token (Server.Check).
type Check func(user, token string) error

// Refusal is the error a SASL server ends a refused exchange with;
// the protocol servers turn it into their reply.
type Refusal struct{ Err error }

func (r *Refusal) Error() string { return "oauthtest: token refused: " + r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// errorChallenge is the JSON that OAUTHBEARER and XOAUTH2 servers send
// when they refuse a token (RFC 7628 §3.2.2).
var errorChallenge = []byte(`{"status":"invalid_token","schemes":"bearer","scope":"https://mail.example.test/"}`)

// NewXOAUTH2Server returns the server side of XOAUTH2: it reads
// "user=U^Aauth=Bearer T^A^A" (after an empty challenge when there was no
// initial response); on refusal it sends the JSON error challenge, waits
// for the client's empty response, then fails with a *Refusal. onAuth,
// when set, learns the user that logged in.
func NewXOAUTH2Server(check Check, onAuth func(user string)) sasl.Server {
	return &xoauth2Server{check: check, onAuth: onAuth}
}

type xoauth2Server struct {
	check   Check
	onAuth  func(string)
	started bool
	refused error
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.refused != nil:
		if len(resp) != 0 {
			return nil, true, errors.New("oauthtest: XOAUTH2: the client did not answer the error with an empty response")
		}
		return nil, true, &Refusal{Err: s.refused}
	case resp == nil && !s.started:
		s.started = true
		return []byte{}, false, nil
	}
	s.started = true
	user, token, err := parseXOAUTH2(resp)
	if err != nil {
		return nil, true, err
	}
	if err := s.check(user, token); err != nil {
		s.refused = err
		return errorChallenge, false, nil
	}
	if s.onAuth != nil {
		s.onAuth(user)
	}
	return nil, true, nil
}

func parseXOAUTH2(resp []byte) (user, token string, err error) {
	if !bytes.HasSuffix(resp, []byte("\x01\x01")) {
		return "", "", errors.New("oauthtest: XOAUTH2: the response does not end with ^A^A")
	}
	for _, f := range strings.Split(string(resp[:len(resp)-2]), "\x01") {
		switch k, v, _ := strings.Cut(f, "="); k {
		case "user":
			user = v
		case "auth":
			token, _ = strings.CutPrefix(v, "Bearer ")
		}
	}
	if user == "" || token == "" {
		return "", "", errors.New("oauthtest: XOAUTH2: no user or no bearer token")
	}
	return user, token, nil
}

// NewOAuthBearerServer returns go-sasl's OAUTHBEARER server with check;
// a refused exchange ends with a *Refusal once the client has answered
// the error challenge with %x01. onAuth, when set, learns the user.
func NewOAuthBearerServer(check Check, onAuth func(user string)) sasl.Server {
	r := &refusalServer{}
	r.Server = sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
		if err := check(o.Username, o.Token); err != nil {
			r.refused = err
			e := &sasl.OAuthBearerError{}
			json.Unmarshal(errorChallenge, e)
			return e
		}
		if onAuth != nil {
			onAuth(o.Username)
		}
		return nil
	})
	return r
}

// refusalServer gives go-sasl's server failure the check's error.
type refusalServer struct {
	sasl.Server
	refused error
}

func (r *refusalServer) Next(resp []byte) ([]byte, bool, error) {
	if r.refused != nil && len(resp) == 0 {
		// go-sasl would index the empty response: RFC 7628 wants %x01.
		return nil, true, errors.New("oauthtest: OAUTHBEARER: empty answer to the error challenge")
	}
	ch, done, err := r.Server.Next(resp)
	if err != nil && r.refused != nil {
		err = &Refusal{Err: r.refused}
	}
	return ch, done, err
}

// NewServerMechanism returns the server of mech (OAUTHBEARER or XOAUTH2),
// nil for another mechanism.
func NewServerMechanism(mech string, check Check, onAuth func(user string)) sasl.Server {
	switch strings.ToUpper(mech) {
	case sasl.OAuthBearer:
		return NewOAuthBearerServer(check, onAuth)
	case "XOAUTH2":
		return NewXOAUTH2Server(check, onAuth)
	}
	return nil
}
