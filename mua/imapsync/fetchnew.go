package imapsync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// localByMessageID indexes the unmapped local messages of a folder by
// Message-ID, for adoption.
func (s *Syncer) localByMessageID(ctx context.Context, ref mailstore.FolderRef) (map[string][]mailstore.Summary, error) {
	mapped, err := s.opt.State.mappedIDs(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := map[string][]mailstore.Summary{}
	for off := 0; ; off += 500 {
		page, err := s.opt.Store.List(ctx, ref, mailstore.ListOptions{Offset: off, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if !mapped[m.ID] && m.MessageID != "" {
				out[m.MessageID] = append(out[m.MessageID], m)
			}
		}
		if len(page) < 500 {
			return out, nil
		}
	}
}

// fetched is one batch of new messages, ready to be stored.
type fetched struct {
	adopted []adoption // server messages with a local copy
	msgs    []newMsg   // downloaded, to store
	bytes   int        // of msgs
	bad     []error    // *IncompleteError of messages not stored
	err     error      // the FETCH failed after msgs
}

// adoption pairs a server message with an unmapped local copy.
type adoption struct {
	uid   uint32
	local mailstore.Summary
	flags mailstore.Flags // on the server
	keys  string          // the keywords on the server (a key set)
}

// newMsg is a downloaded message: whole, or its header only (a partial
// message, mailstore.PartialMessage).
type newMsg struct {
	uid     uint32
	data    []byte
	flags   mailstore.Flags
	keys    string // the keywords on the server (a key set)
	arrived time.Time
}

// fetchSpec says what a pipeline fetches: in which folder, whole messages
// or headers, and the unmapped local copies to adopt by Message-ID (nil:
// none; the fetcher takes the adopted ones out).
type fetchSpec struct {
	folder string
	whole  bool
	local  map[string][]mailstore.Summary
}

// fetchNew stores the new messages of the folder, newest first: their
// headers only (partial messages, see headers.go), or whole when the
// account is available offline, and in Drafts (see whole). Each FETCH asks for a chunk of UIDs (see
// batchSizes) and what arrives is stored in batches of at most that many
// messages and maxBatchBytes: a batch stores its messages with one
// mailstore.AddBatch (durable when it returns), then writes their UID map
// rows in one state transaction. A crash between the two leaves messages
// stored but unmapped: the next sync sees their UIDs as new and adopts the
// local copies by Message-ID instead of downloading them again.
//
// Adoption: when the folder has unmapped local messages (moved, copied or
// appended by Facteur, kept across a UIDVALIDITY change or an index
// rebuild, or stored before a crash), the FETCH also asks for the
// envelopes (whole messages: the envelopes come first, then the bodies of
// the others) and adopts the messages with the Message-ID of a local copy.
// The FETCH commands run in a goroutine ahead of the storing, at most two
// batches ahead.
func (s *Syncer) fetchNew(ctx context.Context, c *imapclient.Client, f Folder, fresh []imap.UID, adopt bool, p *Progress) error {
	if len(fresh) == 0 {
		return nil
	}
	ref := s.ref(f.Name)
	var local map[string][]mailstore.Summary
	if adopt {
		var err error
		if local, err = s.localByMessageID(ctx, ref); err != nil {
			return err
		}
	}
	fresh = slices.Clone(fresh)
	slices.Sort(fresh)
	slices.Reverse(fresh) // the newest first: the list fills from the top
	p.Total = len(fresh)
	s.progress(*p)
	pr := &progress{s: s, p: p}
	err := s.pipeline(ctx, c, fresh, fetchSpec{folder: f.Name, whole: s.whole(f), local: local}, func(b fetched) error {
		return s.storeBatch(ctx, ref, b, pr)
	})
	return cmpOr(err, pr.incomplete())
}

// pipeline fetches uids (fetchBatches) in a goroutine and hands the
// batches to s.storers goroutines running store, so that the files of one
// batch are written and fsynced while another is indexed. The first error
// stops the fetching; the batches fetched meanwhile are dropped.
func (s *Syncer) pipeline(ctx context.Context, c *imapclient.Client, uids []imap.UID, spec fetchSpec, store func(fetched) error) error {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan fetched, 2)
	go s.fetchBatches(fctx, c, uids, spec, ch)
	defer func() {
		cancel()
		for range ch { // wait for the fetcher: it uses the connection
		}
	}()
	var first firstError
	var wg sync.WaitGroup
	for range s.storers {
		wg.Go(func() {
			for b := range ch {
				if first.get() == nil && first.set(cmpOr(safeStore(store, b), b.err)) != nil {
					cancel()
				}
			}
		})
	}
	wg.Wait()
	return cmpOr(first.get(), ctx.Err())
}

// safeStore runs store, a panic turned into an error (the boundary of the
// storing goroutines).
func safeStore(store func(fetched) error, b fetched) (err error) {
	defer recoverTo(&err)
	return store(b)
}

// recoverTo turns a panic into an error.
func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("imapsync: internal error: %v", r)
	}
}

