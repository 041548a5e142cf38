package imapd

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Search answers SEARCH (RFC 9051 §6.4.4, ESEARCH, SEARCHRES). Flags,
// dates, sizes and numbers come from the mailbox; for BODY, TEXT, SUBJECT,
// FROM, TO and CC at the top level, the store's full-text index picks the
// candidates first (words, the last one as a prefix, as Dovecot's FTS
// does), which are then checked against the message itself.
func (s *session) Search(kind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	sel := s.sel
	sel.mbox.mu.Lock()
	all := sel.resolve(imap.UIDSet{{Start: 1, Stop: 0}})
	sel.staticCriteria(criteria)
	sel.mbox.mu.Unlock()
	cand, err := s.candidates(criteria)
	if err != nil {
		return nil, err
	}
	data := &imap.SearchData{}
	var seqs imap.SeqSet
	var uids imap.UIDSet
	kw := s.b.keywordMap()
	for _, t := range all {
		if cand != nil && !cand[t.msg.id] {
			continue
		}
		sm := &searchMsg{s: s, t: t, kw: kw}
		if !sm.match(criteria) {
			continue
		}
		uids.AddNum(t.msg.uid)
		seqs.AddNum(t.seq)
		num := t.seq
		if kind == imapserver.NumKindUID {
			num = uint32(t.msg.uid)
		}
		if data.Min == 0 || num < data.Min {
			data.Min = num
		}
		data.Max = max(data.Max, num)
		data.Count++
	}
	data.All = seqs
	if kind == imapserver.NumKindUID {
		data.All = uids
	}
	if options.ReturnSave {
		sel.searchRes = uids
	}
	return data, nil
}

// staticCriteria turns the sequence sets of criteria into UID sets, "$"
// and "*" resolved, as the client sees the mailbox now. mbox.mu is held.
func (sel *selected) staticCriteria(c *imap.SearchCriteria) {
	for _, set := range c.SeqNum {
		var uids imap.UIDSet
		for _, t := range sel.resolve(set) {
			uids.AddNum(t.msg.uid)
		}
		if len(uids) == 0 {
			uids = imap.UIDSet{} // matches nothing
		}
		c.UID = append(c.UID, uids)
	}
	c.SeqNum = nil
	for i, set := range c.UID {
		if imap.IsSearchRes(set) {
			c.UID[i] = sel.searchRes
		} else {
			c.UID[i] = sel.staticUIDs(set)
		}
	}
	for i := range c.Not {
		sel.staticCriteria(&c.Not[i])
	}
	for i := range c.Or {
		sel.staticCriteria(&c.Or[i][0])
		sel.staticCriteria(&c.Or[i][1])
	}
}

// ftsHeaders are the header fields the full-text index holds.
var ftsHeaders = map[string]string{"subject": "subject", "from": "from", "to": "to", "cc": "cc"}

// candidates asks the full-text index for the messages that may match the
// text criteria of the top level; nil means every message.
func (s *session) candidates(c *imap.SearchCriteria) (map[int64]bool, error) {
	type term struct{ column, text string }
	var terms []term
	for _, b := range c.Body {
		terms = append(terms, term{"body", b})
	}
	for _, t := range c.Text {
		terms = append(terms, term{"", t})
	}
	for _, h := range c.Header {
		if col, ok := ftsHeaders[strings.ToLower(h.Key)]; ok {
			terms = append(terms, term{col, h.Value})
		}
	}
	var cand map[int64]bool
	for _, t := range terms {
		ids, ok, err := s.b.store.MatchText(s.ctx, s.sel.mbox.ref, t.column, t.text)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		next := make(map[int64]bool, len(ids))
		for _, id := range ids {
			if cand == nil || cand[id] {
				next[id] = true
			}
		}
		cand = next
	}
	return cand, nil
}

// searchMsg is a message being matched; its bytes are read once, when a
// criterion needs them.
type searchMsg struct {
	s    *session
	t    target
	kw   map[byte]string
	data []byte
	read bool
}

func (m *searchMsg) bytes() []byte {
	if !m.read {
		m.read = true
		m.data, _ = m.s.read(m.t.msg.id)
	}
	return m.data
}

func (m *searchMsg) header() mail.Header {
	h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(m.bytes())))
	return mail.Header{Header: gomessage.Header{Header: h}}
}

