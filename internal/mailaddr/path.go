package mailaddr

import (
	"errors"
	"strings"
)

// Path is the argument of an SMTP MAIL FROM or RCPT TO command (RFC 5321
// §4.1.2): a reverse-path or forward-path and its ESMTP parameters.
type Path struct {
	Null    bool              // the null reverse-path <> of bounces (RFC 5321 §4.5.5)
	Address Address           // the mailbox; for <postmaster> only Local is set
	Params  map[string]string // ESMTP parameters by upper-cased keyword; "" for a keyword without value; nil when none
}

// String returns the path as an SMTP command writes it: "<>" or
// "<local@domain>", without route nor parameters.
func (p Path) String() string {
	if p.Null {
		return "<>"
	}
	return "<" + p.Address.Addr() + ">"
}

// ParsePath reads the argument of MAIL FROM or RCPT TO: "<a@b>", "<>",
// "<postmaster>", "<@relay:a@b>", followed by ESMTP parameters such as
// "SIZE=100 BODY=8BITMIME". It also takes the whole command line
// ("MAIL FROM: <paul@uvsq.fr>", with or without the space after the colon
// that old clients send), and a mailbox without brackets, which many servers
// accept. Unlike a header address, a path has no comments and no spaces; its
// domain must be a host name (RFC 5321 §4.1.2, IDN allowed) or an address
// literal. Whether <> or <postmaster> fit the command is for the caller to
// check. The forms found are in Path.Address.Forms.
func ParsePath(s string) (Path, error) {
	rest := stripVerb(s)
	off := len(s) - len(rest)
	if i := strings.IndexAny(rest, "\r\n"); i >= 0 {
		return Path{}, &ParseError{Input: s, Pos: off + i, Reason: errorf(ErrSyntax, "line break inside an SMTP command")}
	}
	inner, params, bracketed, err := splitPath(rest)
	if err != nil {
		return Path{}, shift(err, s, off)
	}
	var p Path
	if p.Params, err = parseParams(params); err != nil {
		return Path{}, &ParseError{Input: s, Pos: off + len(rest) - len(params), Reason: err}
	}
	if bracketed && inner == "" {
		p.Null = true
		p.Address.Forms.add(FormNullPath)
	} else if p.Address, err = pathMailbox(inner); err != nil {
		return Path{}, shift(err, s, off+btoi(bracketed))
	}
	if !bracketed {
		p.Address.Forms.add(FormNoBrackets)
	}
	if p.Params != nil {
		p.Address.Forms.add(FormParams)
	}
	return p, nil
}

// stripVerb removes a leading "MAIL FROM:" or "RCPT TO:" and the spaces
// after it, and the line end.
func stripVerb(s string) string {
	for _, verb := range []string{"MAIL FROM:", "RCPT TO:"} {
		if len(s) >= len(verb) && strings.EqualFold(s[:len(verb)], verb) {
			s = s[len(verb):]
			break
		}
	}
	return strings.TrimRight(strings.TrimLeft(s, " \t"), " \t\r\n")
}

// splitPath splits "<path> params" or "mailbox params".
func splitPath(s string) (inner, params string, bracketed bool, err error) {
	if s == "" {
		return "", "", false, &ParseError{Input: s, Reason: errorf(ErrEmpty, "no path")}
	}
	if s[0] != '<' {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			i = len(s)
		}
		return s[:i], s[i:], false, nil
	}
	end := closingBracket(s)
	switch {
	case end < 0:
		return "", "", true, &ParseError{Input: s, Reason: errorf(ErrUnterminated, "path")}
	case end+1 < len(s) && !isWSP(s[end+1]):
		return "", "", true, &ParseError{Input: s, Pos: end + 1, Reason: errorf(ErrSyntax, "no space after the path")}
	}
	return s[1:end], s[end+1:], true, nil
}

// closingBracket returns the index of the ">" that closes the path, outside
// quoted strings, or -1.
func closingBracket(s string) int {
	quoted := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '>' && !quoted:
			return i
		}
	}
	return -1
}

// pathMailbox reads [A-d-l ":"] Mailbox, or Postmaster.
func pathMailbox(s string) (Address, error) {
	if strings.EqualFold(s, "postmaster") {
		a := Address{Local: s, Raw: s}
		a.Forms.add(FormPostmaster)
		return a, nil
	}
	p, err := newParser(s)
	if err != nil {
		return Address{}, err
	}
	if err := p.noSpaces(); err != nil {
		return Address{}, err
	}
	p.strict = true
	a, err := p.smtpMailbox()
	if err != nil {
		return Address{}, err
	}
	a.Raw = s
	finish(&a)
	return a, nil
}

// noSpaces refuses the white space and comments that a header allows but
// an SMTP path does not.
func (p *parser) noSpaces() error {
	if n := len(p.toks); n > 0 && p.toks[n-1].end < len(p.in) {
		return p.fail(token{pos: p.toks[n-1].end}, errorf(ErrSyntax, "space at the end of an SMTP path"))
	}
	for _, t := range p.toks {
		if t.space || t.kind == tokComment || t.inner {
			return p.fail(t, errorf(ErrSyntax, "space or comment in an SMTP path (RFC 5321 §4.1.2)"))
		}
	}
	return nil
}

// smtpMailbox reads an optional source route and a mailbox whose domain is a
// host name or an address literal.
func (p *parser) smtpMailbox() (Address, error) {
	var a Address
	if t := p.peek(); t.is('@') {
		if err := p.route(&a, t); err != nil {
			return a, err
		}
	}
	words := p.words()
	if t := p.peek(); !t.is('@') || !hasWord(words) {
		return a, p.missing(words, t)
	}
	if err := p.mailbox(&a, words); err != nil {
		return a, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return a, p.fail(t, errorf(ErrSyntax, "%s after the mailbox", describe(t)))
	}
	if !a.Literal.IsValid() {
		if err := checkHostname(a.Domain); err != nil {
			return a, &ParseError{Input: p.in, Pos: strings.LastIndex(p.in, a.Domain), Reason: err}
		}
	}
	return a, nil
}

// parseParams reads the ESMTP parameters after a path (RFC 5321 §4.1.2
// Mail-parameters: esmtp-keyword ["=" esmtp-value]).
func parseParams(s string) (map[string]string, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		k, v, eq := strings.Cut(f, "=")
		if !isKeyword(k) || eq && !isParamValue(v) {
			return nil, errorf(ErrBadParam, "%s", short(f))
		}
		k = strings.ToUpper(k)
		if _, dup := m[k]; dup {
			return nil, errorf(ErrBadParam, "%s given twice", short(k))
		}
		m[k] = v
	}
	return m, nil
}

// isKeyword: (ALPHA / DIGIT) *(ALPHA / DIGIT / "-").
func isKeyword(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '-') {
			return false
		}
	}
	return s != ""
}

// isParamValue: 1*(%d33-60 / %d62-126), and UTF-8 (RFC 6531 §3.3).
func isParamValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 33 || c == '=' || c == 127 {
			return false
		}
	}
	return s != ""
}

// shift moves the position of a *ParseError read from s[off:] into s.
func shift(err error, s string, off int) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return &ParseError{Input: s, Pos: pe.Pos + off, Reason: pe.Reason}
	}
	return err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
