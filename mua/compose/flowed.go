package compose

import (
	"strings"
	"unicode/utf8"
)

// flowWidth is the length of a flowed line before its trailing space
// (RFC 3676 §4.2 recommends at most 78, and 66 for readability).
const flowWidth = 72

// flow encodes text as format=flowed (RFC 3676 §4): long lines are cut at
// spaces, each cut line ending with a space (a soft break); trailing spaces
// of hard line ends are removed; lines starting with a space, "From " or
// ">" in the text are space-stuffed (§4.4) unless they are quotes.
func flow(text string) string {
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		if line == "-- " {
			b.WriteString(line) // the signature separator stays (§4.3)
			continue
		}
		line = strings.TrimRight(line, " ")
		prefix := ""
		if strings.HasPrefix(line, ">") {
			n := len(line) - len(strings.TrimLeft(line, ">"))
			prefix, line = line[:n], strings.TrimPrefix(line[n:], " ")
			prefix += " "
		} else if needsStuffing(line) {
			prefix = " "
		}
		b.WriteString(wrapFlowed(prefix, line))
	}
	return b.String()
}

// wrapFlowed cuts one logical line at spaces into lines of at most
// flowWidth characters; every piece but the last keeps the space it was
// cut at, which marks it flowed. An unquoted piece that would read as a
// quote or a "From " line is space-stuffed (§4.4).
func wrapFlowed(prefix, line string) string {
	pieces := cutWords(line, flowWidth-utf8.RuneCountInString(prefix))
	for i, p := range pieces {
		if i > 0 && prefix == "" && needsStuffing(p) {
			p = " " + p
		}
		pieces[i] = prefix + p
	}
	return strings.Join(pieces, "\n")
}

func needsStuffing(s string) bool {
	return strings.HasPrefix(s, " ") || strings.HasPrefix(s, ">") || strings.HasPrefix(s, "From ")
}
