// Package corpus generates a deterministic corpus of realistic mail for the
// benchmarks of the store (and the bench/ comparisons with other indexers):
// threads linked by References and In-Reply-To (RFC 5322), RFC 2047 subjects
// and names in several charsets, multipart/alternative messages with an HTML
// part, base64 attachments (RFC 2045), a mean size around 8 KB. The same seed
// always gives the same bytes.
package corpus

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"strings"
	"time"

	"facteur/internal/mailaddr"
)

// Message is one generated message.
type Message struct {
	Sender string    // envelope sender, for an mbox From_ line
	Date   time.Time // Date header
	Seen   bool      // suggested flag for Maildir output
	Data   []byte    // RFC 5322 message, CRLF line ends
}

// Generator produces messages one after the other.
type Generator struct {
	rnd    *rand.Rand
	zipf   *rand.Zipf
	n      int
	now    time.Time
	people []person
	recent []sent // messages that may get replies
}

type person struct{ name, addr string }

type sent struct {
	id      string
	refs    []string
	subject string
	from    person
}

// New returns a generator; equal seeds give equal corpora.
func New(seed uint64) *Generator {
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &Generator{
		rnd:  rnd,
		zipf: rand.NewZipf(rnd, 1.1, 2, uint64(len(words)+rareWords-1)),
		now:  time.Date(2019, 1, 2, 8, 0, 0, 0, time.UTC),
	}
	for i := range 400 {
		first, last := firstNames[rnd.IntN(len(firstNames))], lastNames[rnd.IntN(len(lastNames))]
		domain := domains[rnd.IntN(len(domains))]
		g.people = append(g.people, person{
			name: first + " " + last,
			addr: fmt.Sprintf("%s.%s%d@%s", asciiFold(first), asciiFold(last), i, domain),
		})
	}
	return g
}

// Next returns the next message.
func (g *Generator) Next() Message {
	g.n++
	g.now = g.now.Add(time.Duration(g.rnd.IntN(900)) * time.Second)
	from := g.people[g.rnd.IntN(len(g.people))]
	to := g.people[g.rnd.IntN(len(g.people))]
	m := sent{id: fmt.Sprintf("%d.%x@%s", g.n, g.rnd.Uint32(), mailaddr.Domain(from.addr)), from: from}
	if parent, ok := g.parent(); ok {
		m.refs = append(append([]string(nil), parent.refs...), parent.id)
		if len(m.refs) > 12 {
			m.refs = m.refs[len(m.refs)-12:]
		}
		m.subject = "Re: " + strings.TrimPrefix(parent.subject, "Re: ")
		to = parent.from
	} else {
		m.subject = g.sentence(3 + g.rnd.IntN(6))
	}
	g.remember(m)
	var b bytes.Buffer
	g.header(&b, m, from, to)
	g.body(&b)
	return Message{Sender: from.addr, Date: g.now, Seen: g.rnd.IntN(10) < 7, Data: b.Bytes()}
}

// parent picks a recent message to reply to, 45% of the time.
func (g *Generator) parent() (sent, bool) {
	if len(g.recent) == 0 || g.rnd.IntN(100) >= 45 {
		return sent{}, false
	}
	// Recent messages get most replies.
	i := len(g.recent) - 1 - int(g.rnd.ExpFloat64()*20)%len(g.recent)
	return g.recent[i], true
}

func (g *Generator) remember(m sent) {
	g.recent = append(g.recent, m)
	if len(g.recent) > 300 {
		g.recent = append(g.recent[:0:0], g.recent[100:]...)
	}
}

func (g *Generator) header(b *bytes.Buffer, m sent, from, to person) {
	hops := 1 + g.rnd.IntN(3)
	for i := range hops {
		t := g.now.Add(time.Duration(hops-i) * time.Second)
		fmt.Fprintf(b, "Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\r\n\tby smtp.%s with ESMTPS id %X\r\n\tfor <%s>; %s\r\n",
			i, mailaddr.Domain(from.addr), i, mailaddr.Domain(from.addr), 1+g.rnd.IntN(250), mailaddr.Domain(to.addr),
			g.rnd.Uint64(), to.addr, t.Format(time.RFC1123Z))
	}
	fmt.Fprintf(b, "Return-Path: <%s>\r\n", from.addr)
	fmt.Fprintf(b, "Message-ID: <%s>\r\n", m.id)
	fmt.Fprintf(b, "Date: %s\r\n", g.now.Format(time.RFC1123Z))
	fmt.Fprintf(b, "From: %s <%s>\r\n", g.encodeWord(from.name), from.addr)
	fmt.Fprintf(b, "To: %s <%s>\r\n", g.encodeWord(to.name), to.addr)
	if g.rnd.IntN(4) == 0 {
		cc := g.people[g.rnd.IntN(len(g.people))]
		fmt.Fprintf(b, "Cc: %s <%s>\r\n", g.encodeWord(cc.name), cc.addr)
	}
	fmt.Fprintf(b, "Subject: %s\r\n", g.encodeWord(m.subject))
	if len(m.refs) > 0 {
		fmt.Fprintf(b, "In-Reply-To: <%s>\r\n", m.refs[len(m.refs)-1])
		fmt.Fprintf(b, "References: <%s>\r\n", strings.Join(m.refs, ">\r\n <"))
	}
	b.WriteString("MIME-Version: 1.0\r\nUser-Agent: Corpus/1.0\r\n")
}

