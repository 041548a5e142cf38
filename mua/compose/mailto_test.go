package compose

import (
	"errors"
	"strings"
	"testing"

	"facteur/mua/account"
)

func TestParseMailto(t *testing.T) {
	me := account.Identity{Address: "marc@machin.com"}
	tests := []struct {
		uri                             string
		to, cc, bcc, subject, body, irt string
	}{
		{"mailto:fred@truc.fr", "fred@truc.fr", "", "", "", "", ""},
		{"mailto:fred@truc.fr,paul@uvsq.fr?cc=jacques@urec.fr&bcc=x@y.fr", "fred@truc.fr,paul@uvsq.fr", "jacques@urec.fr", "x@y.fr", "", "", ""},
		{"MAILTO:?to=fred@truc.fr&subject=R%C3%A9union%20lundi&body=Ligne%201%0D%0ALigne+2", "fred@truc.fr", "", "", "Réunion lundi", "Ligne 1\nLigne+2", ""},
		{"mailto:list@truc.fr?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E", "list@truc.fr", "", "", "", "", "3469A91.D10AF4C@example.com"},
		{"mailto:a@b.fr?to=c@d.fr&subject=x%0D%0ABcc:%20evil@x.org&x-unknown=1", "a@b.fr, c@d.fr", "", "", "x Bcc: evil@x.org", "", ""},
		{"mailto:%22not%40me%22@example.org", `"not@me"@example.org`, "", "", "", "", ""},
	}
	for _, tt := range tests {
		d, err := ParseMailto(tt.uri, me)
		if err != nil {
			t.Errorf("%s: %v", tt.uri, err)
			continue
		}
		if d.To != tt.to || d.Cc != tt.cc || d.Bcc != tt.bcc || d.Subject != tt.subject || d.Body != tt.body || d.InReplyTo != tt.irt {
			t.Errorf("%s = %+v", tt.uri, d)
		}
	}
	for _, bad := range []string{"http://x", "mailto:a@b?subject=%zz", "mailto:%"} {
		if _, err := ParseMailto(bad, me); !errors.Is(err, ErrBadMailto) {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}

func TestMailtoBuilds(t *testing.T) {
	d, err := ParseMailto("mailto:fred@truc.fr?subject=Salut&body=%C3%A0%20bient%C3%B4t", account.Identity{Name: "Marc", Address: "marc@machin.com"})
	if err != nil {
		t.Fatal(err)
	}
	m := mustBuild(t, d)
	if pm := parseBuilt(t, m); pm.Subject != "Salut" || !strings.Contains(pm.Text, "à bientôt") {
		t.Fatalf("%q %q", pm.Subject, pm.Text)
	}
}

func FuzzMailto(f *testing.F) {
	for _, s := range []string{
		"mailto:fred@truc.fr", "mailto:a@b,c@d?cc=e@f&bcc=g@h&subject=%E2%82%AC&body=x%0D%0Ay",
		"mailto:?to=%22a%20b%22@c.d", "mailto:a@b?subject=%0d%0aBcc:x@y", "mailto:%", "mailto:?&&==&",
	} {
		f.Add(s)
	}
	me := account.Identity{Name: "Marc", Address: "marc@machin.com"}
	f.Fuzz(func(t *testing.T, uri string) {
		d, err := ParseMailto(uri, me)
		if err != nil {
			return
		}
		for _, v := range []string{d.To, d.Cc, d.Bcc, d.Subject, d.InReplyTo} {
			if strings.ContainsAny(v, "\r\n") {
				t.Fatalf("line break in a header value from %q: %q", uri, v)
			}
		}
		if m, err := Build(d, now); err == nil && strings.Contains(strings.ToLower(string(m.Raw)), "\nbcc:") {
			t.Fatalf("Bcc header written from %q", uri)
		}
	})
}
