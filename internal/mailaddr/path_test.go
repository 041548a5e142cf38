package mailaddr

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var pathTests = []struct {
	in     string
	null   bool
	addr   string
	route  []string
	params map[string]string
	forms  []Form
	str    string
}{
	{"<paul@uvsq.fr>", false, "paul@uvsq.fr", nil, nil, forms(FormPlain), "<paul@uvsq.fr>"},
	{" <paul@uvsq.fr>", false, "paul@uvsq.fr", nil, nil, forms(FormPlain), "<paul@uvsq.fr>"},
	{"MAIL FROM: <paul@uvsq.fr>", false, "paul@uvsq.fr", nil, nil, forms(FormPlain), "<paul@uvsq.fr>"},
	{"rcpt to:<jean@jussieu.fr>\r\n", false, "jean@jussieu.fr", nil, nil, forms(FormPlain), "<jean@jussieu.fr>"},
	{"<>", true, "", nil, nil, forms(FormNullPath), "<>"},
	{"MAIL FROM:<> BODY=8BITMIME", true, "", nil, map[string]string{"BODY": "8BITMIME"}, forms(FormNullPath, FormParams), "<>"},
	{"<postmaster>", false, "postmaster", nil, nil, forms(FormPostmaster), "<postmaster>"},
	{"RCPT TO:<Postmaster>", false, "Postmaster", nil, nil, forms(FormPostmaster), "<Postmaster>"},
	{"<a@b> SIZE=100 BODY=8BITMIME", false, "a@b", nil, map[string]string{"SIZE": "100", "BODY": "8BITMIME"}, forms(FormPlain, FormParams), "<a@b>"},
	{"MAIL FROM:<a@b> size=100 smtputf8  ret=HDRS envid=QQ314159", false, "a@b", nil, map[string]string{"SIZE": "100", "SMTPUTF8": "", "RET": "HDRS", "ENVID": "QQ314159"}, forms(FormPlain, FormParams), "<a@b>"},
	{"RCPT TO:<u@c.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u+40c.example", false, "u@c.example", nil, map[string]string{"NOTIFY": "SUCCESS,FAILURE", "ORCPT": "rfc822;u+40c.example"}, forms(FormPlain, FormParams), "<u@c.example>"},
	{"<@domaine2:user1@domaine3>", false, "user1@domaine3", []string{"domaine2"}, nil, forms(FormSourceRoute), "<user1@domaine3>"},
	{"<@a.example,@b.example:u@c.example>", false, "u@c.example", []string{"a.example", "b.example"}, nil, forms(FormSourceRoute), "<u@c.example>"},
	{"<user1@[192.168.42.1]>", false, "user1@[192.168.42.1]", nil, nil, forms(FormLiteral), "<user1@[192.168.42.1]>"},
	{"<u@[IPv6:2001:db8::1]>", false, "u@[IPv6:2001:db8::1]", nil, nil, forms(FormLiteralIPv6), "<u@[IPv6:2001:db8::1]>"},
	{`<"Nom Prénom"@domaine>`, false, `"Nom Prénom"@domaine`, nil, nil, forms(FormQuotedLocal, FormUTF8Local), `<"Nom Prénom"@domaine>`},
	{`<"a>b"@c>`, false, `"a>b"@c`, nil, nil, forms(FormQuotedLocal), `<"a>b"@c>`},
	{"<δοκιμή@παράδειγμα.δοκιμή> SMTPUTF8", false, "δοκιμή@παράδειγμα.δοκιμή", nil, map[string]string{"SMTPUTF8": ""}, forms(FormUTF8Local, FormIDN, FormParams), "<δοκιμή@παράδειγμα.δοκιμή>"},
	{"MAIL FROM:paul@uvsq.fr SIZE=10", false, "paul@uvsq.fr", nil, map[string]string{"SIZE": "10"}, forms(FormPlain, FormParams, FormNoBrackets), "<paul@uvsq.fr>"},
}

func TestParsePath(t *testing.T) {
	for _, tt := range pathTests {
		p, err := ParsePath(tt.in)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", tt.in, err)
			continue
		}
		g := got(p.Address)
		if p.Null != tt.null || g.Addr != tt.addr || !reflect.DeepEqual(g.Route, tt.route) ||
			!reflect.DeepEqual(p.Params, tt.params) || !reflect.DeepEqual(g.Forms, tt.forms) || p.String() != tt.str {
			t.Errorf("ParsePath(%q) = %+v %v %q %v %s", tt.in, p.Null, g, p.Params, g.Forms, p)
		}
	}
}

// TestCourseSessionPaths reads the MAIL FROM and RCPT TO lines of the
// course's session, with the space after the colon.
func TestCourseSessionPaths(t *testing.T) {
	var got []string
	for _, l := range strings.Split(readTestdata(t, "course-smtp-session.txt"), "\n") {
		if strings.HasPrefix(l, "MAIL FROM:") || strings.HasPrefix(l, "RCPT TO:") {
			p, err := ParsePath(l)
			if err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			got = append(got, p.String())
		}
	}
	if w := []string{"<paul@uvsq.fr>", "<jean@jussieu.fr>"}; !reflect.DeepEqual(got, w) {
		t.Errorf("paths %q, want %q", got, w)
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		in     string
		reason error
		pos    int
	}{
		{"", ErrEmpty, 0},
		{"MAIL FROM:", ErrEmpty, 10},
		{"<a@b", ErrUnterminated, 0},
		{"MAIL FROM: <a@b", ErrUnterminated, 11},
		{"<a@b>x", ErrSyntax, 5},
		{"<jacques @ urec.fr>", ErrSyntax, 9},
		{"<a(comment)@b>", ErrSyntax, 2},
		{"<a@b_c.example>", ErrBadDomain, 3},
		{"<a@1.2.3.4>", ErrBadDomain, 3},
		{"<a@[1.2.3]>", ErrBadDomain, 3},
		{"<a>", ErrNoAt, 2},
		{"<@a:>", ErrEmpty, 4},
		{"<a@b> SIZE=", ErrBadParam, 5},
		{"<a@b> -X=1", ErrBadParam, 5},
		{"<a@b> SIZE=1 size=2", ErrBadParam, 5},
		{"<a@b> X=a=b", ErrBadParam, 5},
		{"<Nom <a@b>>", ErrSyntax, 10},
		{"<a@b\r\n>", ErrSyntax, 4},
		{"<a@b> SIZE=1\r\nRCPT TO:<c@d>", ErrSyntax, 12},
		{"<a@b >", ErrSyntax, 4},
		{"< a@b>", ErrSyntax, 2},
	}
	for _, tt := range tests {
		p, err := ParsePath(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tt.reason) || pe.Pos != tt.pos || pe.Input != tt.in {
			t.Errorf("ParsePath(%q) = %+v, %v; want %v at %d", tt.in, p, err, tt.reason, tt.pos)
		}
	}
}
