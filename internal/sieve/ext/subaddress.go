package ext

import (
	"strings"

	"github.com/foxcpp/go-sieve/interp"

	"facteur/internal/mailaddr"
)

// SubaddressSeparator separates the user from the detail in a local part
// (RFC 5233 §2: "ken+sieve@example.org").
const SubaddressSeparator = "+"

func init() {
	interp.RegisterExtension("subaddress")
	interp.RegisterAddressPart("user", "subaddress", userPart)
	interp.RegisterAddressPart("detail", "subaddress", detailPart)
}

func localPart(addr string) string {
	local, _ := mailaddr.Split(addr)
	return local
}

// userPart is the local part up to the separator (RFC 5233 §4).
func userPart(addr string) (string, bool) {
	user, _, _ := strings.Cut(localPart(addr), SubaddressSeparator)
	return user, true
}

// detailPart is what follows the separator; an address without one has
// no detail, and the test fails for it (RFC 5233 §4).
func detailPart(addr string) (string, bool) {
	_, detail, ok := strings.Cut(localPart(addr), SubaddressSeparator)
	return detail, ok
}
