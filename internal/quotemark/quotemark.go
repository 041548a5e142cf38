// Package quotemark reads the quote marks that start a line of plain-text
// mail: ">" once per level, as RFC 3676 §4.5 defines them for
// format=flowed and as mail clients write them in fixed text too, where
// "> > text" (a space between the marks) reads as two levels as well.
// The reader draws quote levels with it, the composer quotes one level
// deeper.
package quotemark

import "strings"

// Split counts the quote marks at the start of line and returns the
// text after them and after the one space that follows them. A line
// without a mark is returned whole, its indentation kept.
func Split(line string) (depth int, text string) {
	i := 0
	for i < len(line) {
		switch {
		case line[i] == '>':
			depth++
			i++
		case line[i] == ' ' && depth > 0 && i+1 < len(line) && line[i+1] == '>':
			i++
		case depth > 0:
			return depth, strings.TrimPrefix(line[i:], " ")
		default:
			return 0, line
		}
	}
	return depth, ""
}
