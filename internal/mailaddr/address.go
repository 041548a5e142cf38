package mailaddr

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"facteur/internal/ascii"

	"golang.org/x/net/idna"
)

// Address is one mailbox as written in a header field or an SMTP path.
type Address struct {
	// Name is the display name, RFC 2047 decoded; for a bare addr-spec
	// followed by a comment ("paul@uvsq.fr (Paul Ochon)") it is taken from
	// that comment, as mail clients have always shown it.
	Name string
	// Local is the local part, unquoted: "Nom Prénom" for "Nom Prénom"@domaine.
	Local string
	// Domain is the domain as written, or the address literal with its
	// brackets ("[192.168.42.1]", "[IPv6:2001:db8::1]"); empty only for
	// <postmaster> and for an empty group.
	Domain string
	// Route lists the relays of a source route (<@a,@b:u@c> gives a, b).
	Route []string
	// Literal is the IP address of an address literal; invalid otherwise.
	Literal netip.Addr
	// Comments holds every comment of the address, RFC 2047 decoded.
	Comments []string
	// Group is the name of the group the address belongs to, if any.
	Group string
	// Raw is the text the address was read from.
	Raw string
	// Forms lists the forms the text uses (see Explain).
	Forms FormSet
}

// Addr returns the canonical "local@domain": the local part quoted when it is
// not a dot-atom, no route, no comment. It returns "postmaster" for
// <postmaster> and "" for an empty group.
func (a Address) Addr() string {
	if a.Local == "" && a.Domain == "" {
		return ""
	}
	local := quoteLocal(a.Local)
	if a.Domain == "" {
		return local
	}
	return local + "@" + a.Domain
}

// String returns the display form "Name <local@domain>", or "local@domain"
// without a name, or "Group:;" for an empty group. Non-ASCII text stays as
// is (RFC 6532); the result parses back to the same address.
func (a Address) String() string {
	if a.IsEmptyGroup() {
		return quotePhrase(a.Group) + ":;"
	}
	if a.Name == "" {
		return a.Addr()
	}
	return quotePhrase(a.Name) + " <" + a.Addr() + ">"
}

// IsEmptyGroup reports whether a stands for an empty group such as
// "undisclosed-recipients:;": only Group and Raw are set, there is no mailbox.
func (a Address) IsEmptyGroup() bool { return a.Forms.Has(FormEmptyGroup) }

// ASCIIDomain returns the domain in ASCII, for DNS and SMTP: IDN labels as
// punycode A-labels (RFC 5891), an ASCII domain and an address literal as
// they are. The error wraps ErrBadDomain.
func (a Address) ASCIIDomain() (string, error) {
	d := a.Domain
	if d == "" || a.Literal.IsValid() || ascii.Is(d) && !strings.Contains(strings.ToLower(d), "xn--") {
		return d, nil
	}
	s, err := idnaProfile.ToASCII(d)
	if err != nil {
		return "", errorf(ErrBadDomain, "%v", err)
	}
	return s, nil
}

// UnicodeDomain returns the domain with its A-labels ("xn--...") shown as
// Unicode, for display. On error it returns the domain as written and an
// error wrapping ErrBadDomain.
func (a Address) UnicodeDomain() (string, error) {
	d := a.Domain
	if d == "" || a.Literal.IsValid() || ascii.Is(d) && !strings.Contains(strings.ToLower(d), "xn--") {
		return d, nil
	}
	s, err := idnaProfile.ToUnicode(d)
	if err != nil {
		return d, errorf(ErrBadDomain, "%v", err)
	}
	return s, nil
}

// NeedsSMTPUTF8 reports whether sending to or from a needs the SMTPUTF8
// extension (RFC 6531): its local part is not ASCII. A Unicode domain alone
// does not, since ASCIIDomain converts it.
func (a Address) NeedsSMTPUTF8() bool { return !ascii.Is(a.Local) }

// idnaProfile maps and checks domains as RFC 5891 §5 look-ups do.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true), idna.CheckJoiners(true))

// quoteLocal quotes a local part that is not a dot-atom (RFC 5322 §3.4.1).
func quoteLocal(s string) string {
	if isDotAtom(s) {
		return s
	}
	return quoteString(s)
}

// quotePhrase quotes a display name unless it is atoms separated by single
// spaces, none of which looks like an RFC 2047 encoded-word.
func quotePhrase(s string) string {
	for w := range strings.SplitSeq(s, " ") {
		if !isAtom(w) || strings.HasPrefix(w, "=?") {
			return quoteString(s)
		}
	}
	return s
}

// quoteString returns s as a quoted-string, escaping " and \.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// isDotAtom reports whether s is atoms joined by single dots.
func isDotAtom(s string) bool {
	for w := range strings.SplitSeq(s, ".") {
		if !isAtom(w) {
			return false
		}
	}
	return true
}

// isAtom reports whether s is a non-empty run of atext in valid UTF-8.
func isAtom(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAtext(s[i]) {
			return false
		}
	}
	return s != "" && utf8.ValidString(s)
}
