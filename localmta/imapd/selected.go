package imapd

import (
	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// Select opens a mailbox, read-only for EXAMINE (RFC 9051 §6.3.2).
func (s *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	ref := s.b.ref(name)
	if s.sel != nil {
		s.Unselect()
	}
	if !s.folderExists(ref) {
		return nil, errNoMailbox
	}
	mbox, err := s.b.openMailbox(s.ctx, ref)
	if err != nil {
		return nil, storeErr(err)
	}
	mbox.mu.Lock()
	defer mbox.mu.Unlock()
	s.sel = &selected{mbox: mbox, view: mbox.tracker.NewSession(), readOnly: options != nil && options.ReadOnly}
	s.srv.sessions.update(s.rec, func(i *SessionInfo) { i.Mailbox = mailboxName(ref) })
	data := &imap.SelectData{
		Flags:       mbox.flagList(),
		NumMessages: uint32(len(mbox.msgs)),
		UIDNext:     imap.UID(max(mbox.next, 1)),
		UIDValidity: mbox.validity,
	}
	if !s.sel.readOnly {
		data.PermanentFlags = permanentFlags
	}
	for i, m := range mbox.msgs {
		if m.flags&mailstore.FlagSeen == 0 {
			data.FirstUnseenSeqNum = uint32(i) + 1
			break
		}
	}
	return data, nil
}

// flagList is the FLAGS of a mailbox: the system flags and the keywords
// of the account. m.mu is held.
func (m *mailbox) flagList() []imap.Flag {
	out := []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDraft, imap.FlagDeleted, imap.FlagForwarded}
	for _, kw := range m.b.keywordMap() {
		out = append(out, imap.Flag(kw))
	}
	return out
}

func (s *session) Unselect() error {
	if s.sel == nil {
		return nil
	}
	s.sel.mbox.mu.Lock()
	s.sel.view.Close()
	s.sel.mbox.mu.Unlock()
	s.b.release(s.sel.mbox)
	s.sel = nil
	return nil
}

// target is a message a command acts on: its index in the mailbox and
// the sequence number the client knows it by.
type target struct {
	i   int
	seq uint32
	msg message
}

// resolve returns the messages of a sequence or UID set, in order, as the
// client sees the mailbox. mbox.mu is held.
func (sel *selected) resolve(numSet imap.NumSet) []target {
	m := sel.mbox
	var idx []int
	switch set := numSet.(type) {
	case imap.UIDSet:
		if imap.IsSearchRes(set) {
			set = sel.searchRes
		}
		idx = m.byUIDs(sel.staticUIDs(set))
	case imap.SeqSet:
		if imap.IsSearchRes(set) {
			idx = m.byUIDs(sel.searchRes)
			break
		}
		idx = sel.bySeqs(set)
	}
	out := make([]target, 0, len(idx))
	for _, i := range idx {
		if seq := sel.view.EncodeSeqNum(uint32(i) + 1); seq != 0 {
			out = append(out, target{i: i, seq: seq, msg: *m.msgs[i]})
		}
	}
	return out
}

func (sel *selected) staticUIDs(set imap.UIDSet) imap.UIDSet {
	last := sel.mbox.lastUID()
	out := make(imap.UIDSet, len(set))
	for i, r := range set {
		if r.Start == 0 {
			r.Start = last
		}
		if r.Stop == 0 {
			r.Stop = last
		}
		if r.Start > r.Stop {
			r.Start, r.Stop = r.Stop, r.Start
		}
		out[i] = r
	}
	return out
}

// bySeqs returns the indexes of the messages of a sequence set, "*"
// being the last message the client knows.
func (sel *selected) bySeqs(set imap.SeqSet) []int {
	last := sel.clientCount()
	var out []int
	for _, r := range set {
		start, stop := r.Start, r.Stop
		if start == 0 {
			start = last
		}
		if stop == 0 {
			stop = last
		}
		if start > stop {
			start, stop = stop, start
		}
		for seq := start; seq <= min(stop, last) && seq != 0; seq++ {
			if srv := sel.view.DecodeSeqNum(seq); srv != 0 {
				out = append(out, int(srv)-1)
			}
		}
	}
	return dedup(sortInts(out))
}

// clientCount is the number of messages the client knows of.
func (sel *selected) clientCount() uint32 {
	for i := len(sel.mbox.msgs); i > 0; i-- {
		if seq := sel.view.EncodeSeqNum(uint32(i)); seq != 0 {
			return seq
		}
	}
	return 0
}

