package inspect

import (
	"net/netip"
	"strings"
	"time"
)

// Hop is one Received field, parsed (RFC 5321 §4.4: from, by, via, with,
// id, for clauses and a date). The JSON keys are the clause names. A field
// that does not parse is kept whole in Raw with Unparsed set, never dropped;
// a value the field does not write stays empty.
type Hop struct {
	// From is the word after "from" as written: the HELO/EHLO name in the
	// RFC 5321 form, the reverse DNS name or "[IP]" in Exim's, "unknown" in
	// qmail's, "" when the clause is empty ("from ([192.0.2.7])").
	From string `json:"from,omitempty"`
	// HELO is the name the client gave in HELO/EHLO/LHLO, when the field
	// says it; HELOSource tells where: "from" (the word after from, the
	// RFC 5321 form) or "comment" (written out: "(HELO name)", "helo=name",
	// "claiming to be", CommuniGate's "(account x HELO name)").
	HELO       string `json:"helo,omitempty"`
	HELOSource string `json:"helo_source,omitempty"`
	// RDNS is the reverse DNS name the receiving server found for the
	// client's IP, as written (without a trailing dot); "" when unknown.
	RDNS  string     `json:"rdns,omitempty"`
	IP    netip.Addr `json:"ip,omitzero"`     // the client's IP
	Port  uint16     `json:"port,omitempty"`  // the client's port, when written (Exim, XMail)
	Ident string     `json:"ident,omitempty"` // user part of "(user@host [IP])" (RFC 1413, qmail)

	By       string     `json:"by,omitempty"`       // the receiving host as written
	ByIP     netip.Addr `json:"by_ip,omitzero"`     // its IP, when written (Microsoft)
	Software string     `json:"software,omitempty"` // the receiver's comment: "Postfix", "8.15.2/8.15.2", "Exim 4.96"

	Via string `json:"via,omitempty"`
	// With is the with clause's words as written; Protocol its canonical
	// name (from the via clause when there is no with: "via HTTP"), and
	// ProtocolRaw the text Protocol was read from, as written, a product's
	// version glued to its name included ("Microsoft SMTPSVC(6.0.3790.0)",
	// "[XMail 1.20 ESMTP Server]").
	With        string   `json:"with,omitempty"`
	Protocol    Protocol `json:"protocol,omitempty"`
	ProtocolRaw string   `json:"protocol_raw,omitempty"`
	ID          string   `json:"id,omitempty"`  // without its brackets
	For         []string `json:"for,omitempty"` // recipient paths, without <>

	TLS *TLS `json:"tls,omitempty"` // nil when the field says nothing about TLS
	// Authenticated is set when the protocol (ESMTPA, ESMTPSA, asmtp ...)
	// or a comment says that the client authenticated; Auth is the
	// identity, when written ("Authenticated sender: alice@example.org").
	Authenticated bool   `json:"authenticated,omitempty"`
	Auth          string `json:"auth,omitempty"`
	// EnvelopeFrom is the MAIL FROM path when the field writes it:
	// "(envelope-from <...>)" (Exim, Postfix, Haraka), "(envelope-sender
	// <...>)" (qmail-ldap), XMail's and IBM's trailing "from <...>".
	EnvelopeFrom string `json:"envelope_from,omitempty"`

	Date    time.Time `json:"date,omitzero"`      // zero when missing or unreadable
	DateRaw string    `json:"date_raw,omitempty"` // the date text as written

	// More holds the clauses written a second time ("with ESMTP with
	// STARTTLS", "by a by uid 502"), in order.
	More     []Clause `json:"more,omitempty"`
	Comments []string `json:"comments,omitempty"` // other comments, in order
	Extra    []string `json:"extra,omitempty"`    // words that fit no clause

	// Raw is the field's value unfolded, white space runs collapsed.
	Raw      string `json:"raw"`
	Unparsed bool   `json:"unparsed,omitempty"`
}

// Clause is a clause of a Received field that was written more than once.
type Clause struct {
	Name  string `json:"name"`  // "by", "with", "via", "id", "from"
	Value string `json:"value"` // its words as written
}

