package oauth

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
)

// The SASL mechanisms that carry an OAuth2 access token.
const (
	OAuthBearer = sasl.OAuthBearer // "OAUTHBEARER", RFC 7628
	XOAuth2     = "XOAUTH2"        // Google's and Microsoft's
)

// ChooseMechanism picks OAUTHBEARER when the server announces it, else
// XOAUTH2 (names in any case); otherwise a *MechanismError.
func ChooseMechanism(offered []string) (string, error) {
	for _, want := range []string{OAuthBearer, XOAuth2} {
		for _, m := range offered {
			if strings.EqualFold(m, want) {
				return want, nil
			}
		}
	}
	return "", &MechanismError{Offered: offered}
}

// NewXOAUTH2Client returns a client of Google's XOAUTH2 mechanism: its
// initial response is "user=" USER ^A "auth=Bearer " TOKEN ^A ^A. A
// challenge is the server's error (JSON, the fields of RFC 7628 §3.2.2):
// Next returns it as a *sasl.OAuthBearerError, as go-sasl's OAUTHBEARER
// client does; SASLClient answers it with the empty response the server
// waits for.
func NewXOAUTH2Client(user, token string) sasl.Client {
	return &xoauth2Client{user: user, token: token}
}

type xoauth2Client struct{ user, token string }

func (c *xoauth2Client) Start() (string, []byte, error) {
	return XOAuth2, []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	e := &sasl.OAuthBearerError{}
	if err := json.Unmarshal(challenge, e); err != nil {
		return nil, err
	}
	return nil, e
}

// SASLOptions are what an OAuth2 mechanism sends. Host and Port are the
// server's, for OAUTHBEARER (RFC 7628 §3.1); XOAUTH2 has no place for them.
type SASLOptions struct {
	User  string // the login
	Token string // the access token
	Host  string
	Port  int
}

// SASLClient is an OAUTHBEARER or XOAUTH2 client that completes a failed
// exchange as the mechanism requires, so that the server sends its
// refusal (NO, 535, -ERR) and the connection stays in step: to the error
// challenge it answers %x01 (OAUTHBEARER, RFC 7628 §3.2.3) or an empty
// response (XOAUTH2), and keeps the challenge for Rejected.
type SASLClient struct {
	mech    string
	inner   sasl.Client
	failed  bool
	failure *sasl.OAuthBearerError // the error challenge, when it was JSON
}

// NewSASLClient returns the client of mech (OAuthBearer or XOAuth2, as
// ChooseMechanism gives).
func NewSASLClient(mech string, o SASLOptions) *SASLClient {
	if mech == OAuthBearer {
		return &SASLClient{mech: mech, inner: sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
			Username: o.User, Token: o.Token, Host: o.Host, Port: o.Port,
		})}
	}
	return &SASLClient{mech: XOAuth2, inner: NewXOAUTH2Client(o.User, o.Token)}
}

// Start sends the token in the initial response.
func (c *SASLClient) Start() (string, []byte, error) { return c.inner.Start() }

// Next answers the server's error challenge; a second challenge ends the
// exchange with an error.
func (c *SASLClient) Next(challenge []byte) ([]byte, error) {
	if c.failed {
		return nil, errors.New("oauth: " + c.mech + ": unexpected second challenge")
	}
	c.failed = true
	_, err := c.inner.Next(challenge)
	errors.As(err, &c.failure) // nil when the challenge was not JSON
	if c.mech == OAuthBearer {
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}

// Mechanism is the mechanism's name.
func (c *SASLClient) Mechanism() string { return c.mech }

// Challenged tells whether the server sent an error challenge: it
// refused the token.
func (c *SASLClient) Challenged() bool { return c.failed }

// Rejected wraps err, the protocol's refusal of the exchange, into a
// *RejectedError with the status and scope of the server's error
// challenge, if one came.
func (c *SASLClient) Rejected(err error) *RejectedError {
	r := &RejectedError{Mechanism: c.mech, Err: err}
	if c.failure != nil {
		r.Status, r.Scope = c.failure.Status, c.failure.Scope
	}
	return r
}
