package inspect

import "strings"

// tokKind tells the kinds of tokens a Received field is made of.
type tokKind uint8

const (
	tokWord    tokKind = iota // an atom, a domain, <path>, [literal] or "quoted string"
	tokComment                // a comment, nested comments included (RFC 5322 §3.2.2)
	tokSemi                   // a top-level ';', which comes before the date
)

// token is one lexical element of a Received field.
type token struct {
	kind       tokKind
	text       string // word as written, or comment content without its outer parentheses
	start, end int    // byte offsets of the token in the field
}

// tokenize appends to dst the words, comments and semicolons of a Received
// field.
// Angle-bracketed paths, quoted strings and address literals stay one word
// even when they contain spaces, parentheses or semicolons. It never fails:
// an unclosed comment runs to the end of the field.
func tokenize(dst []token, s string) []token {
	toks := dst
	closers := newClosers()
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isWSP(c) || c == ')':
			i++
		case c == ';':
			toks = append(toks, token{kind: tokSemi, text: ";", start: i, end: i + 1})
			i++
		case c == '(':
			inner, end := commentEnd(s, i)
			toks = append(toks, token{kind: tokComment, text: strings.TrimSpace(s[i+1 : inner]), start: i, end: end})
			i = end
		default:
			end := wordEnd(s, i, &closers)
			toks = append(toks, token{kind: tokWord, text: s[i:end], start: i, end: end})
			i = end
		}
	}
	return toks
}

// commentEnd returns, for the comment that opens at s[i], the index of its
// closing parenthesis (or len(s)) and the index just after it.
func commentEnd(s string, i int) (inner, end int) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j, j + 1
			}
		}
	}
	return len(s), len(s)
}

// closers holds the index of the last '>', ']' and '"' of a field (-1 when
// absent), so that an opening bracket without a closing one is known at
// once: the lexer stays linear on hostile input. Each is looked for the
// first time its opening bracket is met (unknownCloser until then).
type closers [3]int

const unknownCloser = -2

func newClosers() closers {
	return closers{unknownCloser, unknownCloser, unknownCloser}
}

// wordEnd returns the index just after the word that starts at s[i].
func wordEnd(s string, i int, last *closers) int {
	j := i
	for j < len(s) {
		for j < len(s) && wordByte[s[j]] { // the plain bytes, at table speed
			j++
		}
		if j == len(s) {
			return j
		}
		c := s[j]
		if isWSP(c) || c == '(' || c == ')' || c == ';' {
			return j
		}
		n := pairIndex(c)
		if n >= 0 && last[n] == unknownCloser {
			last[n] = strings.LastIndexByte(s, ">]\""[n])
		}
		if n >= 0 && last[n] > j {
			if k := indexFrom(s, j+1, ">]\""[n]); k >= 0 {
				j = k + 1
				continue
			}
			last[n] = -1 // escaped to the end: none left
		}
		j++
	}
	return j
}

// wordByte tells the bytes that neither end a word nor open a pair.
var wordByte = func() (t [256]bool) {
	for c := range t {
		t[c] = !isWSP(byte(c)) && pairIndex(byte(c)) < 0 && !strings.ContainsRune("();", rune(c))
	}
	return t
}()

// pairIndex returns 0, 1, 2 for the opening '<', '[', '"', or -1.
func pairIndex(c byte) int {
	switch c {
	case '<':
		return 0
	case '[':
		return 1
	case '"':
		return 2
	}
	return -1
}

// indexFrom returns the index of c in s at or after from, skipping
// backslash-escaped characters, or -1.
func indexFrom(s string, from int, c byte) int {
	for j := from; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case c:
			return j
		}
	}
	return -1
}

func isWSP(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// unfold removes the line breaks of a folded field (RFC 5322 §2.2.3) and
// collapses each run of white space into a single space. A value already
// in that form is returned as it is.
func unfold(s string) string {
	if isUnfolded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	writeUnfolded(&b, s)
	return b.String()
}

// isUnfolded tells whether unfold would return s unchanged: single spaces
// between words, none at the ends, no tab or line break.
func isUnfolded(s string) bool {
	if s == "" {
		return true
	}
	return s[0] != ' ' && s[len(s)-1] != ' ' && strings.IndexByte(s, '\t') < 0 && strings.IndexByte(s, '\n') < 0 &&
		strings.IndexByte(s, '\r') < 0 && !strings.Contains(s, "  ")
}

// writeUnfolded writes s unfolded to b, a run of words at a time.
func writeUnfolded(b *strings.Builder, s string) {
	first := true
	for i := 0; i < len(s); {
		if isWSP(s[i]) {
			i++
			continue
		}
		j := i + 1 // the run goes on over single spaces between words
		for j < len(s) && (!isWSP(s[j]) || s[j] == ' ' && j+1 < len(s) && !isWSP(s[j+1])) {
			j++
		}
		if !first {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:j])
		first, i = false, j
	}
}

// stripComments returns s without its comments, for parsers that have no
// use for them (dates, Authentication-Results).
func stripComments(s string) string {
	if strings.IndexByte(s, '(') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '(':
			_, end := commentEnd(s, i)
			b.WriteByte(' ')
			i = end
		case c == '"':
			end := len(s)
			if k := indexFrom(s, i+1, '"'); k >= 0 {
				end = k + 1
			}
			b.WriteString(s[i:end])
			i = end
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// appendFields appends the words of s, as strings.Fields splits them, to
// dst: given a buffer on the stack, the usual short comment costs no
// allocation.
func appendFields(dst []string, s string) []string {
	for f := range strings.FieldsSeq(s) {
		dst = append(dst, f)
	}
	return dst
}
