package mailer

import (
	"cmp"
	"context"
	"errors"

	"facteur/mua/account"
	"facteur/mua/autoconfig"
)

// Secrets are the passwords given with an account; "" keeps (or leaves
// out) a password. An OAuth2 account's token is stored by its sign-in
// (oauth.Tokens.Authorize), not here.
type Secrets struct {
	Password     string // the incoming server's, and the outgoing one's unless SMTPPassword
	SMTPPassword string // the outgoing server's, when it differs
}

// AddAccount saves a new account (account.ErrExists when its name is
// taken) with its passwords, and has the watcher check it. The Warning
// says that secrets go to a plain file (no keyring).
func (m *Mailer) AddAccount(ctx context.Context, a account.Account, s Secrets) (*account.Warning, error) {
	if err := m.book.Add(a); err != nil {
		return nil, err
	}
	return m.saved(a, s)
}

// UpdateAccount saves an account's new settings, and the passwords given.
func (m *Mailer) UpdateAccount(ctx context.Context, a account.Account, s Secrets) (*account.Warning, error) {
	if err := m.book.Put(a); err != nil {
		return nil, err
	}
	return m.saved(a, s)
}

func (m *Mailer) saved(a account.Account, s Secrets) (*account.Warning, error) {
	for _, p := range []struct {
		smtp bool
		pw   string
	}{{false, s.Password}, {true, s.SMTPPassword}} {
		if p.pw == "" || a.UsesOAuth2() {
			continue
		}
		if err := m.creds.Set(account.PasswordKey(a.Name, p.smtp), p.pw); err != nil {
			return nil, err
		}
	}
	return m.creds.Warning(), m.Reload()
}

// RemoveAccount removes an account from the profile with every secret it
// had (passwords, OAuth2 token and client secret: account.SecretKeys); its
// mail stays in the store. The watcher stops checking it.
func (m *Mailer) RemoveAccount(ctx context.Context, name string) error {
	if err := m.book.Remove(name); err != nil {
		return err
	}
	return errors.Join(m.creds.ForgetSecrets(name), m.Reload())
}

// TestOptions tune TestAccount.
type TestOptions struct {
	// Secrets are the passwords to try; "" means the stored ones. The
	// outgoing server gets SMTPPassword, else its stored password, else
	// Password.
	Secrets
	// Dialer, when set, replaces the Mailer's (the account set-up's
	// autoconfig.Discoverer.Dialer, which trusts what discovery trusted).
	Dialer *account.Dialer
}

// TestAccount logs in to the account's servers and out: the incoming
// one, then the outgoing one when there is one, with the passwords given
// or stored (an OAuth2 account's token, refreshed when needed). Both front
// doors test a new account with it before AddAccount, and a saved one.
// Failures are *autoconfig.Error, with the certificate to pin when one was
// refused.
func (m *Mailer) TestAccount(ctx context.Context, a account.Account, o TestOptions) error {
	d := cmp.Or(o.Dialer, m.opt.Dialer)
	if a.UsesOAuth2() {
		return autoconfig.CheckOAuth2(ctx, d, a, m.tokens())
	}
	password := o.Password
	if password == "" {
		var err error
		if password, err = m.creds.Get(account.PasswordKey(a.Name, false)); err != nil {
			return err
		}
	}
	if err := autoconfig.Check(ctx, d, string(a.Protocol), a.Incoming, a.Login(a.Incoming), password); err != nil {
		return err
	}
	if a.Outgoing.Host == "" {
		return nil
	}
	smtp := o.SMTPPassword
	if smtp == "" {
		if stored, err := m.creds.Get(account.PasswordKey(a.Name, true)); err == nil {
			smtp = stored
		}
	}
	return autoconfig.Check(ctx, d, autoconfig.SMTP, a.Outgoing, a.Login(a.Outgoing), cmp.Or(smtp, password))
}
