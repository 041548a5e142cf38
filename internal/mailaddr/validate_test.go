package mailaddr

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		in     string
		reason error // nil: valid
	}{
		{"user1@domaine", nil},
		{"Jean Breille <jean@jussieu.fr>", nil},
		{"paul@uvsq.fr (Paul Ochon)", nil},
		{`"Nom Prénom"@domaine.fr`, nil},
		{"user1@[192.168.42.1]", nil},
		{"u@[IPv6:2001:db8::1]", nil},
		{"jacques @ urec.fr", nil},
		{"δοκιμή@παράδειγμα.δοκιμή", nil},
		{"info@bücher.ch", nil},
		{"a@localhost", nil},
		{"<@domaine2:user1@domaine3>", ErrSourceRoute},
		{"user1", ErrNoAt},
		{"", ErrEmpty},
		{"a@b_c.example", ErrBadDomain},
		{"a@-b.example", ErrBadDomain},
		{"a@192.168.42.1", ErrBadDomain},
		{"a@" + strings.Repeat("x", 64) + ".example", ErrBadDomain},
		{strings.Repeat("l", 65) + "@example.com", ErrTooLong},
		{"a@" + strings.Repeat("abcdefghi.", 26) + "example", ErrTooLong},
		{"Team: a@b, c@d;", ErrSyntax},
	}
	for _, tt := range tests {
		err := Validate(tt.in)
		if tt.reason == nil && err != nil || tt.reason != nil && !errors.Is(err, tt.reason) {
			t.Errorf("Validate(%q) = %v, want %v", tt.in, err, tt.reason)
		}
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Input != tt.in) {
			t.Errorf("Validate(%q) = %#v, not a *ParseError on the input", tt.in, err)
		}
	}
	var pe *ParseError
	if err := Validate("Relais <@domaine2:user1@domaine3>"); !errors.As(err, &pe) || pe.Pos != 9 {
		t.Errorf("source route error %v, want position 9", err)
	}
}
