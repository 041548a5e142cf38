package mailaddr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"facteur/internal/ascii"
)

// Parse reads one mailbox: an addr-spec ("user1@domaine", "jacques @ urec.fr",
// "paul@uvsq.fr (Paul Ochon)") or a name-addr ("Nom <user1@domaine>",
// "<@domaine2:user1@domaine3>"). A group of exactly one mailbox is accepted,
// as net/mail does. Errors are *ParseError.
func Parse(s string) (Address, error) {
	p, err := newParser(s)
	if err != nil {
		return Address{}, err
	}
	p.strict = true
	list, err := p.address(true)
	if err != nil {
		return Address{}, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return Address{}, p.fail(t, errorf(ErrSyntax, "%s after the address", describe(t)))
	}
	switch {
	case len(list) == 1 && !list[0].IsEmptyGroup():
		return list[0], nil
	case len(list) == 1:
		return Address{}, p.fail(p.peekAt(0), errorf(ErrEmpty, "empty group"))
	}
	return Address{}, p.fail(p.peekAt(0), errorf(ErrSyntax, "group of %d addresses where one is wanted", len(list)))
}

// ParseList reads the address list of a header field such as To or Cc
// (RFC 5322 §3.4, with the empty elements of obs-addr-list). Groups are
// flattened: their members carry the group name in Group, and an empty group
// gives one Address for which IsEmptyGroup is true. When some addresses
// cannot be read, ParseList returns the others with the first error.
func ParseList(s string) ([]Address, error) {
	p, err := newParser(s)
	if err != nil {
		return nil, err
	}
	return p.list()
}

// parser reads an address or an address list from its tokens.
type parser struct {
	in     string
	toks   []token
	i      int
	strict bool  // stop at the first error instead of skipping to the next address
	err    error // the first error met when not strict
}

func newParser(s string) (*parser, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	return &parser{in: s, toks: toks}, nil
}

func (p *parser) peek() token { return p.peekAt(p.i) }

func (p *parser) peekAt(i int) token {
	if i < len(p.toks) {
		return p.toks[i]
	}
	return token{kind: tokEOF, pos: len(p.in), end: len(p.in)}
}

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

// afterComments returns the index of the first token at or after i that is
// not a comment.
func (p *parser) afterComments(i int) int {
	for p.peekAt(i).kind == tokComment {
		i++
	}
	return i
}

func (p *parser) fail(t token, reason error) error {
	return &ParseError{Input: p.in, Pos: t.pos, Reason: reason}
}

// note keeps the first error of a tolerant parse.
func (p *parser) note(err error) {
	if p.err == nil {
		p.err = err
	}
}

// skipTo skips to the next separator in seps outside angle brackets, after a
// bad address of a list.
func (p *parser) skipTo(seps string) {
	depth := 0
	for t := p.peek(); t.kind != tokEOF; t = p.peek() {
		switch {
		case t.is('<'):
			depth++
		case t.is('>') && depth > 0:
			depth--
		case t.kind == tokSpecial && depth == 0 && strings.Contains(seps, t.val):
			return
		}
		p.next()
	}
}

// raw returns the input text of the tokens from start to the current one.
func (p *parser) raw(start int) string {
	if p.i <= start {
		return ""
	}
	return strings.TrimSpace(p.in[p.toks[start].pos:p.toks[p.i-1].end])
}

// list reads an address list, skipping the addresses it cannot read.
func (p *parser) list() ([]Address, error) {
	var out []Address
	for {
		j := p.afterComments(p.i)
		t := p.peekAt(j)
		if t.kind == tokEOF {
			break
		}
		if t.is(',') {
			p.i = j + 1
			continue
		}
		list, err := p.address(true)
		if err == nil {
			err = p.expectSeparator(",")
		}
		if err != nil {
			p.note(err)
			p.skipTo(",")
			continue
		}
		out = append(out, list...)
	}
	if len(out) == 0 && p.err == nil {
		p.err = p.fail(p.peekAt(0), errorf(ErrEmpty, "no address in the list"))
	}
	return out, p.err
}

// expectSeparator checks that the next token is one of seps or the end.
func (p *parser) expectSeparator(seps string) error {
	t := p.peek()
	if t.kind == tokEOF || t.kind == tokSpecial && strings.Contains(seps, t.val) {
		return nil
	}
	return p.fail(t, errorf(ErrSyntax, "%s after an address, expected %q", describe(t), seps))
}

