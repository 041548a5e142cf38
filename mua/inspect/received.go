package inspect

import (
	"net/netip"
	"strings"
	"time"
)

// Hop is one Received field, parsed (RFC 5321 §4.4: from, by, via, with,
// id, for clauses and a date). The JSON keys are the clause names. A field
// that does not parse is kept whole in Raw with Unparsed set, never dropped.
type Hop struct {
	// From is the word after "from" as written: the HELO/EHLO name in the
	// RFC 5321 form, the reverse DNS name or "[IP]" in Exim's, "unknown" in
	// qmail's.
	From string `json:"from,omitempty"`
	// HELO is the name the client gave in HELO/EHLO, when the field says it.
	HELO string `json:"helo,omitempty"`
	// RDNS is the reverse DNS name the receiving server found for the
	// client's IP, as written (without a trailing dot); "" when unknown.
	RDNS  string     `json:"rdns,omitempty"`
	IP    netip.Addr `json:"ip,omitzero"`     // the client's IP
	Port  uint16     `json:"port,omitempty"`  // the client's port, when written (Exim)
	Ident string     `json:"ident,omitempty"` // user part of "(user@host [IP])" (RFC 1413, qmail)

	By       string     `json:"by,omitempty"`       // the receiving host as written
	ByIP     netip.Addr `json:"by_ip,omitzero"`     // its IP, when written (Microsoft)
	Software string     `json:"software,omitempty"` // the receiver's comment: "Postfix", "8.15.2/8.15.2", "Exim 4.96"

	Via string `json:"via,omitempty"`
	// With is the with clause as written; Protocol its canonical name.
	With     string   `json:"with,omitempty"`
	Protocol Protocol `json:"protocol,omitempty"`
	ID       string   `json:"id,omitempty"`
	For      []string `json:"for,omitempty"` // recipient paths, without <>

	TLS *TLS `json:"tls,omitempty"` // nil when the field says nothing about TLS
	// Authenticated is set when the protocol (ESMTPA, ESMTPSA ...) or a
	// comment says that the client authenticated; Auth is the identity,
	// when written ("Authenticated sender: alice@example.org").
	Authenticated bool   `json:"authenticated,omitempty"`
	Auth          string `json:"auth,omitempty"`
	// EnvelopeFrom is the MAIL FROM path of an "(envelope-from <...>)"
	// comment (Exim, Dovecot).
	EnvelopeFrom string `json:"envelope_from,omitempty"`

	Date    time.Time `json:"date,omitzero"`      // zero when missing or unreadable
	DateRaw string    `json:"date_raw,omitempty"` // the date text as written

	Comments []string `json:"comments,omitempty"` // other comments, in order
	Extra    []string `json:"extra,omitempty"`    // words that fit no clause

	// Raw is the field's value unfolded, white space runs collapsed.
	Raw      string `json:"raw"`
	Unparsed bool   `json:"unparsed,omitempty"`
}

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

func keyword(w string) clause {
	var candidates []clause
	switch len(w) {
	case 2:
		candidates = []clause{clBy, clID}
	case 3:
		candidates = []clause{clVia, clFor, clTLS}
	case 4:
		candidates = []clause{clFrom, clWith}
	}
	for _, c := range candidates {
		if strings.EqualFold(w, clauseNames[c]) {
			return c
		}
	}
	return clNone
}

var clauseNames = [...]string{clNone: "", clFrom: "from", clBy: "by", clVia: "via", clWith: "with", clID: "id", clFor: "for", clTLS: "tls"}

// ParseReceived parses the value of one Received field (without the
// "Received:" name; it may still be folded). It never fails: what it cannot
// read is kept in Raw with Unparsed set.
func ParseReceived(value string) Hop {
	h := Hop{Raw: unfold(value)}
	var buf [32]token // most fields have fewer tokens: no allocation
	toks := tokenize(buf[:0], h.Raw)
	body, date := splitDate(h.Raw, toks)
	p := hopParser{h: &h}
	p.walk(body)
	h.setDate(date)
	h.finish(p)
	return h
}

// splitDate separates the clause tokens from the date that follows the last
// top-level semicolon.
func splitDate(raw string, toks []token) (body []token, date string) {
	last := -1
	for i, t := range toks {
		if t.kind == tokSemi {
			last = i
		}
	}
	if last < 0 {
		return toks, ""
	}
	return toks[:last], strings.TrimSpace(raw[toks[last].end:])
}

// setDate parses the date text. Courier writes its id after the date.
func (h *Hop) setDate(date string) {
	if i := indexFold(date, " id "); i > 0 && h.ID == "" {
		h.ID, _, _ = strings.Cut(strings.TrimSpace(date[i+4:]), " ")
		date = date[:i]
	}
	h.DateRaw = date
	h.Date, _ = parseDate(date)
}

