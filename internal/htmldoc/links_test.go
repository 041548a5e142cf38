package htmldoc

import "testing"

func TestStripTracking(t *testing.T) {
	tests := []struct {
		in, want string
		removed  int
	}{
		{"https://shop.example/item?id=42&utm_source=news&utm_medium=email&UTM_Campaign=x", "https://shop.example/item?id=42", 3},
		{"https://e.example/?fbclid=abc", "https://e.example/", 1},
		{"https://e.example/p?a=1&gclid=z&b=2#frag", "https://e.example/p?a=1&b=2#frag", 1},
		{"https://e.example/p?mc_eid=1&mc_cid=2&_hsenc=3&__hstc=4&pk_campaign=5&mtm_source=6", "https://e.example/p", 6},
		{"https://e.example/p?utm%5Fsource=x&q=%C3%A9", "https://e.example/p?q=%C3%A9", 1},
		{"https://e.example/p?reference=1&utmost=2", "https://e.example/p?reference=1&utmost=2", 0},
		{"https://e.example/#utm_source=x", "https://e.example/#utm_source=x", 0},
		{"mailto:a@b.example?subject=utm_source", "mailto:a@b.example?subject=utm_source", 0},
		{"https://e.example/p", "https://e.example/p", 0},
	}
	for _, tt := range tests {
		got, n := StripTracking(tt.in)
		if got != tt.want || n != tt.removed {
			t.Errorf("StripTracking(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.removed)
		}
	}
}

func TestLinkHint(t *testing.T) {
	tests := []struct{ text, href, want string }{
		{"www.paypal.com", "https://evil.example/login", "evil.example"},
		{"https://paypal.com/signin", "http://paypal.com.evil.example/", "paypal.com.evil.example"},
		{"paypal.com/account", "https://www.paypal.com/account", ""},
		{"example.com", "https://click.example.com/t/123", ""},
		{"HTTPS://WWW.Example.COM", "https://example.com/", ""},
		{"Click here", "https://evil.example/", ""},
		{"Read more", "https://e.example/", ""},
		{"v1.2", "https://e.example/", ""},
		{"help@bank.example", "mailto:help@evil.example", "help@evil.example"},
		{"help@bank.example", "mailto:Help@Bank.example?subject=x", ""},
		{"bank.example", "mailto:x@evil.example", ""},
	}
	for _, tt := range tests {
		if got := LinkHint(tt.text, tt.href); got != tt.want {
			t.Errorf("LinkHint(%q, %q) = %q, want %q", tt.text, tt.href, got, tt.want)
		}
	}
}

func TestColors(t *testing.T) {
	tests := []struct {
		in   string
		want Color
		ok   bool
	}{
		{"#c00", Color{0xcc, 0, 0, true}, true},
		{"#1A73E8", Color{0x1a, 0x73, 0xe8, true}, true},
		{"1a73e8", Color{0x1a, 0x73, 0xe8, true}, true},
		{"rgb(255, 0, 0)", Color{255, 0, 0, true}, true},
		{"rgba(0,0,255,0.9)", Color{0, 0, 255, true}, true},
		{"rgba(0,0,255,0.1)", Color{}, false},
		{"rgb(100%, 50%, 0%)", Color{255, 128, 0, true}, true},
		{"Navy", Color{0, 0, 128, true}, true},
		{"transparent", Color{}, false},
		{"#12345", Color{}, false},
	}
	for _, tt := range tests {
		got, ok := parseColor(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseColor(%q) = %+v, %v", tt.in, got, ok)
		}
	}
	white, dark := Color{255, 255, 255, true}, Color{0x17, 0x17, 0x18, true}
	for _, c := range []struct {
		c  Color
		ok bool
	}{
		{Color{0xd9, 0x30, 0x25, true}, true},  // a newsletter's red
		{Color{0x1a, 0x73, 0xe8, true}, true},  // Google's blue
		{Color{0, 0, 0, true}, false},          // black vanishes in the dark
		{Color{255, 255, 255, true}, false},    // white vanishes in the light
		{Color{0x99, 0x99, 0x99, true}, false}, // light grey in the light
		{Color{}, false},
	} {
		if got := Readable(c.c, white, dark); got != c.ok {
			t.Errorf("Readable(%+v) = %v (contrasts %.2f, %.2f)", c.c, got, Contrast(c.c, white), Contrast(c.c, dark))
		}
	}
}
