package mailaddr

import (
	"errors"
	"net/mail"
	"reflect"
	"strings"
	"testing"
)

// want is the expected reading of one mailbox; nil slices and empty strings
// are compared as they are.
type want struct {
	Name, Local, Domain string
	Route               []string
	Literal             string // Address.Literal.String(), "" when invalid
	Comments            []string
	Group               string
	Forms               []Form
	Addr                string
}

func got(a Address) want {
	w := want{Name: a.Name, Local: a.Local, Domain: a.Domain, Route: a.Route, Comments: a.Comments, Group: a.Group, Addr: a.Addr()}
	if a.Literal.IsValid() {
		w.Literal = a.Literal.String()
	}
	for f := Form(0); f < numForms; f++ {
		if a.Forms.Has(f) {
			w.Forms = append(w.Forms, f)
		}
	}
	return w
}

func forms(f ...Form) []Form { return f }

// The forms of the course's slides "Adresses Internet (1)-(3)" and the other
// forms the package takes.
var parseTests = []struct {
	in   string
	want want
}{
	// Adresses Internet (1)
	{"user1@domaine", want{Local: "user1", Domain: "domaine", Forms: forms(FormPlain), Addr: "user1@domaine"}},
	{"user1(Nom Prénom)@domaine", want{Local: "user1", Domain: "domaine", Comments: []string{"Nom Prénom"}, Forms: forms(FormComment), Addr: "user1@domaine"}},
	{`"Nom Prénom"@domaine`, want{Local: "Nom Prénom", Domain: "domaine", Forms: forms(FormQuotedLocal, FormUTF8Local), Addr: `"Nom Prénom"@domaine`}},
	// Adresses Internet (2)
	{"<@domaine2:user1@domaine3>", want{Local: "user1", Domain: "domaine3", Route: []string{"domaine2"}, Forms: forms(FormSourceRoute), Addr: "user1@domaine3"}},
	{"<@a,@b:u@c>", want{Local: "u", Domain: "c", Route: []string{"a", "b"}, Forms: forms(FormSourceRoute), Addr: "u@c"}},
	{"Relais <@[10.0.0.1],@b.example:u@c.example>", want{Name: "Relais", Local: "u", Domain: "c.example", Route: []string{"[10.0.0.1]", "b.example"}, Forms: forms(FormDisplayName, FormSourceRoute), Addr: "u@c.example"}},
	// Adresses Internet (3)
	{"user1@[192.168.42.1]", want{Local: "user1", Domain: "[192.168.42.1]", Literal: "192.168.42.1", Forms: forms(FormLiteral), Addr: "user1@[192.168.42.1]"}},
	{"u@[IPv6:2001:db8::1]", want{Local: "u", Domain: "[IPv6:2001:db8::1]", Literal: "2001:db8::1", Forms: forms(FormLiteralIPv6), Addr: "u@[IPv6:2001:db8::1]"}},
	{"u@[ipv6:::1]", want{Local: "u", Domain: "[IPv6:::1]", Literal: "::1", Forms: forms(FormLiteralIPv6), Addr: "u@[IPv6:::1]"}},
	{"u@[::1]", want{Local: "u", Domain: "[::1]", Literal: "::1", Forms: forms(FormLiteralIPv6), Addr: "u@[::1]"}},
	{"u@[ 192.168.42.1 ]", want{Local: "u", Domain: "[192.168.42.1]", Literal: "192.168.42.1", Forms: forms(FormLiteral, FormObsoleteSpaces), Addr: "u@[192.168.42.1]"}},
	// The course's SMTP session header block.
	{"jacques @ urec.fr", want{Local: "jacques", Domain: "urec.fr", Forms: forms(FormObsoleteSpaces), Addr: "jacques@urec.fr"}},
	{`"Jacques Selere" <jacques @ urec.fr>`, want{Name: "Jacques Selere", Local: "jacques", Domain: "urec.fr", Forms: forms(FormDisplayName, FormObsoleteSpaces), Addr: "jacques@urec.fr"}},
	{"paul@uvsq.fr (Paul Ochon)", want{Name: "Paul Ochon", Local: "paul", Domain: "uvsq.fr", Comments: []string{"Paul Ochon"}, Forms: forms(FormComment), Addr: "paul@uvsq.fr"}},
	// Obsolete dots and comments (RFC 5322 §4.4).
	{"first . last @ example . org", want{Local: "first.last", Domain: "example.org", Forms: forms(FormObsoleteSpaces), Addr: "first.last@example.org"}},
	{`"a b".c@x`, want{Local: "a b.c", Domain: "x", Forms: forms(FormQuotedLocal), Addr: `"a b.c"@x`}},
	{`"john"@example.com`, want{Local: "john", Domain: "example.com", Forms: forms(FormQuotedLocal), Addr: "john@example.com"}},
	{`"a\"b\\c"@x`, want{Local: `a"b\c`, Domain: "x", Forms: forms(FormQuotedLocal), Addr: `"a\"b\\c"@x`}},
	{"(leading) a@b (one) (two)", want{Name: "one", Local: "a", Domain: "b", Comments: []string{"leading", "one", "two"}, Forms: forms(FormComment), Addr: "a@b"}},
	{"a@b (x (nested) \\) y)", want{Name: "x (nested) ) y", Local: "a", Domain: "b", Comments: []string{"x (nested) ) y"}, Forms: forms(FormComment), Addr: "a@b"}},
	{"<a@b> (not a name)", want{Local: "a", Domain: "b", Comments: []string{"not a name"}, Forms: forms(FormComment), Addr: "a@b"}},
	{"a@b\r\n (folded\r\n comment)", want{Name: "folded comment", Local: "a", Domain: "b", Comments: []string{"folded comment"}, Forms: forms(FormComment), Addr: "a@b"}},
	// Display names.
	{"John Q. Public <john.q.public@example.com>", want{Name: "John Q. Public", Local: "john.q.public", Domain: "example.com", Forms: forms(FormDisplayName), Addr: "john.q.public@example.com"}},
	{"=?utf-8?q?Fran=C3=A7ois_P=C3=A9rez?= <f@x.fr>", want{Name: "François Pérez", Local: "f", Domain: "x.fr", Forms: forms(FormDisplayName, FormEncodedName), Addr: "f@x.fr"}},
	{"=?iso-8859-1?q?Andr=E9?= =?utf-8?b?IFrDqQ==?= Martin <a@b>", want{Name: "André Zé Martin", Local: "a", Domain: "b", Forms: forms(FormDisplayName, FormEncodedName), Addr: "a@b"}},
	{"=?windows-1252?q?=80uro?= <e@x>", want{Name: "€uro", Local: "e", Domain: "x", Forms: forms(FormDisplayName, FormEncodedName), Addr: "e@x"}},
	{"=?x-unknown?q?abc?= <e@x>", want{Name: "=?x-unknown?q?abc?=", Local: "e", Domain: "x", Forms: forms(FormDisplayName), Addr: "e@x"}},
	{`"=?utf-8?q?not_decoded?=" <e@x>`, want{Name: "=?utf-8?q?not_decoded?=", Local: "e", Domain: "x", Forms: forms(FormDisplayName), Addr: "e@x"}},
	{"a@b (=?utf-8?q?Z=C3=A9?= =?utf-8?q?_Z?=)", want{Name: "Zé Z", Local: "a", Domain: "b", Comments: []string{"Zé Z"}, Forms: forms(FormComment), Addr: "a@b"}},
	{"\"Bell\x07\" <a@b>", want{Name: "Bell\uFFFD", Local: "a", Domain: "b", Forms: forms(FormDisplayName), Addr: "a@b"}},
	// Internationalised addresses (RFC 6531, RFC 6532).
	{"δοκιμή@παράδειγμα.δοκιμή", want{Local: "δοκιμή", Domain: "παράδειγμα.δοκιμή", Forms: forms(FormUTF8Local, FormIDN), Addr: "δοκιμή@παράδειγμα.δοκιμή"}},
	{"info@bücher.ch", want{Local: "info", Domain: "bücher.ch", Forms: forms(FormIDN), Addr: "info@bücher.ch"}},
	{"info@xn--bcher-kva.ch", want{Local: "info", Domain: "xn--bcher-kva.ch", Forms: forms(FormIDN), Addr: "info@xn--bcher-kva.ch"}},
	// A group of one mailbox, as net/mail takes it.
	{"Team: a@b;", want{Local: "a", Domain: "b", Group: "Team", Forms: forms(FormPlain, FormGroup), Addr: "a@b"}},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		a, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if g := got(a); !reflect.DeepEqual(g, tt.want) {
			t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, g, tt.want)
		}
		if a.Raw != strings.TrimSpace(tt.in) && a.Group == "" {
			t.Errorf("Parse(%q).Raw = %q", tt.in, a.Raw)
		}
		checkAddress(t, tt.in, a)
	}
}

