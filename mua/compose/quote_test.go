package compose

import (
	"strings"
	"testing"
	"unicode/utf8"

	"facteur/internal/quotemark"
)

// words100 is a line of 100 characters: ten words of nine letters.
var words100 = strings.TrimSpace(strings.Repeat("abcdefghi ", 10))

func TestQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"every line", "a\nb\n", "> a\n> b\n"},
		{"CRLF and trailing blank lines", "a\r\n\r\nb\r\n\r\n\r\n", "> a\n>\n> b\n"},
		{"blank line inside", "a\n\nb", "> a\n>\n> b\n"},
		{"one level more", "> old\n>> older\n", ">> old\n>>> older\n"},
		{"spaced marks read as levels", "> > old\n>old", ">>> old\n>> old\n"},
		{"quoted blank line", ">\n> \n", ">>\n>>\n"},
		{"trailing spaces dropped", "a  \n", "> a\n"},
		{"long line cut at 72", words100,
			"> abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi\n> abcdefghi abcdefghi abcdefghi\n"},
		{"long quoted line keeps its level", "> " + words100,
			">> abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi\n>> abcdefghi abcdefghi abcdefghi\n"},
		{"long word stays whole", strings.Repeat("x", 80) + " y", "> " + strings.Repeat("x", 80) + "\n> y\n"},
		{"accents count as one column", strings.Repeat("é", 68) + " z", "> " + strings.Repeat("é", 68) + " z\n"},
		{"empty", "", ""},
		{"indentation kept", "  code()\n", ">   code()\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestQuoteFlowed(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraph not cut", words100 + "\n\nb", "> " + words100 + "\n>\n> b\n"},
		{"levels", "> old\n", ">> old\n"},
	}
	for _, tt := range tests {
		if got := QuoteFlowed(tt.in); got != tt.want {
			t.Errorf("%s: QuoteFlowed(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

const flowedOriginal = "From: Fred Truc <fred@truc.fr>\r\n" +
	"To: marc@machin.com\r\nSubject: long\r\nMessage-ID: <f1@truc.fr>\r\n" +
	"Date: Mon, 2 Mar 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n" +
	"abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi \r\n" +
	"abcdefghi abcdefghi abcdefghi\r\n"

// TestReplyQuoting: the body of a reply is the attribution, a blank line,
// then the quote; a flowed original is answered flowed, and what the
// recipient reads back is the quoted paragraph, whole.
func TestReplyQuoting(t *testing.T) {
	tests := []struct {
		name, raw  string
		flowed     bool
		quoteLines []string
	}{
		{"fixed", original, false, []string{"> On se voit lundi ?", ">> ancien"}},
		{"flowed", flowedOriginal, true, []string{"> " + words100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOriginal([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			d := Reply(o, marc)
			want := "\nOn Mon, 2 Mar 2026 09:00 +0100, Fred Truc wrote:\n\n" + strings.Join(tt.quoteLines, "\n") + "\n"
			if !strings.HasPrefix(d.Body, want) || d.Flowed != tt.flowed {
				t.Fatalf("body %q flowed %v, want prefix %q flowed %v", d.Body, d.Flowed, want, tt.flowed)
			}
			m := mustBuild(t, d)
			for _, line := range strings.Split(string(m.Raw), "\r\n") {
				if utf8.RuneCountInString(line) > 78 {
					t.Errorf("line of %d characters sent: %q", utf8.RuneCountInString(line), line)
				}
			}
			pm := parseBuilt(t, m)
			if !strings.Contains(pm.Text, strings.Join(tt.quoteLines, "\n")) {
				t.Errorf("read back %q", pm.Text)
			}
		})
	}
}

func TestIsFlowed(t *testing.T) {
	alt := "Content-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\n" +
		"Content-Type: text/plain; format=flowed\r\n\r\nhi\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--x--\r\n"
	tests := []struct {
		name, raw string
		want      bool
	}{
		{"flowed", flowedOriginal, true},
		{"fixed", original, false},
		{"in an alternative", alt, true},
		{"no header", "hello", false},
	}
	for _, tt := range tests {
		if got := isFlowed([]byte(tt.raw)); got != tt.want {
			t.Errorf("%s: isFlowed = %v", tt.name, got)
		}
	}
}

// FuzzQuote: quoting never loses, doubles or reorders a word of the
// original, every line is quoted, and no line passes 72 columns unless it
// holds a single word.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{original, "> a\n>> b\n\n" + words100, "> > x  y\r\n", strings.Repeat("é ", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		out := Quote(text)
		var words []string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if out == "" {
				break
			}
			if !strings.HasPrefix(line, ">") {
				t.Fatalf("unquoted line %q in %q", line, out)
			}
			_, rest := quotemark.Split(line)
			if utf8.RuneCountInString(line) > quoteWidth && strings.Contains(strings.TrimSpace(rest), " ") {
				t.Fatalf("line of %d columns: %q", utf8.RuneCountInString(line), line)
			}
			words = append(words, strings.Fields(rest)...)
		}
		var want []string
		for _, line := range quoteLines(text) {
			_, rest := quotemark.Split(line)
			want = append(want, strings.Fields(rest)...)
		}
		if strings.Join(words, " ") != strings.Join(want, " ") {
			t.Fatalf("words changed:\n%q\n%q", words, want)
		}
	})
}
