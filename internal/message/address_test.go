package message

import (
	"reflect"
	"strings"
	"testing"
)

func TestAddresses(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
		bad  bool
	}{
		{"fred@truc.fr", []Address{{"", "fred@truc.fr"}}, false},
		{`"Christian CALECA" <christian.caleca@w-n-doo.fr>`, []Address{{"Christian CALECA", "christian.caleca@w-n-doo.fr"}}, false},
		{"Fred <fred@truc.fr>, marc@machin.com", []Address{{"Fred", "fred@truc.fr"}, {"", "marc@machin.com"}}, false},
		{"=?iso-8859-1?q?Fr=E9d=E9ric?= <fred@truc.fr>", []Address{{"Frédéric", "fred@truc.fr"}}, false},
		{`"=?utf-8?b?RnLDqWTDqXJpYw==?=" <fred@truc.fr>`, []Address{{"Frédéric", "fred@truc.fr"}}, false},
		{"paul@uvsq.fr (Paul Ochon)", []Address{{"Paul Ochon", "paul@uvsq.fr"}}, false},
		// Legacy forms of the course, read by the lenient parser.
		{`"Jacques Selere" <jacques @ urec.fr>`, []Address{{"Jacques Selere", "jacques@urec.fr"}}, false},
		{"<@relay.fr,@gw.fr:jean@jussieu.fr>", []Address{{"", "jean@jussieu.fr"}}, false},
		{"user@[192.168.42.1]", []Address{{"", "user@[192.168.42.1]"}}, false},
		{"Team: a@b.c, Bob <d@e.f>;, z@y.x", []Address{{"", "a@b.c"}, {"Bob", "d@e.f"}, {"", "z@y.x"}}, false},
		{"undisclosed-recipients:;", []Address{}, false},
		{"root", []Address{{"", "root"}}, false},
		{"Fr\xe9d\xe9ric <fred@truc.fr>", []Address{{"Frédéric", "fred@truc.fr"}}, false},
		{"John Q. Public <jqp@x.org>, (comment only) <c@d.e>", []Address{{"John Q. Public", "jqp@x.org"}, {"comment only", "c@d.e"}}, false},
		{`"Doe, John" <john@example.com>`, []Address{{"Doe, John", "john@example.com"}}, false},
		{`"unterminated <a@b.c>`, []Address{{"unterminated", "a@b.c"}}, false},
		{"Name Only", []Address{{"Name Only", ""}}, false},
		{"<a@b.c", []Address{{"", "a@b.c"}}, false},
		{",,,", nil, true},
	}
	for _, tt := range tests {
		m, err := Parse(strings.NewReader("To: "+tt.in+"\n\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.To) == 0 && len(tt.want) == 0 {
			m.To = tt.want
		}
		if !reflect.DeepEqual(m.To, tt.want) {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, m.To, tt.want)
		}
		if bad := len(m.Problems) > 0; bad != tt.bad {
			t.Errorf("%q: problems %v", tt.in, m.Problems)
		}
	}
}

func TestMsgIDs(t *testing.T) {
	tests := []struct {
		in     string
		single bool
		want   []string
	}{
		{"<a@b>", true, []string{"a@b"}},
		{"a@b", true, []string{"a@b"}},
		{"a b", true, nil},
		{"<a@b> <c@d>\t<e\n @f>", false, []string{"a@b", "c@d", "e@f"}},
		{"<a@b> (from x) Your message of Monday", false, []string{"a@b"}},
		{"c@d, e@f", false, []string{"c@d", "e@f"}},
		{"<a@b", false, []string{"a@b"}},
	}
	for _, tt := range tests {
		if got := msgIDs(tt.in, tt.single); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("msgIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	many := strings.Repeat("<x@y> ", 500) + "<last@y>"
	ids := msgIDs(many, false)
	if len(ids) != maxIDs || ids[len(ids)-1] != "last@y" {
		t.Errorf("%d ids, last %q", len(ids), ids[len(ids)-1])
	}
}

func TestObsoleteFieldSyntax(t *testing.T) {
	m, err := Parse(strings.NewReader("From : fred@truc.fr\nSubject\t: x\n\nbody"), Options{})
	if err != nil || len(m.From) != 1 || m.From[0].Addr != "fred@truc.fr" || m.Subject != "x" {
		t.Fatalf("%v %+v", err, m)
	}
}
