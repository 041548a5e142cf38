package pop3

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"

	"facteur/mua/account"
	"facteur/mua/oauth"
)

// maxAuthLine bounds an AUTH command with its initial response, CRLF
// included (RFC 5034 §4); a longer one goes after an empty challenge.
const maxAuthLine = 255

// LoginAccount logs in as the account says: Login with the password, or,
// for an OAuth2 account, AuthOAuth2 with secret as the access token
// (oauth.Tokens.LoginSecret gives either).
func (c *Client) LoginAccount(ctx context.Context, acct account.Account, secret string) error {
	s := acct.Incoming
	if !acct.UsesOAuth2() {
		return c.Login(ctx, acct.Login(s), secret)
	}
	return c.AuthOAuth2(ctx, oauth.SASLOptions{User: acct.Login(s), Token: secret, Host: s.Host, Port: s.PortFor("pop3")})
}

// AuthOAuth2 sends AUTH OAUTHBEARER when CAPA's SASL lists it, else AUTH
// XOAUTH2. A server that lists neither is an *oauth.MechanismError; a
// refused token an *oauth.RejectedError, which matches ErrAuth too.
func (c *Client) AuthOAuth2(ctx context.Context, o oauth.SASLOptions) error {
	mech, err := oauth.ChooseMechanism(c.Capability("SASL"))
	if err != nil {
		return err
	}
	sc := oauth.NewSASLClient(mech, o)
	err = c.Authenticate(ctx, sc)
	if err != nil && (sc.Challenged() || errors.Is(err, ErrAuth)) {
		return sc.Rejected(err)
	}
	return err
}

// Authenticate runs a SASL exchange with AUTH (RFC 5034 §4): the initial
// response on the command line when it fits, else after the server's
// empty challenge; each challenge ("+ BASE64") answered by sc. A client
// error cancels the exchange with "*". The transcript shows the
// mechanism, never the responses.
func (c *Client) Authenticate(ctx context.Context, sc sasl.Client) error {
	mech, ir, err := sc.Start()
	if err != nil {
		return err
	}
	line, masked := "AUTH "+mech, "AUTH "+mech
	if ir != nil {
		if withIR := line + " " + encodeSASL(ir); len(withIR)+2 <= maxAuthLine {
			line, masked, ir = withIR, masked+" ****", nil
		}
	}
	challenge, done, err := c.saslStep(ctx, line, masked)
	for !done && err == nil {
		var resp []byte
		if resp, ir, err = nextResponse(sc, challenge, ir); err != nil {
			c.saslStep(ctx, "*", "*")
			return err
		}
		challenge, done, err = c.saslStep(ctx, base64.StdEncoding.EncodeToString(resp), "****")
	}
	return err
}

// nextResponse answers a challenge: the pending initial response first
// (the server's empty challenge asks for it), then sc's answers.
func nextResponse(sc sasl.Client, challenge, ir []byte) (resp, rest []byte, err error) {
	if ir != nil && len(challenge) == 0 {
		return ir, nil, nil
	}
	resp, err = sc.Next(challenge)
	return resp, ir, err
}

// encodeSASL is base64, "=" for an empty response (RFC 5034 §4).
func encodeSASL(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// saslStep sends one line of an AUTH exchange and reads the server's
// answer: a challenge ("+ BASE64", or "+" alone for an empty one), or the
// final +OK or -ERR (done).
func (c *Client) saslStep(ctx context.Context, line, masked string) (challenge []byte, done bool, err error) {
	defer c.deadline(ctx)()
	c.logLine("C: ", masked)
	if err := c.text.PrintfLine("%s", line); err != nil {
		return nil, true, c.ioErr(ctx, err)
	}
	reply, err := c.text.ReadLine()
	if err != nil {
		return nil, true, c.ioErr(ctx, err)
	}
	c.logLine("S: ", reply)
	if reply == "+" || strings.HasPrefix(reply, "+ ") {
		ch, err := base64.StdEncoding.DecodeString(strings.TrimSpace(reply[1:]))
		if err != nil {
			return nil, true, &ProtocolError{Command: "AUTH", Line: reply}
		}
		return ch, false, nil
	}
	_, err = parseReply("AUTH", reply)
	return nil, true, err
}