// TestCourseSession reads the header block of the course's SMTP session.
func TestCourseSession(t *testing.T) {
	fields := sessionHeader(t)
	from, err := ParseList(fields["From"])
	if err != nil || len(from) != 1 || from[0].String() != "Paul Ochon <paul@uvsq.fr>" {
		t.Fatalf("From: %v, %v", from, err)
	}
	to, err := ParseList(fields["To"])
	if err != nil {
		t.Fatal(err)
	}
	var strs []string
	for _, a := range to {
		strs = append(strs, a.String())
	}
	wantTo := []string{"Jean Breille <jean@jussieu.fr>", "Jacques Selere <jacques@urec.fr>"}
	if !reflect.DeepEqual(strs, wantTo) {
		t.Fatalf("To = %q, want %q", strs, wantTo)
	}
	if !to[1].Forms.Has(FormObsoleteSpaces) || !to[0].Forms.Has(FormComment) {
		t.Errorf("To forms: %v %v", Explain(to[0]), Explain(to[1]))
	}
	if _, err := mail.ParseAddressList(fields["To"]); err == nil {
		t.Errorf("net/mail now reads %q: the test no longer shows the difference", fields["To"])
	}
}

// sessionHeader returns the header fields of testdata/course-smtp-session.txt,
// between the DATA reply and the blank line.
func sessionHeader(t *testing.T) map[string]string {
	t.Helper()
	lines := strings.Split(readTestdata(t, "course-smtp-session.txt"), "\n")
	fields := map[string]string{}
	inData := false
	for _, l := range lines {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.HasPrefix(l, "354 "):
			inData = true
		case inData && l == "":
			return fields
		case inData:
			k, v, _ := strings.Cut(l, ":")
			fields[k] = strings.TrimSpace(v)
		}
	}
	t.Fatal("no header block in the session")
	return nil
}

