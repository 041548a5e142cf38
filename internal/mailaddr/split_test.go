package mailaddr

import "testing"

func TestSplit(t *testing.T) {
	for _, tc := range []struct{ in, local, domain string }{
		{"marc@Machin.COM", "marc", "machin.com"},
		{"marc@machin.com.", "marc", "machin.com"},
		{`"a@b"@truc.fr`, `"a@b"`, "truc.fr"},
		{"u@[192.168.42.1]", "u", "[192.168.42.1]"},
		{"postmaster", "postmaster", ""},
		{"", "", ""},
		{"@x.org", "", "x.org"},
	} {
		l, d := Split(tc.in)
		if l != tc.local || d != tc.domain {
			t.Errorf("Split(%q) = %q, %q; want %q, %q", tc.in, l, d, tc.local, tc.domain)
		}
		if got := Domain(tc.in); got != tc.domain {
			t.Errorf("Domain(%q) = %q, want %q", tc.in, got, tc.domain)
		}
	}
}
