package inspect

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReceived: ParseReceived never panics, keeps the whole field, and
// gives the same Hop when fed its own Raw.
func FuzzReceived(f *testing.F) {
	for _, fx := range loadReceivedFixtures(f) {
		f.Add(fx.field)
	}
	for _, c := range loadCorpus(f) {
		f.Add(c.field)
	}
	for _, s := range []string{"", ";", "(", ")", "((((", "from", "from (", "by [", "for <", `"`,
		"from a (b [c]:", "from [IPv6:::1]:99999 (helo=", "with ESMTP with with", "; 99 Feb 1999 99:99:99 +9999",
		"from x (AUTH: ) by y", "id \x00\xff; Tue, 5 Nov 2024 10:12:01 +0100 id",
		"from  ([192.0.2.7]) by", "(from", "(from (from x) by", "from ,", "from x(192.0.2.7, HELO", "[(", "[[",
		"from x [192.0.2.7.99999] (y) [z] (w)", "id ‹› id <>", `from x(1.2.3.4), claiming to be "`,
		"by a with b 2018-03-26 13:35:36.1 +0000 UTC m=+", "envelope-from", "for <a> from <", "from a by b by c with d with e",
		"Mon, 26 Mar 2018 13:35", "from a (account) by b", "from a (IPv6:) by b (IPv6:::1:99)", "with (x encrypted) encrypted",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		h := ParseReceived(field)
		// unfolded as plainly as can be: the words between runs of white space
		want := strings.Join(strings.FieldsFunc(field, func(r rune) bool { return r < 0x80 && isWSP(byte(r)) }), " ")
		if h.Raw != want {
			t.Fatalf("Raw = %q, want the unfolded field %q", h.Raw, want)
		}
		if !h.Unparsed && h.From == "" && h.By == "" && len(h.Comments) == 0 {
			t.Fatalf("parsed without from, by or comment: %+v", h)
		}
		if (h.HELO == "") != (h.HELOSource == "") {
			t.Fatalf("helo %q with source %q", h.HELO, h.HELOSource)
		}
		if !h.Date.IsZero() && (h.Date.Year() < 1900 || h.Date.Year() > 9999) {
			t.Fatalf("date out of range: %v", h.Date)
		}
		again := ParseReceived(h.Raw)
		a, errA := json.Marshal(h)
		b, errB := json.Marshal(again)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Fatalf("not stable on its Raw:\n%s\n%s\n%v %v", a, b, errA, errB)
		}
	})
}

// FuzzAnalyze: any input gives a report or an error, never a panic, and
// the report always prints and encodes.
func FuzzAnalyze(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "messages", "*.eml"))
	files = append(files, filepath.Join("testdata", "course-example.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Received: (\r\n\r\n"))
	f.Add([]byte("From \nReturn-Path: <>\nTo: undisclosed-recipients:;\nDelivered-To: <@a:b@c>\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Analyze(bytes.NewReader(raw), Options{})
		if err != nil {
			return
		}
		if err := r.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseDate: the lenient date parser never panics and never returns
// an impossible date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"Tue, 5 Nov 2024 10:12:01 +0100 (CET)", "Tue Nov  5 10:12:01 2024",
		"5 Nov 24 10:12 EST", "31 Feb 2024 10:00:00 +0000", "2024-11-05T10:12:01Z", "99:99", "1 Jan 0 0:0"} {
		f.Add(s)
	}
	f.Add(`1"(":2 (3:4) 5(x):6`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasClock(s), hasClockPlain(stripComments(s)); got != want {
			t.Fatalf("hasClock(%q) = %v, want %v", s, got, want)
		}
		d, ok := parseDate(s)
		if ok && (d.IsZero() || d.Year() < 1900) && !strings.Contains(s, "T") {
			t.Fatalf("parseDate(%q) = %v", s, d)
		}
	})
}

// hasClockPlain is hasClock written plainly, on a text without comments.
func hasClockPlain(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == ':' && isDecimal(s[i-1]) && isDecimal(s[i+1]) {
			return true
		}
	}
	return false
}