// The sources of Hop.HELO.
const (
	HELOFromClause  = "from"
	HELOFromComment = "comment"
)

// ParseReceived parses the value of one Received field (without the
// "Received:" name; it may still be folded). It never fails: what it cannot
// read is kept in Raw with Unparsed set. Clauses may come in any order and
// comments anywhere.
func ParseReceived(value string) Hop {
	var h Hop
	parseUnfolded(&h, unfold(value), nil, nil)
	return h
}

// parseUnfolded parses an unfolded Received field into h, which must be
// zero: the route parses each hop in place. spareTLS, when not nil, is a
// zero TLS that h.TLS is to point to if the field speaks of TLS; strs,
// when not nil, holds the first string of h's lists.
func parseUnfolded(h *Hop, raw string, spareTLS *TLS, strs *stringSlab) {
	h.Raw = raw
	var buf [32]token // most fields have fewer tokens: no allocation
	toks := tokenize(buf[:0], h.Raw)
	body, date := splitDate(h.Raw, toks)
	p := hopParser{h: h, raw: h.Raw, more: -1, spareTLS: spareTLS, strs: strs}
	p.walk(body)
	p.dateComments(date)
	p.setDate(dateText(h.Raw, date))
	h.finish(&p)
}

// stringSlab holds the one-string lists of the hops of a route (most For,
// Extra and Comments have one string), a block of them at a time.
type stringSlab []string

// one returns the list of s alone, cut from the slab: an append to it
// copies it elsewhere, never over its neighbour.
func (sl *stringSlab) one(s string) []string {
	if len(*sl) == cap(*sl) {
		*sl = make([]string, 0, 32)
	}
	*sl = append(*sl, s)
	n := len(*sl)
	return (*sl)[n-1 : n : n]
}

// add appends s to list, the first string of a list from the slab.
func (p *hopParser) add(list []string, s string) []string {
	if list != nil || p.strs == nil {
		return append(list, s)
	}
	return p.strs.one(s)
}

// finish derives what the clauses imply once all of them are read.
func (h *Hop) finish(p *hopParser) {
	h.With, h.Via = p.with.String(p.raw), p.via.String(p.raw)
	h.Protocol, h.ProtocolRaw = p.protocol()
	if h.Protocol.Authenticated() {
		h.Authenticated = true
	}
	if strings.Contains(h.Software, "Exim") {
		p.exim = true
	}
	h.fromNames(p)
	h.RDNS = strings.TrimSuffix(h.RDNS, ".")
	if h.IP.Is4In6() {
		h.IP = h.IP.Unmap()
	}
	h.Unparsed = !p.seen[clFrom] && !p.seen[clBy] && (p.garbage || len(h.Comments) == 0 || h.Date.IsZero())
}

// fromNames settles HELO, RDNS, IP and Ident from the word after "from".
// In the RFC 5321 form that word is the HELO name. Exim, qmail (with an
// explicit HELO), ZMailer and GMX write the reverse DNS name there and the
// HELO name apart; qmail and smap write the reverse DNS name before a bare
// "(IP)"; "unknown", "<...>", a bare IP or a user@host name is no HELO.
func (h *Hop) fromNames(p *hopParser) {
	from := h.From
	if from == "" {
		return
	}
	if h.Protocol == ProtoLocal && !h.IP.IsValid() {
		if h.Ident == "" && !strings.Contains(from, "@") {
			h.Ident = from // Exim's "from alice by host with local": a local user
		}
		return
	}
	ip, port, isAddr := parseAddrLiteral(from)
	if isAddr && !h.IP.IsValid() {
		h.IP = ip
	}
	if isAddr && h.Port == 0 {
		h.Port = port
	}
	name := !isAddr && !placeholderName(from) && !p.phrase // a host name: may be the rDNS
	// may be the HELO name; HTTP and MAPI have no HELO
	helo := (name || isAddr && strings.HasPrefix(from, "[")) && !h.Protocol.Client()
	switch {
	case p.exim && !h.IP.IsValid() && !p.explicitHELO:
		if h.Ident == "" && name {
			h.Ident = from // Exim's "from amavis by host with scanned-ok": a local user
		}
	case p.nameComment != "" && p.literalAfterName:
		h.setHELO(p.nameComment, HELOFromComment) // Exim 3: rdns (helo) [ip]
		h.setRDNS(from, name)
	case p.explicitHELO || p.exim || p.verified:
		h.setRDNS(from, name)
		if !p.explicitHELO && helo && name {
			h.setHELO(from, HELOFromClause)
		}
	case !helo:
	case p.nameComment != "":
		h.setRDNS(p.nameComment, true)
		h.setHELO(from, HELOFromClause)
	case p.qmailForm(h):
		h.setRDNS(from, isHostName(from))
		if h.With != "" {
			h.setHELO(from, HELOFromClause)
		}
	default:
		h.setHELO(from, HELOFromClause)
	}
}

