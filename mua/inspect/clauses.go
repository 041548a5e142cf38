package inspect

import (
	"strings"
)

// clause names the clauses of a Received field.
type clause uint8

const (
	clNone clause = iota
	clFrom
	clBy
	clVia
	clWith
	clID
	clFor
	clTLS // Exim's "tls CIPHER"
)

var clauseNames = [...]string{clNone: "", clFrom: "from", clBy: "by", clVia: "via", clWith: "with", clID: "id", clFor: "for", clTLS: "tls"}

func keyword(w string) clause {
	switch {
	case len(w) < 2 || len(w) > 4 || !isClauseInitial[w[0]]:
		return clNone
	case w == "tls":
		return clTLS // Exim writes it in lower case; Hotmail's "over TLS" is no clause
	}
	for _, c := range [...]clause{clBy, clID, clVia, clFor, clFrom, clWith} {
		if len(clauseNames[c]) == len(w) && strings.EqualFold(w, clauseNames[c]) {
			return c
		}
	}
	return clNone
}

// isClauseInitial tells the first letters of the clause names, in either case.
var isClauseInitial = func() (t [256]bool) {
	for _, n := range clauseNames {
		if n != "" {
			t[n[0]], t[upperASCII(n[0])] = true, true
		}
	}
	return t
}()

// hopParser walks the tokens of a Received field clause by clause: a
// keyword opens a clause, the next word is its value, later words and
// comments belong to it until the next keyword, whatever the order of the
// clauses.
type hopParser struct {
	h        *Hop
	spareTLS *TLS        // where h.TLS goes, or nil to allocate it
	strs     *stringSlab // where h's one-string lists go, or nil
	raw      string
	cur      clause
	fresh    bool // the previous word was a keyword: this one is its value
	seen     [clTLS + 1]bool
	more     int // index in h.More of the repeated clause being read, or -1

	garbage bool // words before any clause
	with    words
	via     words
	// the byte span of the with and via clauses in raw, for ProtocolRaw
	withSpan, viaSpan [2]int
	prevEnd           int // end of the previous token
	envelopeNext      bool

	exim         bool // Exim's from form: rdns ([ip]:port helo=name)
	explicitHELO bool // the HELO name was written out
	verified     bool // CommuniGate's "([ip] verified)": the name is the rDNS
	bareIP       bool // the client IP came in a bare "(ip)" comment (qmail, smap)
	phrase       bool // the from clause is several words: "mail pickup service"
	parenFrom    bool // the from clause was written in parentheses
	// nameComment is a comment of one host name after the from name:
	// Exim 3's "(helo)" before "[ip]", or the rDNS ("from HELO (rdns)").
	nameComment      string
	literalAfterName bool
	sawLiteral       bool // a bare [ip] word followed the from name
	phraseOK         bool // the previous token was the from name or a word of it
}

func (p *hopParser) walk(toks []token) {
	for _, t := range toks {
		switch {
		case t.kind == tokSemi:
			p.cur, p.fresh = clNone, false
		case t.kind == tokComment:
			p.phraseOK = false
			p.comment(t)
		default:
			if k := keyword(t.text); k != clNone {
				p.open(k)
			} else if p.fresh {
				p.fresh = false
				p.value(t)
			} else {
				p.word(t)
			}
		}
		p.prevEnd = t.end
	}
}

// open starts a clause. A keyword is never taken as a value, so that an
// empty clause ("from  ([192.0.2.7]) by ...") loses nothing. A clause
// written again goes to More, but a second from with a path is the
// envelope sender (XMail's "for <a> from <b>").
func (p *hopParser) open(k clause) {
	p.cur, p.fresh, p.more, p.phraseOK = k, true, -1, false
	if !p.seen[k] || k == clFor || k == clFrom {
		return
	}
	p.h.More = append(p.h.More, Clause{Name: clauseNames[k]})
	p.more = len(p.h.More) - 1
}

// value takes the first word of the current clause.
func (p *hopParser) value(t token) {
	h, w := p.h, trimComma(t.text)
	if w == "" {
		p.fresh = true // a lone comma: the value is still to come
		return
	}
	if p.more >= 0 {
		p.repeated(w)
		return
	}
	if p.cur == clFrom && p.seen[clFrom] {
		if strings.HasPrefix(w, "<") && h.EnvelopeFrom == "" {
			h.EnvelopeFrom = strings.Trim(w, "<>")
		} else {
			h.Extra = p.add(h.Extra, w)
		}
		return
	}
	p.seen[p.cur] = true
	switch p.cur {
	case clFrom:
		h.From = w
		p.phraseOK = w != "" && !strings.HasPrefix(w, "[")
	case clBy:
		h.By = w
		if ip, _, ok := parseAddrLiteral(w); ok {
			h.ByIP = ip
		}
	case clVia:
		p.via.add(p.raw, t, w)
		p.viaSpan = [2]int{t.start, t.start + len(w)}
	case clWith:
		p.with.add(p.raw, t, w)
		p.withSpan = [2]int{t.start, t.start + len(w)}
	case clID:
		h.ID = trimID(w)
	case clFor:
		p.addFor(w)
	case clTLS:
		p.tls(TLS{Cipher: w})
	}
}

// repeated adds a word to a clause written a second time; Mimecast's
// "with ESMTP with STARTTLS" also says TLS.
func (p *hopParser) repeated(w string) {
	c := &p.h.More[p.more]
	if c.Value != "" {
		c.Value += " "
	}
	c.Value += w
	if c.Name == "with" && (strings.EqualFold(w, "STARTTLS") || strings.EqualFold(w, "TLS")) {
		p.tls(TLS{})
	}
}