// storers is the number of batches stored at once (Syncer.storers).
const storers = 2

// firstError keeps the first error of several goroutines.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// set records err if it is the first; it returns the first error.
func (f *firstError) set(err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = cmpOr(f.err, err)
	return f.err
}

// progress reports the progress of a folder's sync from several
// goroutines.
type progress struct {
	s   *Syncer
	mu  sync.Mutex
	p   *Progress
	bad []error // *IncompleteError of the messages not stored
}

// skip records messages not stored because incomplete.
func (pr *progress) skip(bad []error) {
	if len(bad) == 0 {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.bad = append(pr.bad, bad...)
	pr.p.Incomplete += len(bad)
	pr.s.progress(*pr.p)
}

// incomplete joins the errors of the messages not stored, nil if none.
func (pr *progress) incomplete() error {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return errors.Join(pr.bad...)
}

// add counts new messages stored, local copies matched and bodies filled.
func (pr *progress) add(stored, matched, bodies int) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.p.Done += stored + matched
	pr.p.New += stored
	pr.p.Matched += matched
	pr.p.Bodies += bodies
	pr.s.progress(*pr.p)
}

// maxBatchBytes bounds the bytes of the messages of a batch (Syncer.maxBytes),
// whatever its count, so that big messages do not pile up in memory.
const maxBatchBytes = 8 << 20

// batchSizes returns the successive chunk sizes of the FETCH commands:
// Options.BatchSize, or when it is 0 sizes that grow from 100 to 1000 (the
// first messages show quickly; then bigger transactions index faster).
func (s *Syncer) batchSizes() func() int {
	if s.opt.BatchSize > 0 {
		return func() int { return s.opt.BatchSize }
	}
	n := 50
	return func() int {
		n = min(2*n, 1000)
		return n
	}
}

// whole tells whether the new messages of a folder are fetched whole: for
// an account available offline, and in Drafts, whose messages the composer
// edits.
func (s *Syncer) whole(f Folder) bool {
	return s.acct.Options.Offline || f.Role == mailstore.RoleDrafts
}

// fetchBatches fetches fresh, chunk after chunk, into ch, which it closes:
// whole messages or their headers. It owns local. After an error it sends
// what it got and stops.
func (s *Syncer) fetchBatches(ctx context.Context, c *imapclient.Client, fresh []imap.UID, spec fetchSpec, ch chan<- fetched) {
	emit := func(b fetched) bool {
		select {
		case ch <- b:
			return b.err == nil
		case <-ctx.Done():
			return false
		}
	}
	defer close(ch)
	defer func() { // the goroutine's boundary: a panic ends the sync with an error
		if r := recover(); r != nil {
			emit(fetched{err: fmt.Errorf("imapsync: internal error: %v", r)})
		}
	}()
	next := s.batchSizes()
	for i := 0; i < len(fresh) && ctx.Err() == nil; {
		chunk := fresh[i:min(i+next(), len(fresh))]
		i += len(chunk)
		if !s.fetchChunk(ctx, c, chunk, spec, emit) {
			return
		}
	}
}

