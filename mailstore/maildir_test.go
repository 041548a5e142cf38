package mailstore

import (
	"strings"
	"testing"
	"time"
)

func TestParseFileName(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		flags Flags
		extra string
	}{
		{"1700000000.M1P2Q3.host", "1700000000.M1P2Q3.host", 0, ""},
		{"1700000000.M1P2Q3.host:2,", "1700000000.M1P2Q3.host", 0, ""},
		{"1700000000.M1P2Q3.host:2,S", "1700000000.M1P2Q3.host", FlagSeen, ""},
		{"1700000000.M1P2Q3.host!2,FRS", "1700000000.M1P2Q3.host", FlagFlagged | FlagAnswered | FlagSeen, ""},
		{"k,S=123:2,DFPRST", "k,S=123", FlagDraft | FlagFlagged | FlagPassed | FlagAnswered | FlagSeen | FlagTrashed, ""},
		{"k:2,Sab", "k", FlagSeen, "ab"},
		{"k:1,experimental", "k:1,experimental", 0, ""},
		{`host\072x:2,S`, `host\072x`, FlagSeen, ""},
	}
	for _, tt := range tests {
		fn := parseFileName(tt.name)
		if fn.Key != tt.key || fn.Flags != tt.flags || fn.Extra != tt.extra || fn.name() != tt.name {
			t.Errorf("parseFileName(%q) = %+v", tt.name, fn)
		}
	}
}

func TestWithFlags(t *testing.T) {
	fn := parseFileName("k:2,Sa")
	got := fn.withFlags(FlagSeen|FlagFlagged|FlagAnswered, subCur)
	if want := "k" + infoSeparator + "2,FRSa"; got.name() != want {
		t.Errorf("got %q, want %q", got.name(), want)
	}
	if got := parseFileName("k").withFlags(0, subNew); got.name() != "k" {
		t.Errorf("new/ without flags: %q", got.name())
	}
	if got := (Flags(0)).Maildir(); got != "" {
		t.Errorf("no flags: %q", got)
	}
}

func TestNewKeyUnique(t *testing.T) {
	seen := map[string]bool{}
	now := time.Now()
	for range 1000 {
		k := newKey(now, 10)
		if seen[k] || strings.ContainsAny(k, ":/!") {
			t.Fatalf("bad or duplicate key %q", k)
		}
		seen[k] = true
	}
	if keyTime(newKey(now, 1)).Unix() != now.Unix() {
		t.Error("keyTime does not read the key's time")
	}
}

func TestEncodeLevel(t *testing.T) {
	tests := []struct{ in, out string }{
		{"INBOX", "INBOX"},
		{"Envoyés", "Envoyés"},
		{"a/b", "a%2Fb"},
		{"..", "%2E%2E"},
		{".hidden", "%2Ehidden"},
		{"cur", "%63ur"},
		{"NEW", "%4EEW"},
		{"con.txt", "%63on.txt"},
		{"COM1", "%43OM1"},
		{"trailing. ", "trailing.%20"},
		{"dot.", "dot%2E"},
		{`a:b*c?"d<e>f|g\h%i`, `a%3Ab%2Ac%3F%22d%3Ce%3Ef%7Cg%5Ch%25i`},
		{"tab\there", "tab%09here"},
	}
	for _, tt := range tests {
		if got := encodeLevel(tt.in); got != tt.out {
			t.Errorf("encodeLevel(%q) = %q, want %q", tt.in, got, tt.out)
		}
		if back := decodeLevel(tt.out); back != tt.in {
			t.Errorf("decodeLevel(%q) = %q, want %q", tt.out, back, tt.in)
		}
	}
	if got := decodeLevel("100%zz"); got != "100%zz" {
		t.Errorf("decodeLevel of a foreign name: %q", got)
	}
}

func FuzzFolderName(f *testing.F) {
	for _, s := range []string{"INBOX", "..", "a/b", "cur", "CON", "é%", " x. "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || !validName(s) {
			return
		}
		enc := encodeLevel(s)
		if strings.ContainsAny(enc, `/\:*?"<>|`) || enc == "." || enc == ".." || strings.HasPrefix(enc, ".") {
			t.Fatalf("encodeLevel(%q) = %q is not a safe file name", s, enc)
		}
		if decodeLevel(enc) != s {
			t.Fatalf("round trip of %q gave %q", s, decodeLevel(enc))
		}
	})
}
