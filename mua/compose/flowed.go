package compose

import "strings"

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
		} else if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "From ") {
			prefix = " "
		}
		b.WriteString(wrapFlowed(prefix, line))
	}
	return b.String()
}

// wrapFlowed cuts one logical line at spaces; every piece but the last
// keeps the space it was cut at, which marks it flowed.
func wrapFlowed(prefix, line string) string {
	var b strings.Builder
	for len(prefix)+len(line) > flowWidth {
		cut := strings.LastIndex(line[:flowWidth-len(prefix)], " ")
		if cut <= 0 {
			cut = strings.Index(line, " ")
			if cut <= 0 || cut == len(line)-1 {
				break
			}
		}
		b.WriteString(prefix + line[:cut+1] + "\n")
		line = line[cut+1:]
	}
	b.WriteString(prefix + line)
	return b.String()
}