func (m *searchMsg) match(c *imap.SearchCriteria) bool {
	msg := m.t.msg
	for _, set := range c.UID {
		if !set.Contains(msg.uid) {
			return false
		}
	}
	if !matchDate(msg.arrived, c.Since, c.Before) || !m.matchFlags(c) || !m.matchSize(c) {
		return false
	}
	if !m.matchHeader(c) || !m.matchText(c) {
		return false
	}
	for i := range c.Not {
		if m.match(&c.Not[i]) {
			return false
		}
	}
	for i := range c.Or {
		if !m.match(&c.Or[i][0]) && !m.match(&c.Or[i][1]) {
			return false
		}
	}
	return true
}

func (m *searchMsg) matchFlags(c *imap.SearchCriteria) bool {
	has := map[string]bool{}
	for _, f := range imapFlags(m.t.msg.flags, m.t.msg.letters, m.kw) {
		has[strings.ToLower(string(f))] = true
	}
	for _, f := range c.Flag {
		if !has[strings.ToLower(string(f))] {
			return false
		}
	}
	for _, f := range c.NotFlag {
		if has[strings.ToLower(string(f))] {
			return false
		}
	}
	return true
}

func (m *searchMsg) matchSize(c *imap.SearchCriteria) bool {
	if c.Larger == 0 && c.Smaller == 0 {
		return true
	}
	size := m.t.msg.wire
	if size == 0 {
		size = int64(len(m.bytes()))
	}
	return (c.Larger == 0 || size > c.Larger) && (c.Smaller == 0 || size < c.Smaller)
}

func (m *searchMsg) matchHeader(c *imap.SearchCriteria) bool {
	if len(c.Header) == 0 && c.SentSince.IsZero() && c.SentBefore.IsZero() {
		return true
	}
	h := m.header()
	for _, f := range c.Header {
		if !matchFields(h.FieldsByKey(f.Key), f.Value) {
			return false
		}
	}
	if !c.SentSince.IsZero() || !c.SentBefore.IsZero() {
		t, err := h.Date()
		if err != nil || !matchDate(t, c.SentSince, c.SentBefore) {
			return false
		}
	}
	return true
}

func (m *searchMsg) matchText(c *imap.SearchCriteria) bool {
	for _, text := range c.Text {
		if !matchEntity(m.entity(), text, true) {
			return false
		}
	}
	for _, body := range c.Body {
		if !matchEntity(m.entity(), body, false) {
			return false
		}
	}
	return true
}

func (m *searchMsg) entity() *gomessage.Entity {
	e, _ := gomessage.Read(bytes.NewReader(m.bytes()))
	if e == nil {
		e, _ = gomessage.New(gomessage.Header{}, bytes.NewReader(nil))
	}
	return e
}

// matchDate compares dates without time nor zone (RFC 9051 §6.4.4).
func matchDate(t, since, before time.Time) bool {
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return (since.IsZero() || !t.Before(since)) && (before.IsZero() || t.Before(before))
}

// matchFields: a field holds the pattern, without regard to case; an
// empty pattern matches any message that has the field.
func matchFields(fields gomessage.HeaderFields, pattern string) bool {
	if pattern == "" {
		return fields.Len() > 0
	}
	pattern = strings.ToLower(pattern)
	for fields.Next() {
		v, err := fields.Text()
		if err != nil {
			v = fields.Value()
		}
		if strings.Contains(strings.ToLower(v), pattern) {
			return true
		}
	}
	return false
}

// matchEntity looks for pattern in the text parts of a message, decoded,
// and in its header fields when withHeader is set.
func matchEntity(e *gomessage.Entity, pattern string, withHeader bool) bool {
	if pattern == "" {
		return true
	}
	if withHeader && matchFields(e.Header.Fields(), pattern) {
		return true
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err != nil {
				return false
			}
			if matchEntity(part, pattern, withHeader) {
				return true
			}
		}
	}
	t, _, _ := e.Header.ContentType()
	if t != "" && !strings.HasPrefix(t, "text/") && !strings.HasPrefix(t, "message/") {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(e.Body, maxMessage))
	if err != nil && len(body) == 0 {
		return false
	}
	return bytes.Contains(bytes.ToLower(body), bytes.ToLower([]byte(pattern)))
}
