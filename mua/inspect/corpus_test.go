package inspect

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusFields are the fields compared on every corpus line; a field the
// expectation does not list must be empty.
var corpusFields = []string{"from", "helo", "helo_source", "ip", "rdns", "by", "with", "protocol",
	"tls.version", "tls.cipher", "authenticated", "auth", "envelope_from", "id", "for", "date"}

// corpusLine is one real-world Received field of testdata/corpus with the
// fields it must parse into (format in testdata/corpus/README.md).
type corpusLine struct {
	file, family, source string
	line                 int
	field                string
	want                 map[string]string
}

func loadCorpus(t testing.TB) []corpusLine {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var out []corpusLine
	for _, name := range files {
		out = append(out, readCorpusFile(t, name)...)
	}
	return out
}

func readCorpusFile(t testing.TB, name string) []corpusLine {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	var family, source string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# family:"):
			family = strings.TrimSpace(line[len("# family:"):])
		case strings.HasPrefix(line, "# src:"):
			source = strings.TrimSpace(line[len("# src:"):])
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "= "):
			if len(out) == 0 || out[len(out)-1].want != nil {
				t.Fatalf("%s:%d: expectation without a field", name, n)
			}
			out[len(out)-1].want = parseExpectation(t, name, n, line[2:], out[len(out)-1].field)
		default:
			if len(out) > 0 && out[len(out)-1].want == nil {
				t.Fatalf("%s:%d: field without an expectation", name, n)
			}
			if family == "" || source == "" {
				t.Fatalf("%s:%d: field without a family or a source", name, n)
			}
			out = append(out, corpusLine{file: filepath.Base(name), family: family, source: source, line: n, field: line})
		}
	}
	if len(out) > 0 && out[len(out)-1].want == nil {
		t.Fatalf("%s: last field without an expectation", name)
	}
	return out
}

// parseExpectation reads "key=value key="two words" auth helo*=x".
func parseExpectation(t testing.TB, file string, n int, s, field string) map[string]string {
	want := map[string]string{}
	for _, kv := range splitExpectation(s) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "auth":
			want["authenticated"], want["auth"] = "true", v
			continue
		case "helo*":
			k, want["helo_source"] = "helo", HELOFromComment
		case "helo":
			want["helo_source"] = HELOFromClause
		case "proto":
			k = "protocol"
		case "tlsv":
			k = "tls.version"
		case "tlsc":
			k = "tls.cipher"
		case "env":
			k = "envelope_from"
		}
		if !containsString(corpusFields, k) {
			t.Fatalf("%s:%d: unknown key %q", file, n, k)
		}
		want[k] = v
	}
	from := want["from"]
	for _, k := range []string{"helo", "rdns"} {
		if want[k] == "^" {
			want[k] = from // "^": the same as from
		}
	}
	if d := want["date"]; d != "" {
		if _, err := time.Parse(time.RFC3339, d); err != nil {
			t.Fatalf("%s:%d: date %q: %v", file, n, d, err)
		}
	}
	return want
}

// splitExpectation splits on spaces outside double quotes and removes
// the quotes.
func splitExpectation(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case c == ' ' && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// TestReceivedCorpus parses the real-world corpus and measures the share
// of fields read as expected: at least 97 %, over at least 400 lines of at
// least 25 families of mail software and services.
func TestReceivedCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	families := map[string]bool{}
	var total, good int
	for _, c := range corpus {
		families[c.family] = true
		got := hopFields(ParseReceived(c.field))
		for _, k := range corpusFields {
			total++
			if got[k] == c.want[k] || k == "authenticated" && c.want[k] == "" && got[k] == "false" ||
				k == "date" && c.want[k] == "" && got[k] == "none" {
				good++
				continue
			}
			t.Logf("%s:%d (%s): %s = %q, want %q", c.file, c.line, c.family, k, got[k], c.want[k])
		}
	}
	accuracy := 100 * float64(good) / float64(total)
	t.Logf("corpus: %d lines, %d families, %d of %d fields right: %.2f %%", len(corpus), len(families), good, total, accuracy)
	if len(corpus) < 400 {
		t.Errorf("corpus has %d lines, want at least 400", len(corpus))
	}
	if len(families) < 25 {
		t.Errorf("corpus has %d families, want at least 25: %v", len(families), sortedKeys(families))
	}
	if accuracy < 97 {
		t.Errorf("field accuracy %.2f %%, want at least 97 %%", accuracy)
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