// The examples of RFC 5322 Appendix A, field by field.
var appendixA = []struct {
	in   string
	want []string // String() of each address, groups flattened
	grp  []string // Group of each address
}{
	{"John Doe <jdoe@machine.example>", []string{"John Doe <jdoe@machine.example>"}, []string{""}},                         // A.1.1
	{`"Joe Q. Public" <john.q.public@example.com>`, []string{`"Joe Q. Public" <john.q.public@example.com>`}, []string{""}}, // A.1.2
	{"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>", []string{"Mary Smith <mary@x.test>", "jdoe@example.org", "Who? <one@y.test>"}, []string{"", "", ""}},
	{`<boss@nil.test>, "Giant; \"Big\" Box" <sysservices@example.net>`, []string{"boss@nil.test", `"Giant; \"Big\" Box" <sysservices@example.net>`}, []string{"", ""}},
	{"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", []string{"Ed Jones <c@a.test>", "joe@where.test", "John <jdoe@one.test>"}, []string{"A Group", "A Group", "A Group"}}, // A.1.3
	{"Undisclosed recipients:;", []string{"Undisclosed recipients:;"}, []string{"Undisclosed recipients"}},
	{"\"Mary Smith: Personal Account\" <smith@home.example>", []string{"\"Mary Smith: Personal Account\" <smith@home.example>"}, []string{""}}, // A.2
	{"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", []string{"Pete <pete@silly.test>"}, []string{""}},                       // A.5
	{"A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
		[]string{"Chris Jones <c@public.example>", "joe@example.org", "John <jdoe@one.test>"}, []string{"A Group", "A Group", "A Group"}},
	{"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", []string{"Hidden recipients:;"}, []string{"Hidden recipients"}},
	{"Joe Q. Public <john.q.public@example.com>", []string{`"Joe Q. Public" <john.q.public@example.com>`}, []string{""}}, // A.6.1
	{"Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example", []string{"Mary Smith <mary@example.net>", "jdoe@test.example"}, []string{"", ""}},
	{"John Doe <jdoe@machine(comment).  example>", []string{"John Doe <jdoe@machine.example>"}, []string{""}}, // A.6.3
	{"Mary Smith\r\n  \r\n          <mary@example.net>", []string{"Mary Smith <mary@example.net>"}, []string{""}},
}

