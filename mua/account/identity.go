package account

import (
	"errors"
	"fmt"
	"strings"

	"facteur/internal/mailaddr"
)

// AllIdentities returns every From identity of the account: the main one
// first, then the others (Account.Identities), each with its own name and
// signature.
func (a Account) AllIdentities() []Identity {
	return append([]Identity{a.Identity}, a.Identities...)
}

// IdentityFor returns the identity of the account whose address is addr
// (compared without regard to case, RFC 5321 §2.4 lets the domain be any
// case and providers fold local parts too). It is the one rule for every
// front door: `facteur send --from`, and the composer's From.
func (a Account) IdentityFor(addr string) (Identity, bool) {
	addr = strings.TrimSpace(addr)
	for _, id := range a.AllIdentities() {
		if addr != "" && strings.EqualFold(id.Address, addr) {
			return id, true
		}
	}
	return Identity{}, false
}

// AddressedIdentity picks the identity that a reply should come from: the
// first identity whose address is among the recipients of the original
// (To, then Cc, as given), else the main identity.
func (a Account) AddressedIdentity(recipients []string) Identity {
	for _, r := range recipients {
		if id, ok := a.IdentityFor(r); ok {
			return id
		}
	}
	return a.Identity
}

// checkIdentities checks the other identities: each a valid address,
// none given twice (the main identity included).
func (a Account) checkIdentities() error {
	seen := map[string]bool{strings.ToLower(a.Identity.Address): true}
	for i, id := range a.Identities {
		field := fmt.Sprintf("identities[%d].address", i)
		if err := mailaddr.Validate(id.Address); err != nil || strings.ContainsAny(id.Address, "<> ") {
			return &FieldError{Field: field, Reason: fmt.Sprintf("%q is not a bare address (user@example.org)", id.Address)}
		}
		k := strings.ToLower(id.Address)
		if seen[k] {
			return &FieldError{Field: field, Reason: fmt.Sprintf("%q is given twice", id.Address)}
		}
		seen[k] = true
	}
	return nil
}

// ErrNoIdentity: no account has that address among its identities.
var ErrNoIdentity = errors.New("account: no identity with that address")

// SenderIdentity is the identity that sends from account a with From
// address addr: "" gives the main identity, any identity of the account
// is accepted, another address is ErrNoIdentity. It is the rule of the
// composer's From and of `facteur send --from` alike.
func (a Account) SenderIdentity(addr string) (Identity, error) {
	if strings.TrimSpace(addr) == "" {
		return a.Identity, nil
	}
	if id, ok := a.IdentityFor(addr); ok {
		return id, nil
	}
	return Identity{}, fmt.Errorf("%w: %q is not an identity of account %q", ErrNoIdentity, addr, a.Name)
}

// FindIdentity returns the first account of list that can send (it has an
// SMTP server) with an identity of address addr, and that identity.
func FindIdentity(list []Account, addr string) (Account, Identity, error) {
	for _, a := range list {
		if id, ok := a.IdentityFor(addr); ok && a.Outgoing.Host != "" {
			return a, id, nil
		}
	}
	return Account{}, Identity{}, fmt.Errorf("%w: no account sends as %q", ErrNoIdentity, addr)
}