// encodeWord encodes text as RFC 2047 in one of several charsets when it is
// not plain ASCII, and sometimes even when it is.
func (g *Generator) encodeWord(s string) string {
	ascii := strings.IndexFunc(s, func(r rune) bool { return r > 127 }) < 0
	if ascii && g.rnd.IntN(10) != 0 {
		return s
	}
	switch g.rnd.IntN(4) {
	case 0:
		return mime.QEncoding.Encode("utf-8", s)
	case 1:
		if latin, ok := toLatin1(s); ok {
			return mime.QEncoding.Encode("iso-8859-1", latin)
		}
	case 2:
		if latin, ok := toLatin1(s); ok {
			return mime.BEncoding.Encode("windows-1252", latin)
		}
	}
	return mime.BEncoding.Encode("utf-8", s)
}

// toLatin1 returns s in ISO-8859-1 bytes (held in a string).
func toLatin1(s string) (string, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return "", false
		}
		out = append(out, byte(r))
	}
	return string(out), true
}

func (g *Generator) body(b *bytes.Buffer) {
	text := g.paragraphs()
	html := g.rnd.IntN(10) < 3
	attach := g.rnd.IntN(100) < 8
	switch {
	case !html && !attach:
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(text)
		return
	case attach:
		fmt.Fprintf(b, "Content-Type: multipart/mixed; boundary=\"mix-%d\"\r\n\r\n", g.n)
		fmt.Fprintf(b, "--mix-%d\r\n", g.n)
		g.textPart(b, text, html)
		fmt.Fprintf(b, "--mix-%d\r\n", g.n)
		g.attachment(b)
		fmt.Fprintf(b, "--mix-%d--\r\n", g.n)
	default:
		g.textPart(b, text, html)
	}
}

func (g *Generator) textPart(b *bytes.Buffer, text string, html bool) {
	if !html {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(text)
		return
	}
	fmt.Fprintf(b, "Content-Type: multipart/alternative; boundary=\"alt-%d\"\r\n\r\n", g.n)
	fmt.Fprintf(b, "--alt-%d\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n", g.n, text)
	fmt.Fprintf(b, "--alt-%d\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", g.n)
	b.WriteString("<html><head><style>p{margin:0}</style></head><body>\r\n")
	for _, p := range strings.Split(strings.TrimSpace(text), "\r\n\r\n") {
		fmt.Fprintf(b, "<p>%s</p>\r\n", strings.ReplaceAll(p, "\r\n", "<br>\r\n"))
	}
	fmt.Fprintf(b, "<p><a href=\"https://example.org/%d\">%s</a></p></body></html>\r\n", g.n, g.sentence(3))
	fmt.Fprintf(b, "--alt-%d--\r\n", g.n)
}

func (g *Generator) attachment(b *bytes.Buffer) {
	size := 2000 + g.rnd.IntN(40000)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(g.rnd.Uint32())
	}
	name := fmt.Sprintf("%s-%d.pdf", words[g.rnd.IntN(len(words))], g.n)
	fmt.Fprintf(b, "Content-Type: application/pdf; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", name, name)
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
}

// paragraphs returns 2 to 14 paragraphs of text (about 5 KB on average),
// sometimes with a quoted part.
func (g *Generator) paragraphs() string {
	var b strings.Builder
	n := 2 + g.rnd.IntN(13)
	for range n {
		lineLen := 0
		for range 25 + g.rnd.IntN(70) {
			w := g.word()
			if lineLen+len(w) > 72 {
				b.WriteString("\r\n")
				lineLen = 0
			} else if lineLen > 0 {
				b.WriteByte(' ')
				lineLen++
			}
			b.WriteString(w)
			lineLen += len(w)
		}
		b.WriteString(".\r\n\r\n")
	}
	b.WriteString("-- \r\n" + g.people[g.rnd.IntN(len(g.people))].name + "\r\n")
	return b.String()
}

func (g *Generator) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.word()
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// word draws a word with a Zipf distribution: common words often, and a long
// tail of rare made-up words, as in real mail.
func (g *Generator) word() string {
	i := int(g.zipf.Uint64())
	if i < len(words) {
		return words[i]
	}
	return rareWord(uint64(i - len(words)))
}

const rareWords = 200000

var syllables = []string{"ka", "lo", "mi", "ne", "ru", "ta", "vi", "zo", "pre", "stra", "que", "ber", "gil", "dor", "fen", "hul", "ix", "jo", "wen", "yar"}

// rareWord makes the i-th word of the tail from syllables.
func rareWord(i uint64) string {
	var b strings.Builder
	for n := 0; n < 2 || i > 0; n++ {
		b.WriteString(syllables[i%uint64(len(syllables))])
		i /= uint64(len(syllables))
	}
	return b.String()
}

func asciiFold(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ë", "e", "ç", "c", "à", "a", "ï", "i", "ö", "o", "ü", "u", "ø", "o", "ñ", "n", "ł", "l", "ß", "ss", "ž", "z")
	return strings.ToLower(r.Replace(s))
}
