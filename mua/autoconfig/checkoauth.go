package autoconfig

import (
	"context"
	"errors"

	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/oauth"
	"facteur/mua/pop3"
	"facteur/mua/submit"
)

// CheckOAuth2 is CheckAccount for an account that signs in with OAuth2:
// it takes a fresh access token from tokens (after oauth.Tokens.Authorize),
// logs in to the incoming server with it (AUTHENTICATE OAUTHBEARER or
// XOAUTH2, as the server offers) and then to the outgoing one, if any.
// Failures are *Error; a refused token is KindAuth and keeps the
// *oauth.RejectedError in its chain.
func CheckOAuth2(ctx context.Context, d *account.Dialer, a account.Account, tokens *oauth.Tokens) error {
	if !a.UsesOAuth2() {
		return errors.New("autoconfig: CheckOAuth2 of an account without OAuth2")
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	token, err := tokens.AccessToken(ctx, a)
	if err != nil {
		return err
	}
	proto := string(a.Protocol)
	if err := loginWithToken(ctx, d, a, token); err != nil {
		return oauthError(proto, a.Incoming, err)
	}
	if a.Outgoing.Host == "" {
		return nil
	}
	if err := (&submit.Client{Dialer: d, Tokens: tokens}).Check(ctx, a); err != nil {
		return oauthError(SMTP, a.Outgoing, err)
	}
	return nil
}

// loginWithToken logs in to the incoming server with an access token.
func loginWithToken(ctx context.Context, d *account.Dialer, a account.Account, token string) error {
	if a.Protocol == account.POP3 {
		c, err := pop3.Dial(ctx, a.Incoming, pop3.Options{Dialer: d})
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.LoginAccount(ctx, a, token); err != nil {
			return err
		}
		return c.Quit(ctx)
	}
	s := imapsync.New(a, token, imapsync.Options{Dialer: d})
	defer s.Close()
	_, err := s.Folders(ctx)
	return err
}

func oauthError(proto string, s account.Server, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	kind := classify(err)
	if errors.Is(err, oauth.ErrRejected) || errors.Is(err, imapsync.ErrAuth) {
		kind = KindAuth
	}
	return &Error{Kind: kind, Protocol: proto, Host: s.Host, Port: s.PortFor(proto), Err: err}
}
