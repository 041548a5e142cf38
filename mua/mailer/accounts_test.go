package mailer

import (
	"context"
	"errors"
	"testing"

	"facteur/mua/account"
	"facteur/mua/autoconfig"
	"facteur/mua/imapsync/imaptest"
)

// TestTestAccount: the login test of both front doors, with the password
// typed (a new account) or the stored one (a saved account).
func TestTestAccount(t *testing.T) {
	f := newFixture(t, nil)
	fresh := f.acct
	fresh.Name = "Nouveau"
	for _, tc := range []struct {
		name    string
		acct    account.Account
		opt     TestOptions
		wantErr error
	}{
		{"typed password", fresh, TestOptions{Secrets: Secrets{Password: imaptest.Password}}, nil},
		{"wrong password", fresh, TestOptions{Secrets: Secrets{Password: "faux"}}, autoconfig.ErrAuth},
		{"stored password", f.acct, TestOptions{}, nil},
		{"nothing stored", fresh, TestOptions{}, account.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.m.TestAccount(context.Background(), tc.acct, tc.opt)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}
