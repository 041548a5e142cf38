package submit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"

	"facteur/mua/account"
	"facteur/mua/oauth"
)

// AccessTokens gives an OAuth2 account's access token, valid for a
// while; *oauth.Tokens is one.
type AccessTokens interface {
	AccessToken(ctx context.Context, a account.Account) (string, error)
}

// authOAuth2 runs AUTH (RFC 4954) with OAUTHBEARER when the server
// announces it, else XOAUTH2, and the account's access token. A server
// that announces neither is an *oauth.MechanismError, a refused token an
// *oauth.RejectedError: nothing is sent without logging in.
func (c *Client) authOAuth2(ctx context.Context, sc *smtp.Client, a account.Account) error {
	_, params := sc.Extension("AUTH")
	mech, err := oauth.ChooseMechanism(strings.Fields(params))
	if err != nil {
		return err
	}
	tokens, err := c.tokens()
	if err != nil {
		return err
	}
	token, err := tokens.AccessToken(ctx, a)
	if err != nil {
		return err
	}
	s := a.Outgoing
	sasl := oauth.NewSASLClient(mech, oauth.SASLOptions{User: a.Login(s), Token: token, Host: s.Host, Port: s.PortFor("smtp")})
	if err := sc.Auth(sasl); err != nil {
		return rejected(sasl, err)
	}
	return nil
}

// rejected tells a refused token (an error challenge, or 535 5.7.8 of
// RFC 4954 §6) from other failures.
func rejected(c *oauth.SASLClient, err error) error {
	var se *smtp.SMTPError
	if c.Challenged() || errors.As(err, &se) && se.Code == 535 {
		return c.Rejected(err)
	}
	return err
}

func (c *Client) tokens() (AccessTokens, error) {
	if c.Tokens != nil {
		return c.Tokens, nil
	}
	return tokensOf(c.Passwords)
}

// tokensOf is an oauth.Tokens on pw when it can save refreshed tokens.
func tokensOf(pw Passwords) (AccessTokens, error) {
	if s, ok := pw.(oauth.Secrets); ok {
		return &oauth.Tokens{Secrets: s}, nil
	}
	return nil, fmt.Errorf("%w: no token store", oauth.ErrNotAuthorized)
}

// loginSecret is the IMAP password of the account, or its access token
// when it uses OAuth2.
func loginSecret(ctx context.Context, pw Passwords, a account.Account) (string, error) {
	if !a.UsesOAuth2() {
		return pw.Get(account.PasswordKey(a.Name, false))
	}
	tokens, err := tokensOf(pw)
	if err != nil {
		return "", err
	}
	return tokens.AccessToken(ctx, a)
}

// Check connects to the account's SMTP server, runs TLS and AUTH as a
// submission does, and quits: the login test of the account set-up.
func (c *Client) Check(ctx context.Context, a account.Account) error {
	if a.Outgoing.Host == "" {
		return ErrNoOutgoing
	}
	sc, _, err := c.open(ctx, a)
	if err != nil {
		return err
	}
	defer sc.Close()
	if err := c.auth(ctx, sc, a); err != nil {
		return &Error{Server: a.Outgoing.Address("smtp"), Op: "auth", Err: err}
	}
	return sc.Quit()
}
