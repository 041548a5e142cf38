package account

import (
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
