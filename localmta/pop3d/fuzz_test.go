package pop3d

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzCommand feeds the command parser arbitrary lines: it never panics,
// fails only with ErrSyntax, and what it accepts is a word and arguments
// without spaces or control characters.
func FuzzCommand(f *testing.F) {
	for _, seed := range []string{
		"USER marc", "PASS mot de passe", "STAT", "LIST", "LIST 1", "RETR 12", "DELE 1",
		"TOP 1 10", "UIDL", "capa", "STLS", "AUTH PLAIN AG1hcmMAc2VjcmV0", "AUTH PLAIN =",
		"QUIT", "", " ", "RETR  1", "RETR\t1", "NOOP\x00", "X\xffY 1", strings.Repeat("A", 40),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, err := ParseCommand(line)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("ParseCommand(%q): %v", line, err)
			}
			return
		}
		if cmd.Name == "" || len(cmd.Name) > maxKeyword || cmd.Name != strings.ToUpper(cmd.Name) {
			t.Fatalf("ParseCommand(%q): name %q", line, cmd.Name)
		}
		if !strings.EqualFold(line, cmd.Name) && !strings.HasPrefix(strings.ToUpper(line), cmd.Name+" ") {
			t.Fatalf("ParseCommand(%q): name %q not at the start", line, cmd.Name)
		}
		for _, a := range cmd.Args {
			if a == "" || strings.ContainsAny(a, " \t\r\n\x00") {
				t.Fatalf("ParseCommand(%q): argument %q", line, a)
			}
		}
		if n, err := parseNumber(cmd.Rest); err == nil && n < 0 {
			t.Fatalf("parseNumber(%q) = %d", cmd.Rest, n)
		}
		decodePlain(cmd.Rest)
	})
}

// FuzzCRLF checks the wire form of a message: only CRLF line ends, the
// size counted is the size written, the same whatever the read sizes,
// and TOP a prefix of RETR.
func FuzzCRLF(f *testing.F) {
	for _, seed := range []string{
		"", "a", "a\n", "a\r\n", "a\r", "\r", "\n\n", "H: v\n\nbody\n.dot\n", "H: v\r\n\r\nx\ry\r\n\r",
	} {
		f.Add(seed, 1)
	}
	f.Fuzz(func(t *testing.T, msg string, lines int) {
		var full bytes.Buffer
		n, err := copyCRLF(&full, strings.NewReader(msg), -1)
		if err != nil || n != int64(full.Len()) {
			t.Fatalf("copyCRLF(%q) = %d, %v; wrote %d", msg, n, err, full.Len())
		}
		out := full.String()
		if strings.Count(out, "\n") != strings.Count(out, "\r\n") || (out != "" && !strings.HasSuffix(out, "\r\n")) {
			t.Fatalf("copyCRLF(%q) = %q: not CRLF lines", msg, out)
		}
		var slow bytes.Buffer
		copyCRLF(&slow, iotest.OneByteReader(strings.NewReader(msg)), -1)
		if slow.String() != out {
			t.Fatalf("byte by byte %q, at once %q", slow.String(), out)
		}
		var top bytes.Buffer
		copyCRLF(&top, strings.NewReader(msg), max(lines%50, 0))
		if !strings.HasPrefix(out, top.String()) {
			t.Fatalf("TOP %d = %q, not a prefix of %q", lines, top.String(), out)
		}
	})
}
