package imapsync

import (
	"bytes"
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

// removeGone removes locally the messages expunged on the server.
func (s *Syncer) removeGone(ctx context.Context, ref mailstore.FolderRef, known map[uint32]mapping, remote []imap.UID) (int, error) {
	on := make(map[uint32]bool, len(remote))
	for _, u := range remote {
		on[uint32(u)] = true
	}
	n := 0
	for uid, mp := range known {
		if on[uid] {
			continue
		}
		if err := s.purge(ctx, mp.ID); err != nil {
			return n, err
		}
		if err := s.opt.State.dropUID(ctx, ref, uid); err != nil {
			return n, err
		}
		delete(known, uid)
		n++
	}
	return n, nil
}

// purge removes a local message for good: it was expunged on the server.
func (s *Syncer) purge(ctx context.Context, id int64) error {
	return s.opt.Store.Purge(ctx, []int64{id})
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
	n := 0
	for _, m := range msgs {
		changed, err := s.applyFlags(ctx, ref, known, uint32(m.UID), fromIMAP(m.Flags))
		if err != nil {
			return n, err
		}
		if changed {
			n++
		}
	}
	return n, nil
}

func (s *Syncer) applyFlags(ctx context.Context, ref mailstore.FolderRef, known map[uint32]mapping, uid uint32, f mailstore.Flags) (bool, error) {
	mp, ok := known[uid]
	if !ok || mp.Flags&syncedFlags == f {
		return false, nil
	}
	add, del := f&^mp.Flags, (mp.Flags&^f)&syncedFlags
	if err := s.opt.Store.SetFlags(ctx, []int64{mp.ID}, add, del); err != nil {
		return false, err
	}
	mp.Flags = f
	known[uid] = mp
	return true, s.opt.State.putUID(ctx, ref, mp)
}

// localByMessageID indexes the unmapped local messages of a folder by
// Message-ID, for adoption.
func (s *Syncer) localByMessageID(ctx context.Context, ref mailstore.FolderRef) (map[string]mailstore.Summary, error) {
	mapped, err := s.opt.State.mappedIDs(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := map[string]mailstore.Summary{}
	for off := 0; ; off += 500 {
		page, err := s.opt.Store.List(ctx, ref, mailstore.ListOptions{Offset: off, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if !mapped[m.ID] && m.MessageID != "" {
				out[m.MessageID] = m
			}
		}
		if len(page) < 500 {
			return out, nil
		}
	}
}

// fetchNew downloads the new messages in batches: envelope first, to adopt
// local copies, then the bodies of the others.
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
	for i := 0; i < len(fresh); i += s.opt.BatchSize {
		batch := fresh[i:min(i+s.opt.BatchSize, len(fresh))]
		if err := s.fetchBatch(ctx, c, ref, batch, local, p); err != nil {
			return err
		}
	}
	return nil
}

func (s *Syncer) fetchBatch(ctx context.Context, c *imapclient.Client, ref mailstore.FolderRef, batch []imap.UID, local map[string]mailstore.Summary, p *Progress) error {
	heads, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true}).Collect()
	if err != nil {
		return wrap(ctx, "UID FETCH ENVELOPE", err)
	}
	var bodies []imap.UID
	for _, h := range heads {
		adopted, err := s.adopt(ctx, ref, h, local)
		if err != nil {
			return err
		}
		if adopted {
			p.Done++
			continue
		}
		bodies = append(bodies, h.UID)
	}
	if len(bodies) > 0 {
		if err := s.fetchBodies(ctx, c, ref, bodies, p); err != nil {
			return err
		}
	}
	s.progress(*p)
	return nil
}

// adopt maps a server message to an unmapped local copy with the same
// Message-ID (moved, copied or appended by Facteur, or kept across a
// UIDVALIDITY change).
func (s *Syncer) adopt(ctx context.Context, ref mailstore.FolderRef, h *imapclient.FetchMessageBuffer, local map[string]mailstore.Summary) (bool, error) {
	if h.Envelope == nil || h.Envelope.MessageID == "" {
		return false, nil
	}
	m, ok := local[h.Envelope.MessageID]
	if !ok {
		return false, nil
	}
	delete(local, h.Envelope.MessageID)
	mp := mapping{UID: uint32(h.UID), ID: m.ID, Flags: m.Flags & syncedFlags}
	if err := s.opt.State.putUID(ctx, ref, mp); err != nil {
		return false, err
	}
	known := map[uint32]mapping{mp.UID: mp}
	_, err := s.applyFlags(ctx, ref, known, mp.UID, fromIMAP(h.Flags))
	return true, err
}

func (s *Syncer) fetchBodies(ctx context.Context, c *imapclient.Client, ref mailstore.FolderRef, uids []imap.UID, p *Progress) error {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			return wrap(ctx, "UID FETCH BODY.PEEK[]", err)
		}
		if err := s.store(ctx, ref, buf, section); err != nil {
			return err
		}
		p.Done++
	}
	return wrap(ctx, "UID FETCH BODY.PEEK[]", cmd.Close())
}

// store adds one downloaded message and its UID map row.
func (s *Syncer) store(ctx context.Context, ref mailstore.FolderRef, buf *imapclient.FetchMessageBuffer, section *imap.FetchItemBodySection) error {
	body := buf.FindBodySection(section)
	if body == nil || buf.UID == 0 {
		return nil
	}
	flags := fromIMAP(buf.Flags)
	sum, err := s.opt.Store.Add(ctx, ref, bytes.NewReader(body), mailstore.AddOptions{Flags: flags, Arrived: buf.InternalDate})
	if err != nil {
		return err
	}
	return s.opt.State.putUID(ctx, ref, mapping{UID: uint32(buf.UID), ID: sum.ID, Flags: flags})
}
