package imapsync

import (
	"context"
	"sort"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// syncFolder brings one folder up to date (see the package doc).
func (s *Syncer) syncFolder(ctx context.Context, c *imapclient.Client, f Folder) (Progress, error) {
	ref := s.ref(f.Name)
	p := Progress{Folder: ref}
	sel, err := s.selectFolder(ctx, c, f.Name)
	if err != nil {
		return p, err
	}
	known, err := s.checkValidity(ctx, ref, sel.UIDValidity)
	if err != nil {
		return p, err
	}
	remote, err := s.remoteUIDs(ctx, c, sel)
	if err != nil {
		return p, err
	}
	if p.Removed, err = s.removeGone(ctx, ref, known, remote); err != nil {
		return p, err
	}
	if p.Flags, err = s.syncFlags(ctx, c, ref, known, sel); err != nil {
		return p, err
	}
	var fresh []imap.UID
	for _, uid := range remote {
		if _, ok := known[uint32(uid)]; !ok {
			fresh = append(fresh, uid)
		}
	}
	if err := s.fetchNew(ctx, c, ref, fresh, &p); err != nil {
		return p, err
	}
	return p, s.opt.State.setFolder(ctx, ref, folderState{UIDValidity: sel.UIDValidity, ModSeq: sel.HighestModSeq})
}

func (s *Syncer) selectFolder(ctx context.Context, c *imapclient.Client, name string) (*imap.SelectData, error) {
	var opt *imap.SelectOptions
	if c.Caps().Has(imap.CapCondStore) {
		opt = &imap.SelectOptions{CondStore: true}
	}
	sel, err := c.Select(remoteName(name), opt).Wait()
	return sel, wrap(ctx, "SELECT", err)
}

// checkValidity returns the UID map of the folder, emptied when UIDVALIDITY
// changed (RFC 9051 §2.3.1.1): the local messages stay and are matched again
// by Message-ID in fetchNew.
func (s *Syncer) checkValidity(ctx context.Context, ref mailstore.FolderRef, validity uint32) (map[uint32]mapping, error) {
	fs, err := s.opt.State.folder(ctx, ref)
	if err != nil {
		return nil, err
	}
	if fs.UIDValidity != 0 && fs.UIDValidity != validity {
		if err := s.opt.State.dropFolderUIDs(ctx, ref); err != nil {
			return nil, err
		}
		fs.ModSeq = 0
		if err := s.opt.State.setFolder(ctx, ref, folderState{UIDValidity: validity}); err != nil {
			return nil, err
		}
	}
	return s.opt.State.uids(ctx, ref)
}

// remoteUIDs lists the UIDs of the selected folder, ascending.
func (s *Syncer) remoteUIDs(ctx context.Context, c *imapclient.Client, sel *imap.SelectData) ([]imap.UID, error) {
	if sel.NumMessages == 0 {
		return nil, nil
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return nil, wrap(ctx, "UID SEARCH", err)
	}
	uids := data.AllUIDs()
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	return uids, nil
}

// removeGone removes locally the messages expunged on the server: one
// Purge, then the rows of the UID map in one transaction (a crash between
// the two leaves rows whose messages are gone: the next sync purges them
// again, which does nothing, and drops them).
func (s *Syncer) removeGone(ctx context.Context, ref mailstore.FolderRef, known map[uint32]mapping, remote []imap.UID) (int, error) {
	on := make(map[uint32]bool, len(remote))
	for _, u := range remote {
		on[uint32(u)] = true
	}
	var ids []int64
	var uids []uint32
	for uid, mp := range known {
		if !on[uid] {
			ids = append(ids, mp.ID)
			uids = append(uids, uid)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := s.opt.Store.Purge(ctx, ids); err != nil {
		return 0, err
	}
	if err := s.opt.State.dropUIDs(ctx, ref, uids); err != nil {
		return 0, err
	}
	for _, uid := range uids {
		delete(known, uid)
	}
	return len(uids), nil
}

// syncFlags applies the server's flags to known messages.
func (s *Syncer) syncFlags(ctx context.Context, c *imapclient.Client, ref mailstore.FolderRef, known map[uint32]mapping, sel *imap.SelectData) (int, error) {
	if len(known) == 0 {
		return 0, nil
	}
	opt := &imap.FetchOptions{UID: true, Flags: true}
	fs, _ := s.opt.State.folder(ctx, ref)
	if c.Caps().Has(imap.CapCondStore) && fs.ModSeq != 0 && sel.HighestModSeq != 0 {
		if fs.ModSeq == sel.HighestModSeq {
			return 0, nil // nothing changed (RFC 7162 §3.1.2.1)
		}
		opt.ChangedSince = fs.ModSeq
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, opt).Collect()
	if err != nil {
		return 0, wrap(ctx, "UID FETCH FLAGS", err)
	}
	var fc flagChanges
	for _, m := range msgs {
		fc.note(known, uint32(m.UID), fromIMAP(m.Flags))
	}
	if err := fc.setLocal(ctx, s.opt.Store); err != nil {
		return 0, err
	}
	if err := s.opt.State.putUIDs(ctx, ref, fc.rows); err != nil {
		return 0, err
	}
	for _, mp := range fc.rows {
		known[mp.UID] = mp
	}
	return len(fc.rows), nil
}

// flagChanges gathers the flag changes of many messages, to apply them
// with one mailstore.SetFlags per distinct change and one state
// transaction.
type flagChanges struct {
	groups map[[2]mailstore.Flags][]int64 // {add, del} -> ids
	rows   []mapping
}

// note records the server's flags f of a known UID, if they changed.
func (fc *flagChanges) note(known map[uint32]mapping, uid uint32, f mailstore.Flags) {
	mp, ok := known[uid]
	if !ok || mp.Flags&syncedFlags == f {
		return
	}
	add, del := f&^mp.Flags, (mp.Flags&^f)&syncedFlags
	if fc.groups == nil {
		fc.groups = map[[2]mailstore.Flags][]int64{}
	}
	k := [2]mailstore.Flags{add, del}
	fc.groups[k] = append(fc.groups[k], mp.ID)
	mp.Flags = f
	fc.rows = append(fc.rows, mp)
}

// setLocal changes the local messages, one SetFlags per distinct change.
// The caller then writes fc.rows to the UID map: a crash between the two
// applies the changes again next time (idempotent).
func (fc *flagChanges) setLocal(ctx context.Context, store *mailstore.Store) error {
	for k, ids := range fc.groups {
		if err := store.SetFlags(ctx, ids, k[0], k[1]); err != nil {
			return err
		}
	}
	return nil
}

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
	adopted []adoption                       // server messages with a local copy
	msgs    []*imapclient.FetchMessageBuffer // downloaded, to store
	err     error                            // the FETCH failed after msgs
}

// adoption pairs a server message with an unmapped local copy.
type adoption struct {
	uid   uint32
	local mailstore.Summary
	flags mailstore.Flags // on the server
}

var bodySection = &imap.FetchItemBodySection{Peek: true}

// fetchNew downloads the new messages in batches of BatchSize. A batch
// stores its messages with one mailstore.AddBatch (durable when it
// returns), then writes their UID map rows in one state transaction. A
// crash between the two leaves messages stored but unmapped: the next sync
// sees their UIDs as new and adopts the local copies by Message-ID
// instead of downloading them again.
//
// Adoption: when the folder has unmapped local messages (moved, copied or
// appended by Facteur, kept across a UIDVALIDITY change, or stored before
// a crash), a batch first fetches the envelopes and adopts the messages
// with the Message-ID of a local copy, then downloads the bodies of the
// others; otherwise (an initial sync) it downloads at once. The FETCH
// commands run in a goroutine ahead of the storing, at most two batches
// ahead.
func (s *Syncer) fetchNew(ctx context.Context, c *imapclient.Client, ref mailstore.FolderRef, fresh []imap.UID, p *Progress) error {
	if len(fresh) == 0 {
		return nil
	}
	local, err := s.localByMessageID(ctx, ref)
	if err != nil {
		return err
	}
	p.Total = len(fresh)
	s.progress(*p)
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan fetched, 2)
	go s.fetchBatches(fctx, c, fresh, local, ch)
	defer func() {
		cancel()
		for range ch { // wait for the fetcher: it uses the connection
		}
	}()
	for b := range ch {
		if err := s.storeBatch(ctx, ref, b, p); err != nil {
			return err
		}
		if b.err != nil {
			return b.err
		}
		s.progress(*p)
	}
	return ctx.Err()
}

// fetchBatches fetches the batches of fresh into ch, which it closes. It
// owns local. After an error it sends what it got and stops.
func (s *Syncer) fetchBatches(ctx context.Context, c *imapclient.Client, fresh []imap.UID, local map[string][]mailstore.Summary, ch chan<- fetched) {
	defer close(ch)
	for i := 0; i < len(fresh) && ctx.Err() == nil; i += s.opt.BatchSize {
		batch := fresh[i:min(i+s.opt.BatchSize, len(fresh))]
		var b fetched
		if len(local) > 0 {
			b.adopted, batch, b.err = s.adoptBatch(ctx, c, batch, local)
		}
		if b.err == nil && len(batch) > 0 {
			b.msgs, b.err = s.fetchBodies(ctx, c, batch)
		}
		select {
		case ch <- b:
		case <-ctx.Done():
			return
		}
		if b.err != nil {
			return
		}
	}
}

// adoptBatch fetches the envelopes of a batch and matches them with local
// copies by Message-ID; it returns the adopted messages and the UIDs left
// to download.
func (s *Syncer) adoptBatch(ctx context.Context, c *imapclient.Client, batch []imap.UID, local map[string][]mailstore.Summary) ([]adoption, []imap.UID, error) {
	heads, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, nil, wrap(ctx, "UID FETCH ENVELOPE", err)
	}
	var adopted []adoption
	var rest []imap.UID
	for _, h := range heads {
		if h.Envelope != nil && h.Envelope.MessageID != "" {
			if l := local[h.Envelope.MessageID]; len(l) > 0 {
				adopted = append(adopted, adoption{uid: uint32(h.UID), local: l[0], flags: fromIMAP(h.Flags)})
				if len(l) == 1 {
					delete(local, h.Envelope.MessageID)
				} else {
					local[h.Envelope.MessageID] = l[1:]
				}
				continue
			}
		}
		rest = append(rest, h.UID)
	}
	return adopted, rest, nil
}

