package thread

import (
	"strings"
	"unicode/utf8"
)

// replyPrefixes are the reply and forward markers that BaseSubject removes,
// compared without case: English, German (AW, WG), Scandinavian (SV, VS),
// Dutch (Antw, Doorst), French (Réf, TR, Rép), Italian (R, RIF), Spanish
// and Portuguese (RV, RES, ENC), Polish (Odp, PD), Chinese (回复, 答复, 转发).
var replyPrefixes = []string{
	"re", "fwd", "fw", "aw", "wg", "sv", "vs", "antw", "doorst",
	"réf", "ref", "rép", "tr", "r", "rif", "rv", "res", "enc",
	"odp", "pd", "回复", "答复", "转发",
}

// BaseSubject returns s without its reply and forward markers ("Re:",
// "RE:", "Fwd:", "Fw:", "AW:", "SV:", "Réf :", "Re[2]:", "Re(3):"...),
// leading mailing-list tags ("[golang-nuts] ") and trailing "(fwd)", as in
// RFC 5256 section 2.1, with runs of blanks made one space.
func BaseSubject(s string) string {
	b, _ := baseSubject(s)
	return b
}

// baseSubject returns the base subject and whether a marker was removed.
func baseSubject(s string) (base string, reply bool) {
	s = collapseBlanks(s)
	for {
		before := s
		s = strings.TrimSpace(s)
		for len(s) >= len("(fwd)") && strings.EqualFold(s[len(s)-len("(fwd)"):], "(fwd)") {
			s = strings.TrimSpace(s[:len(s)-len("(fwd)")])
			reply = true
		}
		if rest, ok := cutTag(s); ok {
			s = rest
		}
		if rest, ok := cutMarker(s); ok {
			s, reply = rest, true
		}
		if s == before {
			return s, reply
		}
	}
}

// cutTag removes a leading "[tag]" when something follows it.
func cutTag(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return s, false
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return s, false
	}
	rest := strings.TrimSpace(s[end+1:])
	if rest == "" {
		return s, false
	}
	return rest, true
}

// cutMarker removes a leading reply marker: a prefix word, an optional
// counter ("[2]", "(2)", "^2"), blanks, then ':' (or a full-width colon).
func cutMarker(s string) (string, bool) {
	for _, p := range replyPrefixes {
		if len(s) <= len(p) || !strings.EqualFold(s[:len(p)], p) {
			continue
		}
		rest := skipCounter(s[len(p):])
		rest = strings.TrimLeft(rest, " \t")
		if strings.HasPrefix(rest, ":") {
			return rest[1:], true
		}
		if strings.HasPrefix(rest, "：") {
			return rest[len("："):], true
		}
	}
	return s, false
}

// skipCounter skips "[n]", "(n)" or "^n".
func skipCounter(s string) string {
	if s == "" {
		return s
	}
	var closing byte
	switch s[0] {
	case '[':
		closing = ']'
	case '(':
		closing = ')'
	case '^':
		i := 1
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[i:]
	default:
		return s
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 1 && i < len(s) && s[i] == closing {
		return s[i+1:]
	}
	return s
}

// collapseBlanks turns runs of blanks (tabs, newlines) into one space,
// without allocating when there is nothing to change.
func collapseBlanks(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\r' || c == '\n' || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}

// subjectKey is the grouping key of a root: its base subject without case,
// and whether its subject had a reply marker. A dummy root uses its first
// child's subject.
func subjectKey(r *Node) (key string, reply bool) {
	n := r
	if n.Item == nil {
		if len(n.Children) == 0 || n.Children[0].Item == nil {
			return "", false
		}
		n = n.Children[0]
	}
	base, reply := baseSubject(n.Item.Subject)
	return strings.ToLower(base), reply
}

// groupBySubject is JWZ's step 5: roots with the same base subject are
// gathered (but two originals are never merged, see the package doc).
func groupBySubject(roots []*Node) []*Node {
	type entry struct {
		n     *Node
		reply bool
	}
	keys := make([]string, len(roots))
	replies := make([]bool, len(roots))
	table := make(map[string]entry, len(roots))
	for i, r := range roots {
		keys[i], replies[i] = subjectKey(r)
		if keys[i] == "" {
			continue
		}
		old, ok := table[keys[i]]
		if !ok || old.n.Item != nil && r.Item == nil ||
			old.reply && !replies[i] && r.Item != nil && old.n.Item != nil {
			table[keys[i]] = entry{r, replies[i]}
		}
	}
	gone := make(map[*Node]bool)
	var added []*Node
	for i, r := range roots {
		if keys[i] == "" {
			continue
		}
		e := table[keys[i]]
		c := e.n
		if c == r || gone[r] {
			continue
		}
		switch {
		case c.Item == nil && r.Item == nil:
			for _, k := range r.Children {
				link(c, k)
			}
			r.Children = nil
			gone[r] = true
		case c.Item == nil:
			link(c, r)
		case r.Item == nil:
			link(r, c)
			table[keys[i]] = entry{r, replies[i]}
		case replies[i] && !e.reply:
			link(c, r)
		case replies[i] && e.reply:
			d := &Node{}
			link(d, c)
			link(d, r)
			table[keys[i]] = entry{d, true}
			added = append(added, d)
		}
		// Two originals, or an original after a reply: apart.
	}
	out := make([]*Node, 0, len(roots)+len(added))
	for _, r := range append(roots, added...) {
		if r.Parent == nil && !gone[r] {
			out = append(out, r)
		}
	}
	return out
}
