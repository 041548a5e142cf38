package mtausers

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestCheck(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users, err := Parse(strings.NewReader("# logins\nMarc:{plain}secret\n\nanne:" + string(hash) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		login, password string
		ok              bool
	}{
		{"marc", "secret", true},
		{"MARC", "secret", true}, // logins are case-insensitive
		{"marc", "Secret", false},
		{"marc", "", false},
		{"anne", "s3cret", true},
		{"anne", "secret", false},
		{"nobody", "secret", false},
	}
	for _, tt := range tests {
		err := users.Check(tt.login, tt.password)
		if tt.ok != (err == nil) {
			t.Errorf("Check(%q, %q) = %v", tt.login, tt.password, err)
		}
		if err != nil && !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Check(%q, %q) = %v, want ErrBadCredentials", tt.login, tt.password, err)
		}
	}
}

func TestParseRefusesBadLines(t *testing.T) {
	for _, line := range []string{"marc", "marc:", ":secret"} {
		if _, err := Parse(strings.NewReader(line + "\n")); err == nil {
			t.Errorf("Parse(%q) accepted it", line)
		}
	}
}
