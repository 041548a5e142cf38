package mtasts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		mode   Mode
		mx     []string
		maxAge time.Duration
		errSub string
	}{
		{"RFC 8461 §3.2 example", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n",
			ModeEnforce, []string{"mail.example.com", "*.example.net", "backupmx.example.com"}, 604800 * time.Second, ""},
		{"LF, no final newline, any order", "mode: testing\nmax_age: 86400\nmx: MX.Example.ORG.\nversion: STSv1",
			ModeTesting, []string{"mx.example.org"}, 86400 * time.Second, ""},
		{"none without mx", "version: STSv1\nmode: none\nmax_age: 0\n", ModeNone, nil, 0, ""},
		{"unknown key ignored", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 10\nfuture_key: whatever\n", ModeEnforce, []string{"a.example"}, 10 * time.Second, ""},
		{"max_age capped", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 9999999999\n", ModeEnforce, []string{"a.example"}, MaxAgeLimit, ""},
		{"spaces after the colon", "version:STSv1\nmode:\tenforce\nmx:  a.example \nmax_age: 1\n", ModeEnforce, []string{"a.example"}, time.Second, ""},
		{"no version", "mode: enforce\nmx: a.example\nmax_age: 1\n", "", nil, 0, "no version"},
		{"bad version", "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "", nil, 0, "not STSv1"},
		{"bad mode", "version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "", nil, 0, "not enforce"},
		{"no mode", "version: STSv1\nmx: a.example\nmax_age: 1\n", "", nil, 0, "no mode"},
		{"no max_age", "version: STSv1\nmode: enforce\nmx: a.example\n", "", nil, 0, "no max_age"},
		{"bad max_age", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "", nil, 0, "not a number"},
		{"max_age too long", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n", "", nil, 0, "not a number"},
		{"enforce without mx", "version: STSv1\nmode: enforce\nmax_age: 1\n", "", nil, 0, "no mx"},
		{"mode twice", "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\n", "", nil, 0, "twice"},
		{"bad pattern", "version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", "", nil, 0, "not a host name"},
		{"pattern in the middle", "version: STSv1\nmode: enforce\nmx: mail.*.example\nmax_age: 1\n", "", nil, 0, "not a host name"},
		{"empty mx", "version: STSv1\nmode: enforce\nmx:\nmax_age: 1\n", "", nil, 0, "not a host name"},
		{"not key: value", "version: STSv1\nmode enforce\nmx: a.example\nmax_age: 1\n", "", nil, 0, "line 2"},
		{"blank line", "version: STSv1\n\nmode: enforce\nmx: a.example\nmax_age: 1\n", "", nil, 0, "line 2"},
		{"HTML", "<html><body>not found</body></html>", "", nil, 0, "line 1"},
		{"empty", "", "", nil, 0, "line 1"},
	}
	for _, tt := range tests {
		p, err := ParsePolicy([]byte(tt.body))
		if tt.errSub != "" {
			if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("%s: error %v; want ErrSyntax with %q", tt.name, err, tt.errSub)
			}
			continue
		}
		if err != nil || p.Mode != tt.mode || !slices.Equal(p.MX, tt.mx) || p.MaxAge != tt.maxAge || p.MaxAgeSeconds != int64(tt.maxAge/time.Second) || p.Version != "STSv1" {
			t.Errorf("%s: %+v, %v; want mode %s mx %q max_age %v", tt.name, p, err, tt.mode, tt.mx, tt.maxAge)
		}
	}
}

func TestMatch(t *testing.T) {
	p := Policy{Mode: ModeEnforce, MX: []string{"mail.example.com", "*.example.net"}}
	tests := []struct {
		host string
		want bool
	}{
		{"mail.example.com", true},
		{"MAIL.Example.com.", true},
		{"mail2.example.com", false},
		{"example.com", false},
		{"a.example.net", true},
		{"A.EXAMPLE.NET.", true},
		{"example.net", false},        // the wildcard stands for one label (RFC 8461 §4.1)
		{"a.b.example.net", false},    // only one
		{".example.net", false},       // an empty label is not one
		{"a.example.net.evil", false}, // the whole name
		{"", false},
	}
	for _, tt := range tests {
		if got := p.Match(tt.host); got != tt.want {
			t.Errorf("Match(%q) = %v; want %v", tt.host, got, tt.want)
		}
	}
	var none *Policy
	if none.Enforced() || (&Policy{Mode: ModeTesting}).Enforced() || !p.Enforced() {
		t.Errorf("Enforced is wrong")
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
	f.Add("version: STSv1\nmode: none\nmax_age: 0\n")
	f.Add("mode:testing\nmax_age:1\nmx:a\nversion:STSv1")
	f.Fuzz(func(t *testing.T, body string) {
		p, err := ParsePolicy([]byte(body))
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("%q: error %v is not ErrSyntax", body, err)
			}
			return
		}
		if p.Version != "STSv1" || p.MaxAge < 0 || p.MaxAge > MaxAgeLimit || (p.Mode != ModeNone && len(p.MX) == 0) {
			t.Fatalf("%q: accepted as %+v", body, p)
		}
		for _, pat := range p.MX {
			if !validPattern(pat) || !MatchPattern(pat, strings.Replace(pat, "*", "x", 1)) {
				t.Fatalf("%q: pattern %q", body, pat)
			}
		}
	})
}