// fetchChunk fetches one chunk of UIDs and emits its batches; false stops
// the fetching (an error, or ctx ended).
func (s *Syncer) fetchChunk(ctx context.Context, c *imapclient.Client, chunk []imap.UID, spec fetchSpec, emit func(fetched) bool) bool {
	var b fetched
	opt, name := headerOptions(len(spec.local) > 0), "UID FETCH BODY.PEEK[HEADER]"
	if spec.whole {
		opt, name = bodyOptions, "UID FETCH BODY.PEEK[]"
		if len(spec.local) > 0 {
			b.adopted, chunk, b.err = s.adoptBatch(ctx, c, chunk, spec.local)
			if b.err != nil || len(chunk) == 0 {
				return emit(b)
			}
		}
	}
	return s.stream(ctx, c, chunk, opt, name, spec, b, emit)
}

// stream runs one UID FETCH and cuts what arrives into batches of at most
// maxBatchBytes, each emitted with b's adoptions first. Only the messages
// known to be whole are taken (fetchEach): after an error, the last
// response before it is dropped, and the batch goes with the error.
func (s *Syncer) stream(ctx context.Context, c *imapclient.Client, uids []imap.UID, opt *imap.FetchOptions, name string, spec fetchSpec, b fetched, emit func(fetched) bool) bool {
	stopped := false
	err := fetchEach(c, imap.UIDSetNum(uids...), opt, func(buf *imapclient.FetchMessageBuffer) bool {
		b.take(buf, spec)
		if b.bytes >= s.maxBytes {
			if !emit(b) {
				stopped = true
				return false
			}
			b = fetched{}
		}
		return true
	})
	if stopped {
		return false
	}
	b.err = wrap(ctx, name, err)
	if len(b.msgs) == 0 && len(b.adopted) == 0 && len(b.bad) == 0 && b.err == nil {
		return true
	}
	return emit(b)
}

// take adds a fetched message to the batch: adopted when a local copy has
// its Message-ID, else whole (BODY.PEEK[]) or partial (the header), when
// complete (checkWhole, checkHeader); an incomplete one goes to b.bad.
func (b *fetched) take(buf *imapclient.FetchMessageBuffer, spec fetchSpec) {
	if a, ok := adopt(buf, spec.local); ok {
		b.adopted = append(b.adopted, a)
		return
	}
	m, why, ok := wholeMsg(buf)
	if !ok {
		m, why, ok = partialMsg(buf)
	}
	switch {
	case why != "":
		b.bad = append(b.bad, &IncompleteError{Folder: spec.folder, UID: uint32(buf.UID), Reason: why})
	case ok:
		b.msgs = append(b.msgs, m)
		b.bytes += len(m.data)
	}
}

// adoptBatch fetches the envelopes of a batch and matches them with local
// copies by Message-ID; it returns the adopted messages and the UIDs left
// to download.
func (s *Syncer) adoptBatch(ctx context.Context, c *imapclient.Client, batch []imap.UID, local map[string][]mailstore.Summary) ([]adoption, []imap.UID, error) {
	heads, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, Flags: true, Envelope: true}).Collect()
	if err != nil {
		return nil, nil, wrap(ctx, "UID FETCH ENVELOPE", err)
	}
	var adopted []adoption
	var rest []imap.UID
	for _, h := range heads {
		if a, ok := adopt(h, local); ok {
			adopted = append(adopted, a)
		} else {
			rest = append(rest, h.UID)
		}
	}
	return adopted, rest, nil
}

