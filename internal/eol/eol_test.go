package eol

import (
	"bytes"
	"testing"
)

func TestConversions(t *testing.T) {
	tests := []struct {
		name, in, lf, crlf string
	}{
		{"empty", "", "", ""},
		{"no line end", "abc", "abc", "abc"},
		{"CRLF", "a\r\nb\r\n\r\nc\r\n", "a\nb\n\nc\n", "a\r\nb\r\n\r\nc\r\n"},
		{"LF", "a\nb\n\nc\n", "a\nb\n\nc\n", "a\r\nb\r\n\r\nc\r\n"},
		{"mixed", "a\r\nb\nc\r\n", "a\nb\nc\n", "a\r\nb\r\nc\r\n"},
		{"lone CR kept", "a\rb\rc", "a\rb\rc", "a\rb\rc"},
		{"lone CR before CRLF", "a\r\r\nc\r\n", "a\r\r\nc\n", "a\r\r\nc\r\n"},
		{"LF first", "\nx", "\nx", "\r\nx"},
		{"8-bit body", "Subject: \xc3\xa9\r\n\r\n\xe9t\xe9\r\n", "Subject: \xc3\xa9\n\n\xe9t\xe9\n", "Subject: \xc3\xa9\r\n\r\n\xe9t\xe9\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(ToLF([]byte(tt.in))); got != tt.lf {
				t.Errorf("ToLF(%q) = %q, want %q", tt.in, got, tt.lf)
			}
			if got := string(ToCRLF([]byte(tt.in))); got != tt.crlf {
				t.Errorf("ToCRLF(%q) = %q, want %q", tt.in, got, tt.crlf)
			}
			if got := CRLFSize([]byte(tt.lf)); got != int64(len(tt.crlf)) {
				t.Errorf("CRLFSize(%q) = %d, want %d", tt.lf, got, len(tt.crlf))
			}
		})
	}
}

// FuzzRoundTrip: whatever the input, LF then CRLF is CRLF, the CRLF size of
// the LF form is the length of the CRLF form, and ToLF leaves no CRLF but
// after a lone CR.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a\r\nb", "a\nb", "\r\r\n\n", "x\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lf, crlf := ToLF(b), ToCRLF(b)
		if got := ToCRLF(lf); !bytes.Equal(got, crlf) {
			t.Fatalf("ToCRLF(ToLF(%q)) = %q, want %q", b, got, crlf)
		}
		if CRLFSize(lf) != int64(len(crlf)) || CRLFSize(b) != int64(len(crlf)) {
			t.Fatalf("CRLFSize(%q) = %d, len(ToCRLF) = %d", lf, CRLFSize(lf), len(crlf))
		}
		for i := 0; i+1 < len(lf); i++ {
			if lf[i] == '\r' && lf[i+1] == '\n' && (i == 0 || lf[i-1] != '\r') {
				t.Fatalf("ToLF(%q) = %q has a CRLF at %d", b, lf, i)
			}
		}
		if !bytes.Equal(ToLF(crlf), lf) {
			t.Fatalf("ToLF(ToCRLF(%q)) = %q, want %q", b, ToLF(crlf), lf)
		}
	})
}