// address reads a mailbox, or a group when groupOK is set (RFC 5322 §3.4).
// The words before the first special character decide: a display name
// before "<", a local part before "@", a group name before ":".
func (p *parser) address(groupOK bool) ([]Address, error) {
	start := p.i
	words := p.words()
	t := p.peek()
	switch {
	case t.is('<'):
		a, err := p.nameAddr(words)
		return p.one(a, start, err)
	case t.is('@') && hasWord(words):
		a, err := p.addrSpec(words)
		return p.one(a, start, err)
	case t.is(':') && groupOK && hasWord(words):
		return p.group(start, words)
	}
	return nil, p.missing(words, t)
}

// one finishes a mailbox read from the tokens from start.
func (p *parser) one(a Address, start int, err error) ([]Address, error) {
	if err != nil {
		return nil, err
	}
	a.Raw = p.raw(start)
	finish(&a)
	return []Address{a}, nil
}

// words reads the atoms, quoted strings and comments up to the next special.
func (p *parser) words() []token {
	start := p.i
	for k := p.peek().kind; k == tokAtom || k == tokQuoted || k == tokComment; k = p.peek().kind {
		p.i++
	}
	return p.toks[start:p.i]
}

// hasWord reports whether words holds an atom or a quoted string.
func hasWord(words []token) bool {
	for _, w := range words {
		if w.kind != tokComment {
			return true
		}
	}
	return false
}

// missing explains why the words before t make no address.
func (p *parser) missing(words []token, t token) error {
	switch {
	case t.is('@'):
		return p.fail(t, errorf(ErrBadLocal, "nothing before @"))
	case hasWord(words) && t.is(':'):
		return p.fail(t, errorf(ErrSyntax, "group inside a group"))
	case hasWord(words) && (t.kind == tokEOF || t.is(',') || t.is(';') || t.is('>')):
		return p.fail(t, errorf(ErrNoAt, "%s after %s", describe(t), short(p.in[words[0].pos:words[len(words)-1].end])))
	case t.kind == tokEOF:
		return p.fail(t, errorf(ErrEmpty, "no address"))
	}
	return p.fail(t, errorf(ErrSyntax, "unexpected %s", describe(t)))
}

// describe names a token for an error message.
func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of input"
	case tokSpecial:
		return "character " + short(t.val)
	}
	return "word " + short(t.val)
}

// short quotes s for an error message, cut to about 40 bytes.
func short(s string) string {
	if len(s) > 40 {
		s = strings.ToValidUTF8(s[:40], "") + "..."
	}
	return strconv.Quote(s)
}

// addrSpec reads a bare addr-spec and its trailing comments; the first of
// them becomes the name, as in "paul@uvsq.fr (Paul Ochon)".
func (p *parser) addrSpec(words []token) (Address, error) {
	var a Address
	if err := p.mailbox(&a, words); err != nil {
		return a, err
	}
	p.trailer(&a, true)
	return a, nil
}

// nameAddr reads [display-name] "<" [route] addr-spec ">".
func (p *parser) nameAddr(words []token) (Address, error) {
	var a Address
	p.displayName(&a, words)
	if err := p.angle(&a, p.next()); err != nil {
		return a, err
	}
	p.trailer(&a, false)
	return a, nil
}

// angle reads what follows "<": an optional source route, the addr-spec
// and ">".
func (p *parser) angle(a *Address, lt token) error {
	p.comments(a)
	if t := p.peek(); t.is('@') || t.is(',') {
		if err := p.route(a, lt); err != nil {
			return err
		}
	}
	words := p.words()
	t := p.peek()
	switch {
	case t.is('>') && !hasWord(words):
		return p.fail(t, errorf(ErrEmpty, "empty angle address <>"))
	case t.kind == tokEOF:
		return p.fail(lt, errorf(ErrUnterminated, "angle address"))
	case !t.is('@') || !hasWord(words):
		return p.missing(words, t)
	}
	if err := p.mailbox(a, words); err != nil {
		return err
	}
	p.comments(a)
	switch t = p.next(); {
	case t.is('>'):
		return nil
	case t.kind == tokEOF:
		return p.fail(lt, errorf(ErrUnterminated, "angle address"))
	}
	return p.fail(t, errorf(ErrSyntax, "%s in angle address, expected \">\"", describe(t)))
}