func TestParseListAppendixA(t *testing.T) {
	for _, tt := range appendixA {
		list, err := ParseList(tt.in)
		if err != nil {
			t.Errorf("ParseList(%q): %v", tt.in, err)
			continue
		}
		var strs, grps []string
		for _, a := range list {
			strs, grps = append(strs, a.String()), append(grps, a.Group)
			checkAddress(t, tt.in, a)
		}
		if !reflect.DeepEqual(strs, tt.want) || !reflect.DeepEqual(grps, tt.grp) {
			t.Errorf("ParseList(%q)\n got %q %q\nwant %q %q", tt.in, strs, grps, tt.want, tt.grp)
		}
	}
}

func TestParseListGroups(t *testing.T) {
	list, err := ParseList("undisclosed-recipients:;")
	if err != nil || len(list) != 1 || !list[0].IsEmptyGroup() || list[0].Group != "undisclosed-recipients" || list[0].Addr() != "" {
		t.Fatalf("empty group: %#v, %v", list, err)
	}
	if n := Explain(list[0]); len(n) != 1 || n[0].Form != FormEmptyGroup {
		t.Errorf("empty group notes: %+v", n)
	}
	list, err = ParseList("Team: a@b, c@d;, e@f, Other: g@h")
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, a := range list {
		s = append(s, a.Group+"/"+a.Addr())
	}
	if w := []string{"Team/a@b", "Team/c@d", "/e@f", "Other/g@h"}; !reflect.DeepEqual(s, w) {
		t.Errorf("got %q, want %q", s, w)
	}
}

// TestParseListPartial checks that a bad address does not hide the others.
func TestParseListPartial(t *testing.T) {
	list, err := ParseList(`a@b, Jean Dupont, "x" <y@z>, Team: ok@g, bad@@g, ok2@g;, c@[1.2.3]`)
	var s []string
	for _, a := range list {
		s = append(s, a.Addr())
	}
	if w := []string{"a@b", "y@z", "ok@g", "ok2@g"}; !reflect.DeepEqual(s, w) {
		t.Errorf("got %q, want %q", s, w)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrNoAt) || pe.Pos != len("a@b, Jean Dupont") {
		t.Errorf("error %v, want ErrNoAt at the comma after Jean Dupont", err)
	}
}

var parseErrorTests = []struct {
	in     string
	reason error
	pos    int
}{
	{"", ErrEmpty, 0},
	{"   ", ErrEmpty, 3},
	{"(only a comment)", ErrEmpty, 16},
	{"user1", ErrNoAt, 5},
	{"Jean Dupont", ErrNoAt, 11},
	{"@domaine", ErrBadLocal, 0},
	{"user1@", ErrBadDomain, 6},
	{"a@b.", ErrBadDomain, 2},
	{".a@b", ErrBadLocal, 0},
	{"a..b@c", ErrBadLocal, 0},
	{`""@x`, ErrBadLocal, 2},
	{"\"a\x01\"@x", ErrBadLocal, 0},
	{"a)b@c", ErrSyntax, 1},
	{`"a" "b"@x`, ErrBadLocal, 4},
	{"a@[300.1.2.3]", ErrBadDomain, 2},
	{"a@[IPv6:1.2.3.4]", ErrBadDomain, 2},
	{"a@[fe80::1%eth0]", ErrBadDomain, 2},
	{"a@[general:tag]", ErrBadDomain, 2},
	{"a@[1.2.3.4", ErrUnterminated, 2},
	{`"Nom Prénom@domaine`, ErrUnterminated, 0},
	{"a@b (comment", ErrUnterminated, 4},
	{"Nom <a@b", ErrUnterminated, 4},
	{"Nom <>", ErrEmpty, 5},
	{"<@a:>", ErrEmpty, 4},
	{"<@a u@c>", ErrSyntax, 4},
	{"<@a@b:u@c>", ErrSyntax, 3},
	{"a@b, c@d", ErrSyntax, 3},
	{"a@b c@d", ErrSyntax, 4},
	{"Team: a@b, c@d;", ErrSyntax, 0},
	{"undisclosed-recipients:;", ErrEmpty, 0},
	{"Outer: Inner: a@b;;", ErrSyntax, 12},
	{"a\x00b@c", ErrSyntax, 1},
	{"\"a\x00\"@c", ErrSyntax, 2},
	{"a\rb@c", ErrSyntax, 1},
	{"a@b\nc", ErrSyntax, 3},
	{"\xff@b", ErrBadLocal, 0},
	{"a@\xff", ErrBadDomain, 2},
	{"a@b>", ErrSyntax, 3},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		a, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tt.reason) || pe.Pos != tt.pos || pe.Input != tt.in {
			t.Errorf("Parse(%q) = %v, %v; want %v at %d", tt.in, a, err, tt.reason, tt.pos)
		}
	}
}