func (h *Hop) setHELO(name, source string) {
	if h.HELO == "" && h.HELOSource == "" {
		h.HELO, h.HELOSource = name, source
	}
}

func (h *Hop) setRDNS(name string, ok bool) {
	if ok && h.RDNS == "" {
		h.RDNS = name
	}
}

// placeholderName tells whether the word after from names no host:
// qmail's "unknown", "<unavailable>", a local user's "alice@localhost".
func placeholderName(s string) bool {
	return strings.EqualFold(s, "unknown") || strings.HasPrefix(s, "<") || strings.Contains(s, "@")
}

// setDate parses the date text. Courier writes its id after the date,
// EzMTS its for clause.
func (p *hopParser) setDate(date string) {
	h := p.h
	if i := indexFold(date, " id "); i > 0 && h.ID == "" {
		h.ID, _, _ = strings.Cut(strings.TrimSpace(date[i+4:]), " ")
		date = date[:i]
	}
	if i := indexFold(date, " for "); i > 0 {
		p.addFor(strings.TrimSpace(date[i+5:]))
		date = date[:i]
	}
	h.DateRaw = strings.TrimSpace(date)
	h.Date, _ = parseDate(h.DateRaw)
}

func (p *hopParser) addFor(w string) {
	for a := range strings.SplitSeq(w, ",") {
		if a = strings.Trim(strings.TrimSpace(a), "<>"); a != "" {
			p.h.For = p.add(p.h.For, a)
		}
	}
}

// tls merges what a clause or comment says about TLS into the hop's TLS,
// which the first of them creates (in the route's shared array, when
// there is one).
func (p *hopParser) tls(t TLS) {
	h := p.h
	if h.TLS == nil {
		h.TLS = p.spareTLS
		if h.TLS == nil {
			h.TLS = &TLS{}
		}
	}
	h.TLS.merge(t)
}

// words are the words of a clause. Written one after the other with
// single spaces, as they usually are, they are a slice of the field and
// cost nothing; otherwise (a comma or a comment between them) they are
// joined in a buffer of their own.
type words struct {
	first, last string
	start, end  int // the span of the words in the field, while they follow each other
	n           int
	joined      []byte // the words joined, once they no longer follow each other
}

// add adds word, read from the token t of raw (trimmed of a comma).
func (w *words) add(raw string, t token, word string) {
	switch {
	case w.n == 0:
		w.first, w.start, w.end = word, t.start, t.start+len(word)
	case w.joined == nil && t.start == w.end+1 && raw[w.end] == ' ' && raw[t.start:t.start+len(word)] == word:
		w.end = t.start + len(word)
	default:
		if w.joined == nil {
			w.joined = append(make([]byte, 0, 2*(w.end-w.start)+len(word)+1), raw[w.start:w.end]...)
		}
		w.joined = append(append(w.joined, ' '), word...)
	}
	w.last = word
	w.n++
}

// String returns the words joined with single spaces.
func (w *words) String(raw string) string {
	switch {
	case w.n == 0:
		return ""
	case w.joined != nil:
		return string(w.joined)
	}
	return raw[w.start:w.end]
}
