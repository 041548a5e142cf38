package dnsmx

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"facteur/internal/dnsmx/dnstest"
)

func TestParseSTSRecord(t *testing.T) {
	tests := []struct {
		in     string
		id     string
		errSub string // "" when valid
	}{
		{"v=STSv1; id=20160831085700Z;", "20160831085700Z", ""},
		{"v=STSv1;id=abc", "abc", ""},
		{"v=STSv1 ; id=abc ; ext_1.x=va:lue;", "abc", ""},
		{"v=STSv1;\tid=" + strings.Repeat("a", 32), strings.Repeat("a", 32), ""},
		{"v=STSv1; id=" + strings.Repeat("a", 33), "", "not 1 to 32"},
		{"v=STSv1; id=2016-08-31", "", "not 1 to 32"},
		{"v=STSv1;", "", "no field"},
		{"v=STSv1", "", "no field"},
		{"v=STSv1; ext=1", "", "no id"},
		{"v=STSv1; id=a; id=b", "", "twice"},
		{"v=STSv1; id=a; =b", "", "not name=value"},
		{"v=STSv1; id=a; x=", "", "not name=value"},
		{"v=STSv1; id=a;; ", "", "not name=value"},
		{"v=STSv1; id=a; _x=1", "", "bad extension"},
		{"v=STSv1; id=a; x=a=b", "", "bad extension"},
		{"v=STSv1x; id=a", "", "does not start"},
		{"v=STSv1 junk; id=a", "", "text after"},
		{"v=stsv1; id=a", "", "does not start"},
		{" v=STSv1; id=a", "", "does not start"},
		{"", "", "does not start"},
	}
	for _, tt := range tests {
		got, err := ParseSTSRecord(tt.in)
		if tt.errSub == "" {
			if err != nil || got.ID != tt.id || got.Raw != tt.in {
				t.Errorf("ParseSTSRecord(%q) = %+v, %v; want id %q", tt.in, got, err, tt.id)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.errSub) || got.ID != "" {
			t.Errorf("ParseSTSRecord(%q) = %+v, %v; want ErrInvalid with %q", tt.in, got, err, tt.errSub)
		}
	}
}

func TestParseTLSRPT(t *testing.T) {
	tests := []struct {
		in     string
		rua    []string
		errSub string
	}{
		{"v=TLSRPTv1; rua=mailto:tlsrpt@example.com", []string{"mailto:tlsrpt@example.com"}, ""},
		{"v=TLSRPTv1;rua=mailto:a@example.com, https://r.example.com/tlsrpt;", []string{"mailto:a@example.com", "https://r.example.com/tlsrpt"}, ""},
		{"v=TLSRPTv1; rua=MAILTO:a@example.com; ext=1", []string{"MAILTO:a@example.com"}, ""},
		{"v=TLSRPTv1; rua=http://r.example.com/", nil, "not a mailto: or https:"},
		{"v=TLSRPTv1; rua=mailto:", nil, "not a mailto: or https:"},
		{"v=TLSRPTv1; rua=mailto:a@b,", nil, "not a mailto: or https:"},
		{"v=TLSRPTv1; ext=1", nil, "no rua"},
		{"v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d", nil, "twice"},
		{"v=TLSRPTv2; rua=mailto:a@b", nil, "does not start"},
	}
	for _, tt := range tests {
		got, err := ParseTLSRPT(tt.in)
		if tt.errSub == "" {
			if err != nil || !slices.Equal(got.RUA, tt.rua) {
				t.Errorf("ParseTLSRPT(%q) = %+v, %v; want rua %q", tt.in, got, err, tt.rua)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.errSub) {
			t.Errorf("ParseTLSRPT(%q) = %+v, %v; want ErrInvalid with %q", tt.in, got, err, tt.errSub)
		}
	}
}

// policyZone publishes the policy records of a few domains.
const policyZone = `
_mta-sts.good.example.   300 IN TXT "v=STSv1; id=20240101T000000;"
_mta-sts.good.example.   300 IN TXT "some other record"
_mta-sts.two.example.    300 IN TXT "v=STSv1; id=a"
_mta-sts.two.example.    300 IN TXT "v=STSv1; id=b"
_mta-sts.bad.example.    300 IN TXT "v=STSv1; id=not-alnum"
_mta-sts.other.example.  300 IN TXT "v=spf1 -all"
_mta-sts.split.example.  300 IN TXT "v=STSv1; " "id=split1"
_smtp._tls.good.example. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.example"
_smtp._tls.two.example.  300 IN TXT "v=TLSRPTv1; rua=mailto:a@two.example"
_smtp._tls.two.example.  300 IN TXT "v=TLSRPTv1; rua=mailto:b@two.example"
`

func TestPolicyRecords(t *testing.T) {
	z := dnstest.New(t, policyZone)
	z.ServFail("_mta-sts.fail.example")
	r := New(Config{Server: z.Start(t)})
	ctx := context.Background()
	sts := []struct {
		domain string
		id     string
		kind   error
	}{
		{"good.example", "20240101T000000", nil},
		{"GOOD.example.", "20240101T000000", nil},
		{"split.example", "split1", nil},
		{"two.example", "", ErrInvalid},
		{"bad.example", "", ErrInvalid},
		{"other.example", "", ErrNotFound},
		{"none.example", "", ErrNotFound},
		{"fail.example", "", ErrTemporary},
	}
	for _, tt := range sts {
		got, err := r.MTASTS(ctx, tt.domain)
		var e *Error
		switch {
		case tt.kind == nil && (err != nil || got.ID != tt.id):
			t.Errorf("MTASTS(%q) = %+v, %v; want id %q", tt.domain, got, err, tt.id)
		case tt.kind != nil && (!errors.Is(err, tt.kind) || !errors.As(err, &e) || e.Type != "TXT" || !strings.HasPrefix(e.Name, "_mta-sts.")):
			t.Errorf("MTASTS(%q) = %+v, %v; want a TXT *Error wrapping %v", tt.domain, got, err, tt.kind)
		}
	}
	rpt, err := r.TLSRPT(ctx, "good.example")
	if err != nil || !slices.Equal(rpt.RUA, []string{"mailto:tlsrpt@good.example"}) {
		t.Errorf("TLSRPT(good.example) = %+v, %v", rpt, err)
	}
	if _, err := r.TLSRPT(ctx, "two.example"); !errors.Is(err, ErrInvalid) {
		t.Errorf("TLSRPT(two.example) error %v; want ErrInvalid (two records)", err)
	}
	if _, err := r.TLSRPT(ctx, "none.example"); !errors.Is(err, ErrNotFound) {
		t.Errorf("TLSRPT(none.example) error %v; want ErrNotFound", err)
	}
}

func FuzzParseSTSRecord(f *testing.F) {
	for _, s := range []string{"v=STSv1; id=20160831085700Z;", "v=STSv1 ; id=abc ; ext_1.x=va:lue;", "v=STSv1;", "v=STSv1; id=a;; "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := ParseSTSRecord(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || rec.ID != "" {
				t.Fatalf("%q: %+v, %v", s, rec, err)
			}
			return
		}
		if !alnum(rec.ID) || len(rec.ID) > 32 || rec.Raw != s || !strings.HasPrefix(s, "v=STSv1") {
			t.Fatalf("%q: accepted as %+v", s, rec)
		}
	})
}

func FuzzParseTLSRPT(f *testing.F) {
	for _, s := range []string{"v=TLSRPTv1; rua=mailto:a@b", "v=TLSRPTv1;rua=mailto:a@b, https://c/d;", "v=TLSRPTv1; rua=mailto:a@b,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := ParseTLSRPT(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if len(rec.RUA) == 0 {
			t.Fatalf("%q: accepted without rua", s)
		}
		for _, u := range rec.RUA {
			l := strings.ToLower(u)
			if !strings.HasPrefix(l, "mailto:") && !strings.HasPrefix(l, "https:") || strings.ContainsAny(u, ",; \t") {
				t.Fatalf("%q: rua %q", s, u)
			}
		}
	})
}