// TestHostile feeds large and deeply nested inputs: they must end, without
// a panic, in linear time (a quadratic parser would take minutes here).
func TestHostile(t *testing.T) {
	const n = 20_000
	inputs := []string{
		strings.Repeat("(", n),
		strings.Repeat("(", n) + strings.Repeat(")", n) + "a@b",
		strings.Repeat("a@b, ", n),
		strings.Repeat(",", n),
		"a@" + strings.Repeat("b . ", n) + "c",
		strings.Repeat("=?utf-8?q?a?= ", n) + "<a@b>",
		"a@b (" + strings.Repeat("=?utf-8?q?a?= ", n) + ")",
		strings.Repeat("\"", n),
		strings.Repeat("<", n),
		strings.Repeat("<@a,", n),
		strings.Repeat("G:", n),
		"a@[" + strings.Repeat("1", n) + "]",
		strings.Repeat("\\", n),
		strings.Repeat("a.", n) + "@b",
	}
	for _, s := range inputs {
		_, _ = Parse(s)
		_, _ = ParseList(s)
		_, _ = ParsePath(s)
		_ = Validate(s)
	}
	list, err := ParseList(strings.Repeat("a@b, ", n))
	if err != nil || len(list) != n {
		t.Errorf("long list: %d addresses, %v", len(list), err)
	}
}

// TestNetMailAgrees runs the differential check on inputs where net/mail
// and a careless parser could part.
func TestNetMailAgrees(t *testing.T) {
	for _, s := range append(fuzzSeeds,
		"a@b (x (y))", "a@b(x)", "a@b\t(x\ty)", "a@b ( )", `"" <a@b>`, `"a b" c <x@y>`, "John.Doe <a@b>",
		"a@[::ffff:1.2.3.4]", "a@[1.2.3.4]", " a@b ", "<a@b>\t", "Team: a@b;", `"\ "@x`, "a@b.c (x) (y)",
		"é@é", "a!#$%&'*+-/=?^_`{|}~@b", "\"a@b\"@c", "a@b (\\(x)", "Name <a@b> (c)", "a . b <c@d>",
		"=?utf-8?q?a?= <b@c>", "x@y (=?utf-8?q?a?= =?utf-8?q?b?=)",
	) {
		a, err := Parse(s)
		netmailAgrees(t, s, a, err)
	}
}