// word takes a word that follows a clause's value: Microsoft's "with
// Microsoft SMTP Server", "via Frontend Transport", several for paths, an
// IP written after the from or by name, "claiming to be", Haraka's
// "envelope-from <...>".
func (p *hopParser) word(t token) {
	h, w := p.h, trimComma(t.text)
	switch {
	case w == "":
		return
	case p.envelopeNext:
		p.envelopeNext = false
		h.EnvelopeFrom = strings.Trim(w, "<>")
		return
	case strings.EqualFold(w, "envelope-from") || strings.EqualFold(w, "envelope-sender"):
		p.envelopeNext = true
		return
	case p.more >= 0:
		p.repeated(w)
		return
	}
	switch p.cur {
	case clWith:
		p.withWord(t, w)
	case clVia:
		p.via.add(p.raw, t, w)
		p.viaSpan[1] = t.end
	case clFor:
		p.addFor(w)
	case clFrom:
		p.fromWord(t, w)
	case clBy:
		p.byWord(w)
	case clNone:
		p.garbage = true
		h.Extra = p.add(h.Extra, w)
	default:
		h.Extra = p.add(h.Extra, w)
	}
}

// withWord adds a word to the with clause; qmail's "with AES256-SHA
// encrypted SMTP" names the cipher.
func (p *hopParser) withWord(t token, w string) {
	if strings.EqualFold(w, "encrypted") && p.with.last != "" {
		p.tls(TLS{Cipher: p.with.last})
	}
	p.with.add(p.raw, t, w)
	p.withSpan[1] = t.end
}

// fromWord reads what follows the from name: "[192.0.2.7]" (Exim 3,
// MDaemon, GMX), smap's "claiming to be "name"", or more words of a
// phrase ("mail pickup service").
func (p *hopParser) fromWord(t token, w string) {
	h := p.h
	if ip, port, ok := parseAddrLiteral(w); ok && strings.HasPrefix(w, "[") {
		if !h.IP.IsValid() {
			h.IP, h.Port = ip, port
		}
		p.sawLiteral, p.phraseOK = true, false
		p.literalAfterName = p.nameComment != ""
		return
	}
	if strings.EqualFold(w, "claiming") || strings.EqualFold(w, "to") || strings.EqualFold(w, "be") {
		return
	}
	if strings.HasPrefix(w, `"`) {
		if name := strings.Trim(w, `"`); name != "" {
			h.HELO, h.HELOSource = name, HELOFromComment
		}
		p.explicitHELO = true
		return
	}
	if p.phraseOK {
		h.From += " " + w
		p.phrase = true
		return
	}
	h.Extra = p.add(h.Extra, w)
}

// byWord reads what follows the by name: its IP ("[202.83.84.27]",
// MDaemon) or Hotmail's "over TLS secured channel".
func (p *hopParser) byWord(w string) {
	h := p.h
	if ip, _, ok := parseAddrLiteral(w); ok && !h.ByIP.IsValid() {
		h.ByIP = ip
		return
	}
	switch {
	case strings.EqualFold(w, "TLS"):
		p.tls(TLS{Note: "TLS secured channel"})
	case strings.EqualFold(w, "over") || strings.EqualFold(w, "secured") || strings.EqualFold(w, "channel"):
	default:
		h.Extra = p.add(h.Extra, w)
	}
}

// protocol returns the canonical protocol and the text it was read from:
// the with clause, or the via clause when there is none ("via HTTP",
// "via smap (V1.3)").
func (p *hopParser) protocol() (Protocol, string) {
	if p.with.first != "" {
		return parseProtocol(p.h.With), p.span(p.withSpan)
	}
	if p.via.first != "" {
		if proto := viaProtocol(p.via.first); proto != "" {
			return proto, p.span(p.viaSpan)
		}
	}
	return "", ""
}

// span returns raw[s[0]:s[1]] extended over a comment glued to its last
// word: "SMTPSVC(6.0.3790.0)".
func (p *hopParser) span(s [2]int) string {
	end := s[1]
	if end < len(p.raw) && p.raw[end] == '(' {
		_, end = commentEnd(p.raw, end)
	}
	if s[0] >= end || end > len(p.raw) {
		return ""
	}
	return p.raw[s[0]:end]
}

// qmailForm tells whether the client's IP came in qmail's or smap's bare
// "(ip)" comment, where the name after from is the reverse DNS name (the
// HELO name, when it differs, is written apart). Microsoft's and Critical
// Path's "(ip)", which follow the HELO name, have a software comment, an
// IP for the by host or a Microsoft with clause.
func (p *hopParser) qmailForm(h *Hop) bool {
	return p.bareIP && (h.With != "" || h.Via != "") && h.Software == "" && !h.ByIP.IsValid() && !hasPrefixFold(h.With, "Microsoft") &&
		!h.Protocol.Client()
}

// trimComma removes the comma that some MTAs glue to a value ("by host,
// id x").
func trimComma(w string) string {
	return strings.TrimRight(w, ",")
}

// trimID removes the brackets of "id <S72E>" and "id ‹x›".
func trimID(w string) string {
	w = strings.TrimSuffix(strings.TrimPrefix(w, "‹"), "›")
	if strings.HasPrefix(w, "<") && strings.HasSuffix(w, ">") {
		w = w[1 : len(w)-1]
	}
	return w
}
