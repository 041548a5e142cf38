package mailaddr

import (
	"errors"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are inputs for all three fuzzers.
var fuzzSeeds = []string{
	"user1@domaine",
	"user1(Nom Prénom)@domaine",
	`"Nom Prénom"@domaine`,
	"<@domaine2:user1@domaine3>",
	"<@a,@b:u@c>",
	"user1@[192.168.42.1]",
	"u@[IPv6:2001:db8::1]",
	"jacques @ urec.fr",
	`"Jacques Selere" <jacques @ urec.fr>`,
	"paul@uvsq.fr (Paul Ochon)",
	`jean@jussieu.fr (Jean Breille), "Jacques Selere" <jacques @ urec.fr>`,
	"=?utf-8?q?Fran=C3=A7ois?= <f@x>",
	"=?iso-8859-1?q?Andr=E9?= =?utf-8?b?WsOp?= <a@b>",
	"Team: a@b, c@d;",
	"undisclosed-recipients:;",
	"δοκιμή@παράδειγμα.δοκιμή",
	"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	"A Group(Some people):Chris Jones <c@(Chris's host.)public.example>, joe@example.org, John <jdoe@one.test> (my dear friend); (the end of the group)",
	"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
	"Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	"John Doe <jdoe@machine(comment).  example>",
	"Mary Smith\r\n \r\n <mary@example.net>",
	"MAIL FROM:<a@b> SIZE=100 BODY=8BITMIME",
	"MAIL FROM: <paul@uvsq.fr>",
	"RCPT TO:<postmaster>",
	"<>",
	`"a\"b"@c`,
	"a@[::1]",
	"((((((((((",
	`"unterminated`,
	"a@b, ,c@d,",
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

// checkParseError checks the error contract: a *ParseError with a position
// inside the input and a sentinel reason.
func checkParseError(t *testing.T, s string, err error) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("%q: error %v is not a *ParseError", s, err)
	}
	if pe.Pos < 0 || pe.Pos > len(pe.Input) {
		t.Fatalf("%q: position %d outside %q", s, pe.Pos, pe.Input)
	}
	for _, sentinel := range []error{ErrEmpty, ErrNoAt, ErrBadLocal, ErrBadDomain, ErrUnterminated, ErrSourceRoute, ErrSyntax, ErrTooLong, ErrBadParam} {
		if errors.Is(err, sentinel) {
			return
		}
	}
	t.Fatalf("%q: error %v wraps no sentinel", s, err)
}

// checkAddress checks what every parsed mailbox must satisfy, and that its
// display form parses back to the same mailbox.
func checkAddress(t *testing.T, s string, a Address) {
	t.Helper()
	if a.IsEmptyGroup() {
		return
	}
	if a.Local == "" || !utf8.ValidString(a.Local) || !utf8.ValidString(a.Domain) || !utf8.ValidString(a.Name) {
		t.Fatalf("%q: bad mailbox %#v", s, a)
	}
	b, err := Parse(a.String())
	if err != nil {
		t.Fatalf("%q: String() %q does not parse: %v", s, a.String(), err)
	}
	if b.Local != a.Local || b.Domain != a.Domain || b.Name != a.Name {
		t.Fatalf("%q: String() %q parses to %#v, want %#v", s, a.String(), b, a)
	}
	_ = Explain(a)
	_, _ = a.ASCIIDomain()
	_, _ = a.UnicodeDomain()
}

// netmailAgrees is the differential check: whatever net/mail accepts, Parse
// accepts with the same address (and the same name when decoding and
// whitespace cannot differ).
func netmailAgrees(t *testing.T, s string, a Address, err error) {
	t.Helper()
	want, nerr := mail.ParseAddress(s)
	if nerr != nil {
		return
	}
	if err != nil {
		t.Fatalf("%q: net/mail accepts %q, Parse fails: %v", s, want.Address, err)
	}
	if got := a.Local + "@" + a.Domain; got != want.Address {
		t.Fatalf("%q: Parse gives %q, net/mail %q", s, got, want.Address)
	}
	if comparableName(s) && a.Name != want.Name {
		t.Fatalf("%q: Parse gives name %q, net/mail %q", s, a.Name, want.Name)
	}
}

// comparableName reports whether net/mail's name for s must equal ours: no
// encoded-word (we know more charsets and join adjacent words in comments),
// no control character and valid UTF-8 (we clean them).
func comparableName(s string) bool {
	if strings.Contains(s, "=?") || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		netmailAgrees(t, s, a, err)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		checkAddress(t, s, a)
		if verr := Validate(s); verr != nil {
			checkParseError(t, s, verr)
		}
	})
}

func FuzzParseList(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		list, err := ParseList(s)
		if err != nil {
			checkParseError(t, s, err)
		}
		if want, nerr := mail.ParseAddressList(s); nerr == nil && err != nil {
			t.Fatalf("%q: net/mail accepts %d addresses, ParseList fails: %v", s, len(want), err)
		}
		for _, a := range list {
			checkAddress(t, s, a)
		}
	})
}

func FuzzParsePath(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		if p.Null {
			return
		}
		q, err := ParsePath(p.String())
		if err != nil || q.Address.Addr() != p.Address.Addr() {
			t.Fatalf("%q: String() %q parses to %q, %v", s, p.String(), q.Address.Addr(), err)
		}
		_ = Explain(p.Address)
	})
}