func TestAddrAndString(t *testing.T) {
	tests := []struct {
		a          Address
		addr, disp string
	}{
		{Address{Local: "user1", Domain: "domaine"}, "user1@domaine", "user1@domaine"},
		{Address{Local: "Nom Prénom", Domain: "domaine"}, `"Nom Prénom"@domaine`, `"Nom Prénom"@domaine`},
		{Address{Local: "a.b", Domain: "c"}, "a.b@c", "a.b@c"},
		{Address{Local: "a..b", Domain: "c"}, `"a..b"@c`, `"a..b"@c`},
		{Address{Local: `a"b`, Domain: "c"}, `"a\"b"@c`, `"a\"b"@c`},
		{Address{Name: "Jean Breille", Local: "jean", Domain: "jussieu.fr"}, "jean@jussieu.fr", "Jean Breille <jean@jussieu.fr>"},
		{Address{Name: "Q. Public", Local: "q", Domain: "x"}, "q@x", `"Q. Public" <q@x>`},
		{Address{Name: "François", Local: "f", Domain: "x"}, "f@x", "François <f@x>"},
		{Address{Name: "=?utf-8?q?x?=", Local: "f", Domain: "x"}, "f@x", `"=?utf-8?q?x?=" <f@x>`},
		{Address{Local: "postmaster"}, "postmaster", "postmaster"},
		{Address{Local: "u", Domain: "c", Route: []string{"a"}}, "u@c", "u@c"},
	}
	for _, tt := range tests {
		if g := tt.a.Addr(); g != tt.addr {
			t.Errorf("Addr() = %q, want %q", g, tt.addr)
		}
		if g := tt.a.String(); g != tt.disp {
			t.Errorf("String() = %q, want %q", g, tt.disp)
		}
	}
}

func TestDomains(t *testing.T) {
	tests := []struct {
		in, ascii, unicode string
		utf8               bool
	}{
		{"δοκιμή@παράδειγμα.δοκιμή", "xn--hxajbheg2az3al.xn--jxalpdlp", "παράδειγμα.δοκιμή", true},
		{"info@Bücher.CH", "xn--bcher-kva.ch", "bücher.ch", false},
		{"info@xn--bcher-kva.ch", "xn--bcher-kva.ch", "bücher.ch", false},
		{"用户@例子.广告", "xn--fsqu00a.xn--4rr70v", "例子.广告", true},
		{"a@Example.COM", "Example.COM", "Example.COM", false},
		{"a@[192.168.42.1]", "[192.168.42.1]", "[192.168.42.1]", false},
		{"a@under_score.example", "under_score.example", "under_score.example", false},
	}
	for _, tt := range tests {
		a, err := Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		ascii, err := a.ASCIIDomain()
		if err != nil || ascii != tt.ascii {
			t.Errorf("%q ASCIIDomain() = %q, %v; want %q", tt.in, ascii, err, tt.ascii)
		}
		uni, err := a.UnicodeDomain()
		if err != nil || uni != tt.unicode {
			t.Errorf("%q UnicodeDomain() = %q, %v; want %q", tt.in, uni, err, tt.unicode)
		}
		if a.NeedsSMTPUTF8() != tt.utf8 {
			t.Errorf("%q NeedsSMTPUTF8() = %v", tt.in, !tt.utf8)
		}
	}
	if _, err := (Address{Local: "a", Domain: "a\u0600b.xn--z"}).ASCIIDomain(); !errors.Is(err, ErrBadDomain) {
		t.Errorf("bad IDN: %v, want ErrBadDomain", err)
	}
}

func TestExplain(t *testing.T) {
	a, err := Parse("Relais <@domaine2:user1(Nom)@[192.168.42.1]>")
	if err != nil {
		t.Fatal(err)
	}
	var got []Form
	for _, n := range Explain(a) {
		got = append(got, n.Form)
		if n.Text == "" || n.Ref == "" || !strings.HasPrefix(n.Ref, "RFC ") {
			t.Errorf("note %v: %+v", n.Form, n)
		}
	}
	if w := forms(FormDisplayName, FormComment, FormSourceRoute, FormLiteral); !reflect.DeepEqual(got, w) {
		t.Errorf("forms %v, want %v", got, w)
	}
	n := Explain(a)
	if !n[2].Deprecated || n[2].Ref != "RFC 1123 §5.2.19; RFC 5321 §3.6.1, Appendix C" || n[0].Deprecated {
		t.Errorf("source route note: %+v", n[2])
	}
	for f := Form(0); f < numForms; f++ {
		if notes[f].Form != f || f.String() == "unknown" {
			t.Errorf("note table out of order at %d", f)
		}
	}
	if Form(-1).String() != "unknown" || numForms.String() != "unknown" {
		t.Error("String of an unknown form")
	}
}