// route reads the obsolete source route "@a,@b:" (RFC 5322 §4.4 obs-route,
// RFC 5321 §4.1.2 A-d-l).
func (p *parser) route(a *Address, lt token) error {
	comma := true // obs-domain-list may start with commas
	for {
		p.comments(a)
		t := p.next()
		switch {
		case t.is(','):
			comma = true
		case t.is('@') && comma:
			d, _, _, err := p.domain(a)
			if err != nil {
				return err
			}
			a.Route, comma = append(a.Route, d), false
		case t.is(':') && len(a.Route) > 0:
			a.Forms.add(FormSourceRoute)
			return nil
		case t.kind == tokEOF:
			return p.fail(lt, errorf(ErrUnterminated, "angle address"))
		default:
			return p.fail(t, errorf(ErrSyntax, "%s in source route", describe(t)))
		}
	}
}

// mailbox reads local-part "@" domain into a.
func (p *parser) mailbox(a *Address, words []token) error {
	if err := p.local(a, words); err != nil {
		return err
	}
	if at := p.next(); at.space {
		a.Forms.add(FormObsoleteSpaces)
	}
	d, lit, forms, err := p.domain(a)
	if err != nil {
		return err
	}
	a.Domain, a.Literal, a.Forms = d, lit, a.Forms|forms
	return nil
}

// local reads a local part: a dot-atom, a quoted string, or the obsolete
// obs-local-part, words joined by dots with CFWS around (RFC 5322 §3.4.1,
// §4.4). The value drops the CFWS and the quotes.
func (p *parser) local(a *Address, words []token) error {
	var b strings.Builder
	wantWord, started := true, false
	for _, w := range words {
		if started && w.space {
			a.Forms.add(FormObsoleteSpaces)
		}
		switch w.kind {
		case tokComment:
			p.comment(a, w)
			continue
		case tokQuoted:
			a.Forms.add(FormQuotedLocal)
			if !wantWord {
				return p.fail(w, errorf(ErrBadLocal, "two words without a dot"))
			}
			wantWord = false
		case tokAtom:
			if !checkDots(w.val, &wantWord) {
				return p.fail(w, errorf(ErrBadLocal, "misplaced dot or two words without a dot"))
			}
		}
		started = true
		b.WriteString(w.val)
	}
	return p.setLocal(a, b.String(), wantWord, words)
}

// setLocal checks and stores the value of a local part.
func (p *parser) setLocal(a *Address, local string, wantWord bool, words []token) error {
	switch at := p.peek(); {
	case wantWord || local == "":
		return p.fail(at, errorf(ErrBadLocal, "empty local part or trailing dot"))
	case !utf8.ValidString(local):
		return p.fail(words[0], errorf(ErrBadLocal, "invalid UTF-8"))
	case strings.ContainsFunc(local, isControl):
		return p.fail(words[0], errorf(ErrBadLocal, "control character"))
	case !ascii.Is(local):
		a.Forms.add(FormUTF8Local)
	}
	a.Local = local
	return nil
}

// checkDots follows the alternation word "." word of a dotted atom; wantWord
// says whether a word is expected next.
func checkDots(atom string, wantWord *bool) bool {
	j := 0
	for piece := range strings.SplitSeq(atom, ".") {
		if j++; j > 1 { // a dot
			if *wantWord {
				return false
			}
			*wantWord = true
		}
		if piece != "" {
			if !*wantWord {
				return false
			}
			*wantWord = false
		}
	}
	return true
}

// trailer reads the comments after an address; with name set, the first one
// becomes the name when there is none.
func (p *parser) trailer(a *Address, name bool) {
	for first := true; p.peek().kind == tokComment; first = false {
		t := p.next()
		if name && first && a.Name == "" {
			a.Name = commentText(t.val)
		}
		p.comment(a, t)
	}
}

// comments reads the comments at the current position into a.
func (p *parser) comments(a *Address) {
	for p.peek().kind == tokComment {
		p.comment(a, p.next())
	}
}

// comment records a comment token.
func (p *parser) comment(a *Address, t token) {
	a.Comments = append(a.Comments, commentText(t.val))
	a.Forms.add(FormComment)
}

// displayName sets the name and the comments of a name-addr.
func (p *parser) displayName(a *Address, words []token) {
	for _, w := range words {
		if w.kind == tokComment {
			p.comment(a, w)
		}
	}
	name, encoded := phrase(words)
	a.Name = name
	if name != "" {
		a.Forms.add(FormDisplayName)
	}
	if encoded {
		a.Forms.add(FormEncodedName)
	}
}

// plainMask holds the forms that make an address more than plain.
const plainMask = ^FormSet(1<<FormGroup | 1<<FormNullPath | 1<<FormParams | 1<<FormNoBrackets)

// finish marks an address that uses no particular form as plain.
func finish(a *Address) {
	if a.Forms&plainMask == 0 {
		a.Forms.add(FormPlain)
	}
}