// hopParser walks the tokens of a Received field, clause by clause.
type hopParser struct {
	h       *Hop
	cur     clause
	fresh   bool // the previous word was a keyword: this one is its value
	seen    [clTLS + 1]bool
	garbage bool // words before any clause
	with    words
	via     words
	exim    bool // Exim's from form: rdns ([ip]:port helo=name)
	helo    bool // the HELO name was written explicitly
}

func (p *hopParser) walk(toks []token) {
	for _, t := range toks {
		switch {
		case t.kind == tokSemi:
			p.cur, p.fresh = clNone, false
		case t.kind == tokComment:
			p.comment(t.text)
		case p.fresh:
			p.fresh = false
			p.value(t.text)
		default:
			if k := keyword(t.text); k != clNone {
				p.cur, p.fresh = k, true
			} else {
				p.more(t.text)
			}
		}
	}
}

// value takes the first word of the current clause.
func (p *hopParser) value(w string) {
	h := p.h
	if p.seen[p.cur] {
		p.repeated(w)
		return
	}
	p.seen[p.cur] = true
	switch p.cur {
	case clFrom:
		h.From = w
	case clBy:
		h.By = w
	case clVia:
		p.via.add(w)
	case clWith:
		p.with.add(w)
	case clID:
		h.ID = w
	case clFor:
		h.addFor(w)
	case clTLS:
		h.tls(TLS{Cipher: w})
	}
}

// repeated handles a clause written twice: Mimecast's "with ESMTP with
// STARTTLS"; anything else is kept in Extra.
func (p *hopParser) repeated(w string) {
	if p.cur == clWith && (strings.EqualFold(w, "STARTTLS") || strings.EqualFold(w, "TLS")) {
		p.h.tls(TLS{})
		return
	}
	p.h.Extra = append(p.h.Extra, w)
}

// more takes a word that follows a clause's value: Microsoft's "with
// Microsoft SMTP Server", "via Frontend Transport", several for paths.
func (p *hopParser) more(w string) {
	h := p.h
	switch p.cur {
	case clWith:
		p.with.add(w)
	case clVia:
		p.via.add(w)
	case clFor:
		h.addFor(w)
	case clNone:
		p.garbage = true
		h.Extra = append(h.Extra, w)
	default:
		h.Extra = append(h.Extra, w)
	}
}

func (h *Hop) addFor(w string) {
	for _, a := range strings.Split(w, ",") {
		if a = strings.Trim(strings.TrimSpace(a), "<>"); a != "" {
			h.For = append(h.For, a)
		}
	}
}

func (h *Hop) tls(t TLS) {
	if h.TLS == nil {
		h.TLS = &TLS{}
	}
	h.TLS.merge(t)
}

// finish derives what the clauses imply once all of them are read.
func (h *Hop) finish(p hopParser) {
	h.With, h.Via = p.with.String(), p.via.String()
	h.Protocol = parseProtocol(h.With)
	if h.Protocol.Authenticated() {
		h.Authenticated = true
	}
	if strings.HasPrefix(h.Software, "Exim") {
		p.exim = true
	}
	h.fromNames(p)
	h.RDNS = strings.TrimSuffix(h.RDNS, ".")
	h.Unparsed = !p.seen[clFrom] && !p.seen[clBy] && (p.garbage || len(h.Comments) == 0 || h.Date.IsZero())
}

// fromNames settles HELO, RDNS and IP from the word after "from". In the
// RFC 5321 form that word is the HELO name; Exim writes the verified reverse
// DNS name there (or [IP]) and the HELO name as helo=; qmail writes
// "unknown" when there is no reverse DNS name.
func (h *Hop) fromNames(p hopParser) {
	if h.From == "" {
		return
	}
	if h.Protocol == ProtoLocal && !h.IP.IsValid() {
		h.Ident = h.From // Exim's "from alice by host with local": a local user
		return
	}
	ip, port, literal := parseAddrLiteral(h.From)
	if literal && !h.IP.IsValid() {
		h.IP = ip
		if port != 0 {
			h.Port = port
		}
	}
	switch {
	case p.exim || p.helo:
		if !literal && !strings.EqualFold(h.From, "unknown") && h.RDNS == "" {
			h.RDNS = h.From
		}
		if h.HELO == "" {
			h.HELO = h.From
		}
	case strings.EqualFold(h.From, "unknown"):
	default:
		h.HELO = h.From
	}
}

// words are the words of a clause; the usual single word costs nothing.
type words struct {
	first string
	more  []string
}

func (w *words) add(s string) {
	if w.first == "" {
		w.first = s
		return
	}
	w.more = append(w.more, s)
}

// String joins the words with single spaces.
func (w words) String() string {
	if len(w.more) == 0 {
		return w.first
	}
	return w.first + " " + strings.Join(w.more, " ")
}