// Expunge removes for good the messages flagged \Deleted, those of uids
// only for UID EXPUNGE (UIDPLUS); the EXPUNGE lines go to every session
// of the mailbox at its next poll. A read-only mailbox expunges nothing.
func (s *session) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	sel := s.sel
	if sel.readOnly {
		return nil
	}
	var ids []int64
	sel.mbox.mu.Lock()
	for _, m := range sel.mbox.msgs {
		if m.flags&mailstore.FlagTrashed != 0 && (uids == nil || uids.Contains(m.uid)) {
			ids = append(ids, m.id)
		}
	}
	sel.mbox.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	if err := s.b.store.Purge(s.ctx, ids); err != nil {
		return err
	}
	s.srv.sessions.update(s.rec, func(i *SessionInfo) { i.Expunged += len(ids) })
	return sel.mbox.refresh(s.ctx, ids, nil)
}

// Store changes flags and keywords (RFC 9051 §6.4.6). Flags are added and
// removed through the store, which applies them to the file as it is
// then: what another session or program set meanwhile is kept.
func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	sel := s.sel
	if sel.readOnly {
		return errReadOnly
	}
	f, kws := flagSet(flags.Flags)
	letters, err := s.b.letters(s.ctx, kws, flags.Op != imap.StoreFlagsDel)
	if err != nil {
		return storeErr(err)
	}
	sel.mbox.mu.Lock()
	targets := sel.resolve(numSet)
	sel.mbox.mu.Unlock()
	ids, err := s.applyStore(targets, flags.Op, f, letters)
	if err != nil {
		return err
	}
	if err := sel.mbox.refresh(s.ctx, ids, sel.view); err != nil {
		return err
	}
	s.srv.sessions.update(s.rec, func(i *SessionInfo) { i.Stored += len(ids) })
	if flags.Silent {
		return nil
	}
	return s.writeFlags(w, targets)
}

// storeChange is one call to the store: the messages that get the same
// flags and letters added and removed.
type storeChange struct {
	add, remove      mailstore.Flags
	addKeys, delKeys string
}

func (s *session) applyStore(targets []target, op imap.StoreFlagsOp, f mailstore.Flags, letters string) ([]int64, error) {
	groups := map[storeChange][]int64{}
	var ids []int64
	for _, t := range targets {
		var c storeChange
		switch op {
		case imap.StoreFlagsAdd:
			c = storeChange{add: f, addKeys: letters}
		case imap.StoreFlagsDel:
			c = storeChange{remove: f, delKeys: letters}
		default:
			c = storeChange{add: f &^ t.msg.flags, remove: t.msg.flags &^ f,
				addKeys: minus(letters, t.msg.letters), delKeys: minus(t.msg.letters, letters)}
		}
		groups[c] = append(groups[c], t.msg.id)
		ids = append(ids, t.msg.id)
	}
	for c, list := range groups {
		if c.add != 0 || c.remove != 0 {
			if err := s.b.store.SetFlags(s.ctx, list, c.add, c.remove); err != nil {
				return nil, err
			}
		}
		if c.addKeys != "" || c.delKeys != "" {
			if err := s.b.store.SetKeywordLetters(s.ctx, list, c.addKeys, c.delKeys); err != nil {
				return nil, err
			}
		}
	}
	return ids, nil
}

// minus returns the letters of a that are not in b.
func minus(a, b string) string {
	var out []byte
	for i := 0; i < len(a); i++ {
		if !containsByte(b, a[i]) {
			out = append(out, a[i])
		}
	}
	return string(out)
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// writeFlags answers FETCH (UID FLAGS) for messages whose flags changed.
func (s *session) writeFlags(w *imapserver.FetchWriter, targets []target) error {
	m := s.sel.mbox
	kw := s.b.keywordMap()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range targets {
		i := m.indexOf(t.msg.uid)
		if i < 0 {
			continue
		}
		seq := s.sel.view.EncodeSeqNum(uint32(i) + 1)
		if seq == 0 {
			continue
		}
		rw := w.CreateMessage(seq)
		rw.WriteUID(t.msg.uid)
		rw.WriteFlags(imapFlags(m.msgs[i].flags, m.msgs[i].letters, kw))
		if err := rw.Close(); err != nil {
			return err
		}
	}
	return nil
}

// indexOf returns the index of the message of uid, -1 when gone. m.mu is held.
func (m *mailbox) indexOf(uid imap.UID) int {
	idx := m.byUIDs(imap.UIDSet{{Start: uid, Stop: uid}})
	if len(idx) == 0 {
		return -1
	}
	return idx[0]
}
