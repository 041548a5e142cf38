package localmta

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const courseTable = `# the course's transport_maps example
example.com    smtp:[192.168.23.56]:20025
.sub.example   smtp:relay.example:2525
local.test     local:
dead.test      error:mailbox gone
v6.test        smtp:[2001:db8::1]:25
*              smtp:[smarthost.example]
`

func TestTransportTable(t *testing.T) {
	tt, err := ParseTransportTable(strings.NewReader(courseTable))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rcpt string
		want Transport
	}{
		{"u@example.com", Transport{Kind: TransportSMTP, Host: "192.168.23.56", Port: 20025, NoMX: true}},
		{"u@a.b.sub.example", Transport{Kind: TransportSMTP, Host: "relay.example", Port: 2525}},
		{"u@local.test", Transport{Kind: TransportLocal}},
		{"u@dead.test", Transport{Kind: TransportError, Text: "mailbox gone"}},
		{"u@v6.test", Transport{Kind: TransportSMTP, Host: "2001:db8::1", Port: 25, NoMX: true}},
		{"u@sub.example", Transport{Kind: TransportSMTP, Host: "smarthost.example", NoMX: true}}, // ".sub.example" is for subdomains only
		{"u@anything.org", Transport{Kind: TransportSMTP, Host: "smarthost.example", NoMX: true}},
		{"U@Example.COM.", Transport{Kind: TransportSMTP, Host: "192.168.23.56", Port: 20025, NoMX: true}},
		// a local part is no domain: only "*" matches an address without one
		{"example.com", Transport{Kind: TransportSMTP, Host: "smarthost.example", NoMX: true}},
		{`"u@dead.test"@anything.org`, Transport{Kind: TransportSMTP, Host: "smarthost.example", NoMX: true}},
	}
	for _, c := range cases {
		got, ok := tt.Lookup(c.rcpt)
		if !ok || got != c.want {
			t.Errorf("Lookup(%s) = %+v %v, want %+v", c.rcpt, got, ok, c.want)
		}
	}
	if s := tt["example.com"].String(); s != "smtp:[192.168.23.56]:20025" {
		t.Errorf("String %q", s)
	}
	for _, bad := range []string{"a.com", "a.com foo", "a.com smtp:[x", "a.com smtp:h:99999", "a.com pigeon:x", "a.com smtp:[]"} {
		if _, err := ParseTransportTable(strings.NewReader(bad)); !errors.Is(err, ErrTransportSyntax) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestAliases(t *testing.T) {
	a, err := ParseAliases(strings.NewReader(`# /etc/aliases
postmaster: root
root: root, admin@remote.test
staff: marc,
	anne, Postmaster
loop1: loop2
loop2: loop1
self@machin.com: x
`))
	if err == nil {
		t.Fatal("an alias name with @ accepted")
	}
	a, err = ParseAliases(strings.NewReader("postmaster: root\nroot: root, admin@remote.test\nstaff: marc,\n\tanne, Postmaster\nloop1: loop2\nloop2: loop1\nback: marc@machin.com\nodd: x@y@machin.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	local := func(addr string) (string, bool) {
		i := strings.LastIndexByte(addr, '@')
		return addr[:i], addr[i+1:] == "machin.com"
	}
	remote := AliasTarget{Name: "admin@remote.test", Remote: true}
	cases := map[string][]AliasTarget{
		"staff": {{Name: "marc"}, {Name: "anne"}, {Name: "root"}, remote},
		"root":  {{Name: "root"}, remote},
		"back":  {{Name: "marc"}},
		"marc":  {{Name: "marc"}},
		"odd":   {{Name: "x@y"}}, // a local address with '@' in its local part
		// a name that is no alias is a mailbox, whatever it holds
		"victim@remote.test": {{Name: "victim@remote.test"}},
		"a%b.test":           {{Name: "a%b.test"}},
		"b.test!a":           {{Name: "b.test!a"}},
	}
	for name, want := range cases {
		got, err := a.Expand(name, local)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Expand(%s) = %+v %v, want %+v", name, got, err, want)
		}
	}
	if _, err := a.Expand("loop1", local); !errors.Is(err, ErrAliasLoop) {
		t.Errorf("loop: %v", err)
	}
	for _, bad := range []string{"x: |/bin/sh", "x: /tmp/file", "x: :include:/etc/list", ": a", "x:"} {
		if _, err := ParseAliases(strings.NewReader(bad)); !errors.Is(err, ErrAliasSyntax) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzTransportTable(f *testing.F) {
	f.Add(courseTable)
	f.Add("x [::1]:25\n")
	f.Add("a smtp:[IPv6:2001:db8::1]:25")
	f.Fuzz(func(t *testing.T, s string) {
		tt, err := ParseTransportTable(strings.NewReader(s))
		if err != nil {
			return
		}
		for k, tr := range tt {
			again, err := ParseTransport(tr.String())
			if err != nil || again != tr {
				t.Fatalf("%s: %+v -> %q -> %+v %v", k, tr, tr.String(), again, err)
			}
			tt.Lookup("u@" + strings.TrimPrefix(k, "."))
		}
	})
}

func FuzzAliases(f *testing.F) {
	f.Add("postmaster: root\nroot: root, a@b\nstaff: x,\n y, postmaster\n")
	f.Add("a: b\nb: a\n")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAliases(strings.NewReader(s))
		if err != nil {
			return
		}
		local := func(addr string) (string, bool) { l, d, _ := strings.Cut(addr, "@"); return l, d == "here" }
		for name := range a {
			out, err := a.Expand(name, local)
			if err != nil && !errors.Is(err, ErrAliasLoop) {
				t.Fatal(err)
			}
			for _, o := range out {
				if o.Name == "" {
					t.Fatalf("empty target from %q", name)
				}
			}
		}
	})
}
