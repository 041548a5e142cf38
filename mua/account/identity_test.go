package account

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

func withIdentities(a Account) Account {
	a.Identity = Identity{Name: "Marc", Address: "marc@machin.com", Signature: "Marc"}
	a.Identities = []Identity{
		{Name: "Marc (club)", Address: "president@club.example", Signature: "Le président"},
		{Address: "marc@truc.fr"},
	}
	return a
}

func TestValidateIdentities(t *testing.T) {
	checkValidate(t, []validateCase{
		{"several", func(a *Account) { *a = withIdentities(*a) }, ""},
		{"not an address", func(a *Account) {
			*a = withIdentities(*a)
			a.Identities[1].Address = "marc"
		}, "identities[1].address"},
		{"with a name", func(a *Account) {
			*a = withIdentities(*a)
			a.Identities[0].Address = "Marc <marc@club.example>"
		}, "identities[0].address"},
		{"twice", func(a *Account) {
			*a = withIdentities(*a)
			a.Identities[1].Address = "MARC@machin.com"
		}, "identities[1].address"},
	})
}

func TestIdentityFor(t *testing.T) {
	a := withIdentities(sample("x"))
	tests := []struct {
		addr string
		want string // "" for none
	}{
		{"marc@machin.com", "marc@machin.com"},
		{" President@CLUB.example ", "president@club.example"},
		{"marc@truc.fr", "marc@truc.fr"},
		{"fred@truc.fr", ""},
		{"", ""},
	}
	for _, tt := range tests {
		id, ok := a.IdentityFor(tt.addr)
		if ok != (tt.want != "") || id.Address != tt.want {
			t.Errorf("IdentityFor(%q) = %q, %v; want %q", tt.addr, id.Address, ok, tt.want)
		}
	}
}

func TestAddressedIdentity(t *testing.T) {
	a := withIdentities(sample("x"))
	tests := []struct {
		name string
		rcpt []string
		want string
	}{
		{"other identity", []string{"list@club.example", "President@club.example"}, "president@club.example"},
		{"first match wins", []string{"marc@truc.fr", "marc@machin.com"}, "marc@truc.fr"},
		{"none: main identity", []string{"fred@truc.fr"}, "marc@machin.com"},
		{"no recipient", nil, "marc@machin.com"},
	}
	for _, tt := range tests {
		if got := a.AddressedIdentity(tt.rcpt).Address; got != tt.want {
			t.Errorf("%s: AddressedIdentity = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestIdentitiesSaved: the other identities, with names and signatures,
// survive the settings file.
func TestIdentitiesSaved(t *testing.T) {
	b := OpenBook(filepath.Join(t.TempDir(), "config.json"))
	a := withIdentities(sample("x"))
	if err := b.Add(a); err != nil {
		t.Fatal(err)
	}
	got, err := b.Get("x")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.AllIdentities(), a.AllIdentities()) {
		t.Errorf("read back %+v, want %+v", got.AllIdentities(), a.AllIdentities())
	}
}

func TestSenderIdentity(t *testing.T) {
	a := withIdentities(sample("x"))
	other := sample("y")
	other.Identity.Address = "paul@uvsq.fr"
	other.Outgoing.Host = ""
	tests := []struct {
		addr, want string
		err        error
	}{
		{"", "marc@machin.com", nil},
		{"PRESIDENT@club.example", "president@club.example", nil},
		{"paul@uvsq.fr", "", ErrNoIdentity},
	}
	for _, tt := range tests {
		id, err := a.SenderIdentity(tt.addr)
		if id.Address != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("SenderIdentity(%q) = %q, %v", tt.addr, id.Address, err)
		}
	}
	list := []Account{other, a}
	if got, id, err := FindIdentity(list, "marc@truc.fr"); err != nil || got.Name != "x" || id.Address != "marc@truc.fr" {
		t.Errorf("FindIdentity = %q %q %v", got.Name, id.Address, err)
	}
	if _, _, err := FindIdentity(list, "paul@uvsq.fr"); !errors.Is(err, ErrNoIdentity) { // no SMTP server
		t.Errorf("FindIdentity of an account without SMTP: %v", err)
	}
}
