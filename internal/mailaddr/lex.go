package mailaddr

import (
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of RFC 5322 §3.2.
type tokKind uint8

const (
	tokEOF     tokKind = iota
	tokAtom            // atext and dots: "user1", "urec.fr", "." (RFC 6532: UTF-8 is atext)
	tokQuoted          // quoted-string; val is unescaped and unfolded
	tokComment         // comment; val is the text inside the outer parentheses
	tokLiteral         // domain-literal; val is the text between the brackets, without FWS
	tokSpecial         // one byte that is none of the above: specials and controls
)

// token is one lexical unit; white space is not a token but the space flag of
// the token that follows it.
type token struct {
	kind  tokKind
	val   string
	pos   int  // byte offset of the token in the input
	end   int  // byte offset just after the token
	space bool // folding white space right before the token
	inner bool // a domain literal with white space inside (obsolete)
}

// is reports whether t is the special character c.
func (t token) is(c byte) bool { return t.kind == tokSpecial && t.val[0] == c }

// lexer splits an input into tokens.
type lexer struct {
	in   string
	i    int
	toks []token
}

// lex returns the tokens of s, or a *ParseError for an unterminated quoted
// string, comment or literal, or a control character where none may be.
func lex(s string) ([]token, error) {
	l := &lexer{in: s, toks: make([]token, 0, min(len(s)/4+1, 32))} // a token every 4 bytes or so: one allocation
	for {
		space := l.skipFWS()
		if l.i >= len(l.in) {
			return l.toks, nil
		}
		t, err := l.token()
		if err != nil {
			return nil, err
		}
		t.space = space
		l.toks = append(l.toks, t)
	}
}

// token reads the token that starts at l.i.
func (l *lexer) token() (token, error) {
	start := l.i
	var t token
	var err error
	switch c := l.in[l.i]; {
	case c == '"':
		t, err = l.quoted()
	case c == '(':
		t, err = l.comment()
	case c == '[':
		t, err = l.literal()
	case isAtext(c) || c == '.':
		t = l.atom()
	default:
		l.i++
		t = token{kind: tokSpecial, val: l.in[start:l.i]}
	}
	t.pos, t.end = start, l.i
	return t, err
}

// fwsLen returns the length of the white space or folding at i: a space, a
// tab, or a line break followed by a space or tab or ending the input.
func fwsLen(s string, i int) int {
	switch {
	case s[i] == ' ' || s[i] == '\t':
		return 1
	case strings.HasPrefix(s[i:], "\r\n") && (i+2 == len(s) || isWSP(s[i+2])):
		return 2
	case s[i] == '\n' && (i+1 == len(s) || isWSP(s[i+1])):
		return 1
	}
	return 0
}

// skipFWS skips white space and reports whether there was any.
func (l *lexer) skipFWS() bool {
	start := l.i
	for l.i < len(l.in) {
		n := fwsLen(l.in, l.i)
		if n == 0 {
			break
		}
		l.i += n
	}
	return l.i > start
}

// atom reads a run of atext and dots.
func (l *lexer) atom() token {
	start := l.i
	for l.i < len(l.in) && (isAtext(l.in[l.i]) || l.in[l.i] == '.') {
		l.i++
	}
	return token{kind: tokAtom, val: l.in[start:l.i]}
}

// quoted reads a quoted-string (RFC 5322 §3.2.4): qtext, quoted-pairs and
// folding white space, whose line breaks are removed, and the controls of
// obs-qtext (§4.1).
func (l *lexer) quoted() (token, error) {
	start := l.i
	var b strings.Builder
	for l.i++; l.i < len(l.in); {
		c := l.in[l.i]
		switch {
		case c == '"':
			l.i++
			return token{kind: tokQuoted, val: b.String()}, nil
		case c == '\\':
			if err := l.quotedPair(&b, start); err != nil {
				return token{}, err
			}
		case isWSP(c) || isQtext(c) || isObsNoWSCtl(c):
			b.WriteByte(c)
			l.i++
		case fwsLen(l.in, l.i) > 0: // a folding line break, semantically invisible
			l.i += fwsLen(l.in, l.i)
		default:
			return token{}, l.fail(l.i, errorf(ErrSyntax, "control character %q in quoted string", c))
		}
	}
	return token{}, l.fail(start, errorf(ErrUnterminated, "quoted string"))
}

// quotedPair reads "\" followed by a visible character or white space.
func (l *lexer) quotedPair(b *strings.Builder, start int) error {
	if l.i+1 >= len(l.in) {
		return l.fail(start, errorf(ErrUnterminated, "quoted string"))
	}
	_, n := utf8.DecodeRuneInString(l.in[l.i+1:])
	c := l.in[l.i+1]
	if c < 0x80 && !isVchar(c) && !isWSP(c) {
		return l.fail(l.i, errorf(ErrSyntax, "control character %q after backslash", c))
	}
	b.WriteString(l.in[l.i+1 : l.i+1+n])
	l.i += 1 + n
	return nil
}

// comment reads a comment (RFC 5322 §3.2.2) with its nested comments, which
// stay in the text with their parentheses. Like net/mail, any byte may appear
// in a comment; a quoted-pair keeps the character after the backslash.
func (l *lexer) comment() (token, error) {
	start := l.i
	var b strings.Builder
	depth := 0
	for l.i < len(l.in) {
		c := l.in[l.i]
		if n := fwsLen(l.in, l.i); n > 0 && !isWSP(c) { // an unfolded line break
			l.i += n
			continue
		}
		l.i++
		switch {
		case c == '\\' && l.i < len(l.in):
			b.WriteByte(l.in[l.i])
			l.i++
			continue
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		if depth == 0 {
			return token{kind: tokComment, val: b.String()}, nil
		}
		if depth > 1 || c != '(' {
			b.WriteByte(c)
		}
	}
	return token{}, l.fail(start, errorf(ErrUnterminated, "comment"))
}

// literal reads a domain-literal "[...]" (RFC 5322 §3.4.1); folding white
// space inside (obsolete) is dropped and flagged.
func (l *lexer) literal() (token, error) {
	start := l.i
	t := token{kind: tokLiteral}
	var b strings.Builder
	for l.i++; l.i < len(l.in); {
		c := l.in[l.i]
		switch {
		case c == ']':
			l.i++
			t.val = b.String()
			return t, nil
		case fwsLen(l.in, l.i) > 0:
			l.i += fwsLen(l.in, l.i)
			t.inner = true
		case isDtext(c):
			b.WriteByte(c)
			l.i++
		default:
			return token{}, l.fail(l.i, errorf(ErrSyntax, "character %q in address literal", c))
		}
	}
	return token{}, l.fail(start, errorf(ErrUnterminated, "address literal"))
}

func (l *lexer) fail(pos int, reason error) error {
	return &ParseError{Input: l.in, Pos: pos, Reason: reason}
}

// isAtext reports whether c is atext (RFC 5322 §3.2.3); every byte of a
// UTF-8 sequence counts as atext (RFC 6532 §3.2).
func isAtext(c byte) bool {
	if c >= 0x80 {
		return true
	}
	return isVchar(c) && !strings.ContainsRune(`()<>[]:;@\,."`, rune(c))
}

// isVchar reports whether c is a visible character or a UTF-8 byte.
func isVchar(c byte) bool { return '!' <= c && c <= '~' || c >= 0x80 }

// isWSP reports whether c is a space or a tab.
func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// isQtext reports whether c may appear unescaped in a quoted string.
func isQtext(c byte) bool { return isVchar(c) && c != '"' && c != '\\' }

// isObsNoWSCtl reports whether c is a control that the obsolete syntax
// allows in quoted strings (RFC 5322 §4.1 obs-NO-WS-CTL).
func isObsNoWSCtl(c byte) bool {
	return c >= 1 && c <= 31 && c != '\t' && c != '\r' && c != '\n' || c == 127
}

// isDtext reports whether c may appear in a domain literal.
func isDtext(c byte) bool { return isVchar(c) && c != '[' && c != ']' && c != '\\' }