// fetchBodies downloads whole messages with BODY.PEEK[] (which leaves
// \Seen alone). After an error it returns the messages received before.
func (s *Syncer) fetchBodies(ctx context.Context, c *imapclient.Client, uids []imap.UID) ([]*imapclient.FetchMessageBuffer, error) {
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{bodySection}})
	defer cmd.Close()
	var out []*imapclient.FetchMessageBuffer
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			return out, wrap(ctx, "UID FETCH BODY.PEEK[]", err)
		}
		out = append(out, buf)
	}
	return out, wrap(ctx, "UID FETCH BODY.PEEK[]", cmd.Close())
}

// storeBatch stores the downloaded messages of a batch with one AddBatch
// and applies the server's flags to the adopted ones, then writes the UID
// map rows of both in one state transaction.
func (s *Syncer) storeBatch(ctx context.Context, ref mailstore.FolderRef, b fetched, p *Progress) error {
	var rows []mapping
	var fc flagChanges
	adoptKnown := make(map[uint32]mapping, len(b.adopted))
	for _, a := range b.adopted {
		adoptKnown[a.uid] = mapping{UID: a.uid, ID: a.local.ID, Flags: a.local.Flags & syncedFlags}
		fc.note(adoptKnown, a.uid, a.flags)
	}
	if err := fc.setLocal(ctx, s.opt.Store); err != nil {
		return err
	}
	for _, mp := range fc.rows {
		adoptKnown[mp.UID] = mp
	}
	for _, a := range b.adopted {
		rows = append(rows, adoptKnown[a.uid])
	}
	items := make([]mailstore.AddItem, 0, len(b.msgs))
	var uids []uint32
	for _, m := range b.msgs {
		body := m.FindBodySection(bodySection)
		if body == nil || m.UID == 0 {
			continue
		}
		items = append(items, mailstore.AddItem{Folder: ref, Data: body,
			Options: mailstore.AddOptions{Flags: fromIMAP(m.Flags), Arrived: m.InternalDate}})
		uids = append(uids, uint32(m.UID))
	}
	var firstErr error
	if len(items) > 0 {
		for i, r := range s.opt.Store.AddBatch(ctx, items) {
			if r.Err != nil {
				if firstErr == nil {
					firstErr = r.Err
				}
				continue
			}
			rows = append(rows, mapping{UID: uids[i], ID: r.ID, Flags: items[i].Options.Flags})
		}
	}
	if s.crashBeforeState != nil {
		if err := s.crashBeforeState(); err != nil {
			return err
		}
	}
	if err := s.opt.State.putUIDs(ctx, ref, rows); err != nil {
		return err
	}
	p.Done += len(b.adopted) + len(b.msgs)
	return firstErr
}