// TestHostileInputs feeds large pathological fields: the parsers are
// linear, so each finishes at once (a quadratic one would hit the test
// timeout).
func TestHostileInputs(t *testing.T) {
	const n = 1 << 18
	inputs := map[string]string{
		"angles":   strings.Repeat("<", n),
		"brackets": strings.Repeat("[a", n/2),
		"quotes":   strings.Repeat(`"`, n),
		"parens":   strings.Repeat("(", n),
		"closing":  strings.Repeat(")", n),
		"nested":   strings.Repeat("(a ", n/3) + strings.Repeat(")", n/3),
		"with":     "from a by b with " + strings.Repeat("word ", n/5),
		"via":      "via " + strings.Repeat("x ", n/2),
		"for":      "for " + strings.Repeat("<a@b>,", n/6),
		"semis":    strings.Repeat(";", n),
		"date":     "from a by b; " + strings.Repeat("Tue, ", n/5),
		"escapes":  "(" + strings.Repeat(`\(`, n/2),
		"tls":      "from a (" + strings.Repeat("version=", n/8) + ") by b",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			h := ParseReceived(in)
			if h.Raw == "" && strings.TrimSpace(in) != "" {
				t.Error("Raw lost")
			}
		})
	}
	msg := "Received: " + inputs["angles"] + "\r\nReceived: " + inputs["with"] + "\r\nTo: " + strings.Repeat("a@b, ", 10000) + "\r\n\r\n"
	if _, err := Analyze(strings.NewReader(msg), Options{}); err != nil {
		t.Fatal(err)
	}
}

// FuzzParsePath: the fast path for plain paths gives exactly what the full
// parser gives.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"<bob@example.com>", "bob@example.com", " <Bob.Smith+tag@Mail.Example.COM> ", "a@b",
		"a@localhost", "a..b@example.com", ".a@example.com", "a@-x.example", "a@1.2.3.4", "a@example.123",
		"a@xn--bcher-kva.example", "<a@example.com", "a@example.com (comment)", "postmaster", "<>", "a b@example.com",
		"a@exa_mple.com", "\"a b\"@example.com", "a@[192.0.2.1]", "RCPT TO:<a@example.com>", "<a@example.com> SIZE=10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := simplePath(s)
		if !ok {
			return
		}
		if full, fullOK := parsePathFull(s); !fullOK || full != fast {
			t.Fatalf("simplePath(%q) = %q, parsePathFull gives %q, %v", s, fast, full, fullOK)
		}
	})
}

// FuzzSimpleMailbox: what the fast path reads, internal/mailaddr reads
// the same.
func FuzzSimpleMailbox(f *testing.F) {
	for _, s := range []string{"Alice <alice@example.org>", "bob@example.com", "Bob Smith <b.s+x@mail.example.com>",
		"Bob  Smith <b@example.com>", "<b@example.com>", "B <b@example>", "=?utf-8?q?x?= <a@b.example>", "A <a@xn--b.example>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.TrimSpace(s)
		m, ok := simpleMailbox(s)
		if !ok {
			return
		}
		if full := parseMailboxesFull(s); len(full) != 1 || full[0] != m {
			t.Fatalf("simpleMailbox(%q) = %+v, internal/mailaddr gives %+v", s, m, full)
		}
	})
}

// FuzzIndexFold: indexFold finds what a plain byte-by-byte search finds.
func FuzzIndexFold(f *testing.F) {
	for _, c := range [][2]string{{"Authenticated User alice", "authenticated user "}, {"x VERSION=1", "version="},
		{"", "a"}, {"a", ""}, {"aAaA", "aa"}, {"\u212a", "k"}, {"ſs", "S"}, {"12:34", ":"},
		{"Tue, 5 Nov 2024 id X for <a@b>", " id "}, {"x sſ", " ſs"}, {"x\tid", " id"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, sub string) {
		want := -1
		if sub == "" {
			want = 0
		}
		for i := 0; sub != "" && i+len(sub) <= len(s); i++ {
			if lowerASCII(s[i]) == lowerASCII(sub[0]) && strings.EqualFold(s[i:i+len(sub)], sub) {
				want = i
				break
			}
		}
		if got := indexFold(s, sub); got != want {
			t.Fatalf("indexFold(%q, %q) = %d, want %d", s, sub, got, want)
		}
	})
}
