package mailstore

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The search query language:
//
//	word                 a word anywhere (subject, addresses, body)
//	"several words"      a phrase
//	from:x to:x cc:x     a word or "phrase" in those addresses (names or addresses)
//	subject:x body:x     a word or "phrase" in the subject or the body
//	folder:NAME in:NAME  messages of a folder ("INBOX" or "Account/Folder")
//	is:unread is:read is:flagged is:answered is:draft
//	has:attachment
//	-term                any of the above negated
//
// Terms are ANDed. The last word is matched as a prefix unless the query ends
// with a space, so that results can follow typing. User text never reaches
// FTS5 as syntax: every word becomes a quoted FTS5 string.

// ftsTerm is one full-text condition.
type ftsTerm struct {
	column string // "" for every column
	text   string
	prefix bool
	neg    bool
}

// query is a parsed search query.
type query struct {
	terms   []ftsTerm
	folders []string // folder: values
	nfolder []string // -folder: values
	set     Flags    // flags that must be set
	unset   Flags    // flags that must not be set
	attach  int      // 1 has:attachment, -1 -has:attachment
}

var ftsColumns = map[string]string{
	"from": "addr_from", "to": "addr_to", "cc": "addr_cc", "subject": "subject", "body": "body",
}

var isFlags = map[string]struct {
	f   Flags
	neg bool
}{
	"unread": {FlagSeen, true}, "read": {FlagSeen, false}, "seen": {FlagSeen, false},
	"flagged": {FlagFlagged, false}, "starred": {FlagFlagged, false},
	"answered": {FlagAnswered, false}, "replied": {FlagAnswered, false}, "draft": {FlagDraft, false},
}

// parseQuery parses the query language into a query.
func parseQuery(src string) (*query, error) {
	if !utf8.ValidString(src) {
		return nil, &QueryError{Query: src, Reason: "not UTF-8"}
	}
	src = strings.Map(func(r rune) rune { // control characters are spaces
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, src)
	q := &query{}
	p := &lexer{src: src}
	lastIsTerm := false
	for {
		tok, ok := p.next()
		if !ok {
			break
		}
		n := len(q.terms)
		if err := q.add(src, tok); err != nil {
			return nil, err
		}
		lastIsTerm = len(q.terms) > n
	}
	if lastIsTerm && !p.lastClosed && !isSpace(src[len(src)-1]) {
		q.terms[len(q.terms)-1].prefix = true
	}
	if q.empty() {
		return nil, &QueryError{Query: src, Pos: len(src), Reason: "nothing to search for"}
	}
	return q, nil
}

func (q *query) empty() bool {
	return len(q.terms) == 0 && len(q.folders) == 0 && len(q.nfolder) == 0 &&
		q.set == 0 && q.unset == 0 && q.attach == 0
}

// token is one lexed term: [-][op:]value.
type token struct {
	pos    int
	neg    bool
	op     string // lower case, "" for a plain word or phrase
	value  string
	quoted bool
}

type lexer struct {
	src        string
	i          int
	lastClosed bool // the last token was a closed quoted string
}

func (l *lexer) next() (token, bool) {
	for l.i < len(l.src) && isSpace(l.src[l.i]) {
		l.i++
	}
	if l.i >= len(l.src) {
		return token{}, false
	}
	t := token{pos: l.i}
	if l.src[l.i] == '-' && l.i+1 < len(l.src) && !isSpace(l.src[l.i+1]) {
		t.neg = true
		l.i++
	}
	if l.src[l.i] != '"' {
		if op, ok := l.operator(); ok {
			t.op = op
		}
	}
	t.value, t.quoted = l.value()
	return t, true
}

// operator reads "name:" when name is a known operator.
func (l *lexer) operator() (string, bool) {
	j := l.i
	for j < len(l.src) && isOpByte(l.src[j]) {
		j++
	}
	if j == l.i || j >= len(l.src) || l.src[j] != ':' {
		return "", false
	}
	op := strings.ToLower(l.src[l.i:j])
	if _, ok := ftsColumns[op]; !ok && op != "folder" && op != "in" && op != "is" && op != "has" {
		return "", false
	}
	l.i = j + 1
	return op, true
}

// value reads a quoted string (to the closing quote, or to the end while it
// is being typed) or a word (to the next space).
func (l *lexer) value() (string, bool) {
	l.lastClosed = false
	if l.i < len(l.src) && l.src[l.i] == '"' {
		end := strings.IndexByte(l.src[l.i+1:], '"')
		if end < 0 {
			v := l.src[l.i+1:]
			l.i = len(l.src)
			return v, true
		}
		v := l.src[l.i+1 : l.i+1+end]
		l.i += end + 2
		l.lastClosed = true
		return v, true
	}
	j := l.i
	for j < len(l.src) && !isSpace(l.src[j]) {
		j++
	}
	v := l.src[l.i:j]
	l.i = j
	return v, false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isOpByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// add records one token in the query.
func (q *query) add(src string, t token) error {
	bad := func(reason string) error { return &QueryError{Query: src, Pos: t.pos, Reason: reason} }
	if t.op != "" && strings.TrimSpace(t.value) == "" {
		return bad(t.op + ": needs a value")
	}
	switch t.op {
	case "folder", "in":
		if t.neg {
			q.nfolder = append(q.nfolder, t.value)
		} else {
			q.folders = append(q.folders, t.value)
		}
	case "is":
		f, ok := isFlags[strings.ToLower(t.value)]
		if !ok {
			return bad("unknown is:" + t.value)
		}
		if f.neg != t.neg {
			q.unset |= f.f
		} else {
			q.set |= f.f
		}
	case "has":
		v := strings.ToLower(t.value)
		if v != "attachment" && v != "attachments" {
			return bad("unknown has:" + t.value)
		}
		q.attach = 1
		if t.neg {
			q.attach = -1
		}
	default:
		if hasWord(t.value) {
			q.terms = append(q.terms, ftsTerm{column: ftsColumns[t.op], text: t.value, neg: t.neg})
		} else if t.op != "" {
			return bad(t.op + ": needs a word")
		}
	}
	return nil
}

// hasWord tells whether FTS5's unicode61 tokenizer finds a token in s; text
// without one (punctuation only) would make an empty, matchless phrase.
func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.Co)
	}) >= 0
}

// fts returns the FTS5 expression of the positive and of the negated terms.
func (q *query) fts() (pos, neg string) {
	var p, n []string
	for _, t := range q.terms {
		e := quoteFTS(t.text)
		if t.prefix {
			e += "*"
		}
		if t.column != "" {
			e = "{" + t.column + "} : " + e
		}
		if t.neg {
			n = append(n, e)
		} else {
			p = append(p, e)
		}
	}
	return strings.Join(p, " AND "), strings.Join(n, " OR ")
}

// quoteFTS makes an FTS5 string: inside double quotes, a double quote is
// doubled; nothing else is special there.
func quoteFTS(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