// adopt matches a server message with an unmapped local copy of the same
// Message-ID, which it takes out of local.
func adopt(h *imapclient.FetchMessageBuffer, local map[string][]mailstore.Summary) (adoption, bool) {
	if h.Envelope == nil || h.Envelope.MessageID == "" {
		return adoption{}, false
	}
	l := local[h.Envelope.MessageID]
	if len(l) == 0 {
		return adoption{}, false
	}
	if len(l) == 1 {
		delete(local, h.Envelope.MessageID)
	} else {
		local[h.Envelope.MessageID] = l[1:]
	}
	return adoption{uid: uint32(h.UID), local: l[0], flags: fromIMAP(h.Flags), keys: keywordsOf(h.Flags)}, true
}

var (
	bodySection = &imap.FetchItemBodySection{Peek: true}
	bodyOptions = &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true,
		BodySection: []*imap.FetchItemBodySection{bodySection}}
)

// wholeMsg takes a message downloaded with BODY.PEEK[] (bodyOptions): ok
// when it has that section, why when it is not complete (checkWhole).
func wholeMsg(buf *imapclient.FetchMessageBuffer) (m newMsg, why string, ok bool) {
	body := buf.FindBodySection(bodySection)
	if body == nil || buf.UID == 0 {
		return newMsg{}, "", false
	}
	if why := checkWhole(body, buf); why != "" {
		return newMsg{}, why, true
	}
	return newMsg{uid: uint32(buf.UID), data: body, flags: fromIMAP(buf.Flags), keys: keywordsOf(buf.Flags), arrived: buf.InternalDate}, "", true
}

// storeBatch stores the downloaded messages of a batch with one AddBatch
// and applies the server's flags to the adopted ones, then writes the UID
// map rows of both in one state transaction.
func (s *Syncer) storeBatch(ctx context.Context, ref mailstore.FolderRef, b fetched, pr *progress) error {
	rows, err := s.adoptLocal(ctx, b.adopted)
	if err != nil {
		return err
	}
	adopted := len(rows)
	items := make([]mailstore.AddItem, len(b.msgs))
	for i, m := range b.msgs {
		items[i] = mailstore.AddItem{Folder: ref, Data: m.data,
			Options: mailstore.AddOptions{Flags: m.flags, Arrived: m.arrived}}
	}
	var firstErr error
	stored := 0
	if len(items) > 0 {
		for i, r := range s.opt.Store.AddBatch(ctx, items) {
			if r.Err != nil {
				firstErr = cmpOr(firstErr, r.Err)
				continue
			}
			stored++
			rows = append(rows, mapping{UID: b.msgs[i].uid, ID: r.ID, Flags: b.msgs[i].flags, Keys: b.msgs[i].keys})
		}
	}
	if err := s.keywordsOfNew(ctx, rows[adopted:]); err != nil {
		pr.add(stored, 0, 0) // stored all the same: the next sync adopts them
		return err
	}
	if s.crashBeforeState != nil {
		if err := s.crashBeforeState(); err != nil {
			pr.add(stored, 0, 0)
			return err
		}
	}
	if err := s.opt.State.putUIDs(ctx, ref, rows); err != nil {
		pr.add(stored, 0, 0) // stored all the same: the next sync adopts them
		return err
	}
	pr.add(stored, len(b.adopted), 0)
	pr.skip(b.bad)
	return firstErr
}

// adoptLocal applies the server's flags to adopted local copies and
// returns their UID map rows.
func (s *Syncer) adoptLocal(ctx context.Context, adopted []adoption) ([]mapping, error) {
	var fc flagChanges
	known := make(map[uint32]mapping, len(adopted))
	for _, a := range adopted {
		known[a.uid] = mapping{UID: a.uid, ID: a.local.ID, Flags: a.local.Flags & syncedFlags}
		fc.note(known, a.uid, a.flags, a.keys)
	}
	if err := fc.setLocal(ctx, s); err != nil {
		return nil, err
	}
	for _, mp := range fc.rows {
		known[mp.UID] = mp
	}
	rows := make([]mapping, 0, len(adopted))
	for _, a := range adopted {
		rows = append(rows, known[a.uid])
	}
	return rows, nil
}

// cmpOr returns a unless it is nil, else b.
func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
