package quotemark

import "testing"

func TestSplit(t *testing.T) {
	tests := []struct {
		line  string
		depth int
		text  string
	}{
		{"text", 0, "text"},
		{"  indented", 0, "  indented"},
		{"> a", 1, "a"},
		{">a", 1, "a"},
		{">>  two spaces", 2, " two spaces"},
		{"> > > spaced", 3, "spaced"},
		{">", 1, ""},
		{"> ", 1, ""},
		{"", 0, ""},
		{"a > b", 0, "a > b"},
	}
	for _, tt := range tests {
		if d, text := Split(tt.line); d != tt.depth || text != tt.text {
			t.Errorf("Split(%q) = %d, %q; want %d, %q", tt.line, d, text, tt.depth, tt.text)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"> > a", ">>b", " c", ">"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		d, text := Split(line)
		if d < 0 || len(text) > len(line) || d > len(line) {
			t.Fatalf("Split(%q) = %d, %q", line, d, text)
		}
		if d == 0 && text != line {
			t.Fatalf("an unquoted line changed: %q -> %q", line, text)
		}
		if len(line) > 0 && text != "" && line[len(line)-len(text):] != text {
			t.Fatalf("the text is not the end of the line: %q -> %q", line, text)
		}
	})
}
