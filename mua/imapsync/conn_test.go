package imapsync

import (
	"errors"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestLoginRefusalIsAuthOnlyForCredentials(t *testing.T) {
	tests := []struct {
		code imap.ResponseCode
		typ  imap.StatusResponseType
		cmd  string
		auth bool
	}{
		{"", imap.StatusResponseTypeNo, "LOGIN", true},
		{imap.ResponseCodeAuthenticationFailed, imap.StatusResponseTypeNo, "LOGIN", true},
		{imap.ResponseCodeExpired, imap.StatusResponseTypeNo, "LOGIN", true},
		{imap.ResponseCodePrivacyRequired, imap.StatusResponseTypeNo, "LOGIN", false},
		{imap.ResponseCodeUnavailable, imap.StatusResponseTypeNo, "LOGIN", false},
		{"", imap.StatusResponseTypeBad, "LOGIN", false},
		{"", imap.StatusResponseTypeNo, "SELECT", false},
	}
	for _, tt := range tests {
		err := error(&ServerError{Command: tt.cmd, Err: &imap.Error{Type: tt.typ, Code: tt.code}})
		if got := errors.Is(err, ErrAuth); got != tt.auth {
			t.Errorf("%s %s [%s]: errors.Is(ErrAuth) = %v, want %v", tt.cmd, tt.typ, tt.code, got, tt.auth)
		}
	}
}
