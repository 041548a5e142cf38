package imapd

import (
	"bufio"
	"bytes"
	"io"
	"os"

	"facteur/internal/eol"
	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"
)

// Fetch answers FETCH (RFC 9051 §6.4.5): flags, dates and sizes from the
// mailbox, the rest from the Maildir file with CRLF line ends whatever the
// file has. Reading a body section without PEEK sets \Seen, and the
// answer then carries the new FLAGS.
func (s *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	sel := s.sel
	sel.mbox.mu.Lock()
	targets := sel.resolve(numSet)
	sel.mbox.mu.Unlock()
	seen, err := s.markSeen(targets, options)
	if err != nil {
		return err
	}
	kw := s.b.keywordMap()
	sizes := map[string]int64{}
	for _, t := range targets {
		data, err := s.readIfNeeded(t.msg, options)
		if err != nil {
			continue // expunged meanwhile: nothing to say
		}
		if data != nil && t.msg.wire == 0 {
			t.msg.wire = int64(len(data))
			sizes[t.msg.key] = t.msg.wire
		}
		if seen[t.msg.id] {
			t.msg.flags |= mailstore.FlagSeen
		}
		if err := writeMessage(w.CreateMessage(t.seq), t.msg, data, options, seen[t.msg.id], kw); err != nil {
			return err
		}
	}
	s.srv.sessions.update(s.rec, func(i *SessionInfo) { i.Fetched += len(targets) })
	return s.keepSizes(sizes)
}

// markSeen sets \Seen on the messages whose body is read without PEEK.
func (s *session) markSeen(targets []target, options *imap.FetchOptions) (map[int64]bool, error) {
	if s.sel.readOnly || !readsBody(options) {
		return nil, nil
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, t := range targets {
		if t.msg.flags&mailstore.FlagSeen == 0 {
			seen[t.msg.id] = true
			ids = append(ids, t.msg.id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if err := s.b.store.SetFlags(s.ctx, ids, mailstore.FlagSeen, 0); err != nil {
		return nil, err
	}
	return seen, s.sel.mbox.refresh(s.ctx, ids, s.sel.view)
}

func readsBody(options *imap.FetchOptions) bool {
	for _, bs := range options.BodySection {
		if !bs.Peek {
			return true
		}
	}
	for _, bs := range options.BinarySection {
		if !bs.Peek {
			return true
		}
	}
	return false
}

// readIfNeeded reads a message when the FETCH items need its bytes.
func (s *session) readIfNeeded(msg message, options *imap.FetchOptions) ([]byte, error) {
	need := options.Envelope || options.BodyStructure != nil || len(options.BodySection) > 0 ||
		len(options.BinarySection) > 0 || len(options.BinarySectionSize) > 0 || options.RFC822Size && msg.wire == 0
	if !need {
		return nil, nil
	}
	return s.read(msg.id)
}

// read returns the bytes of a message with CRLF line ends.
func (s *session) read(id int64) ([]byte, error) {
	p, err := s.b.store.Path(s.ctx, id)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return eol.ToCRLF(data), nil
}

func writeMessage(w *imapserver.FetchResponseWriter, msg message, data []byte, options *imap.FetchOptions, flagsChanged bool, kw map[byte]string) error {
	w.WriteUID(msg.uid)
	if options.Flags || flagsChanged {
		w.WriteFlags(imapFlags(msg.flags, msg.letters, kw))
	}
	if options.InternalDate {
		w.WriteInternalDate(msg.arrived)
	}
	if options.RFC822Size {
		w.WriteRFC822Size(msg.wire)
	}
	if options.Envelope {
		w.WriteEnvelope(envelope(data))
	}
	if options.BodyStructure != nil {
		w.WriteBodyStructure(imapserver.ExtractBodyStructure(bytes.NewReader(data)))
	}
	for _, bs := range options.BodySection {
		buf := imapserver.ExtractBodySection(bytes.NewReader(data), bs)
		if err := writeSection(w.WriteBodySection(bs, int64(len(buf))), buf); err != nil {
			return err
		}
	}
	for _, bs := range options.BinarySection {
		buf := imapserver.ExtractBinarySection(bytes.NewReader(data), bs)
		if err := writeSection(w.WriteBinarySection(bs, int64(len(buf))), buf); err != nil {
			return err
		}
	}
	for _, bs := range options.BinarySectionSize {
		w.WriteBinarySectionSize(bs, imapserver.ExtractBinarySectionSize(bytes.NewReader(data), bs))
	}
	return w.Close()
}

func writeSection(wc io.WriteCloser, buf []byte) error {
	_, err := wc.Write(buf)
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}

func envelope(data []byte) *imap.Envelope {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return &imap.Envelope{}
	}
	return imapserver.ExtractEnvelope(h)
}

// keepSizes records the CRLF sizes measured by a FETCH, in the UID index
// and in the mailbox.
func (s *session) keepSizes(sizes map[string]int64) error {
	if len(sizes) == 0 {
		return nil
	}
	m := s.sel.mbox
	m.mu.Lock()
	for _, msg := range m.msgs {
		if n, ok := sizes[msg.key]; ok {
			msg.wire = n
		}
	}
	m.mu.Unlock()
	return m.b.uids.SetWireSizes(s.ctx, m.ref, sizes)
}
