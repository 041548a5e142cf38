package ascii

import "testing"

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", true},
		{"marc@machin.com", true},
		{"\x00\x7f", true},
		{"Frédéric", false},
		{"\x80", false},
		{"abc\xff", false},
	} {
		if got := Is(tc.in); got != tc.want {
			t.Errorf("Is(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if got := Is([]byte(tc.in)); got != tc.want {
			t.Errorf("Is([]byte(%q)) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
