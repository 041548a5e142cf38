package imapsync

import (
	"context"
	"errors"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// syncFolder brings one folder up to date (see the package doc). The
// local folder is made once the server opened the folder; when it was
// made by this sync and the sync failed before anything was stored in it,
// it is removed again.
func (s *Syncer) syncFolder(ctx context.Context, c *imapclient.Client, f Folder) (Progress, error) {
	ref := s.ref(f.Name)
	p := Progress{Folder: ref}
	pre := s.preload(ctx, ref)
	sel, err := s.selectFolder(ctx, c, f.Remote)
	if err != nil {
		return p, err
	}
	made, err := s.makeLocal(ctx, f)
	if err != nil {
		return p, err
	}
	p, err = s.syncSelected(ctx, c, f, sel, pre)
	if err != nil && made {
		if rerr := s.removeIfEmpty(context.WithoutCancel(ctx), f.Name); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return p, err
}

// makeLocal creates the local folder of f with its role, telling whether
// it did not exist.
func (s *Syncer) makeLocal(ctx context.Context, f Folder) (bool, error) {
	_, _, err := s.opt.Store.Count(ctx, s.ref(f.Name))
	made := isNotFound(err)
	if err != nil && !made {
		return false, err
	}
	return made, s.opt.Store.CreateFolder(ctx, s.ref(f.Name), f.Role)
}

// syncSelected syncs the selected folder f; pre is the reads of its UID
// map begun before the SELECT (nil: none).
func (s *Syncer) syncSelected(ctx context.Context, c *imapclient.Client, f Folder, sel *imap.SelectData, pre *preloaded) (Progress, error) {
	ref := s.ref(f.Name)
	p := Progress{Folder: ref}
	last, known, adopt, err := s.mapFolder(ctx, c, f, sel, pre, &p)
	if err != nil {
		return p, err
	}
	fresh, gone, err := s.serverChanges(ctx, c, sel, last, known)
	if err != nil {
		return p, err
	}
	removed, err := s.removeGone(ctx, ref, known, gone)
	if p.Removed += removed; err != nil {
		return p, err
	}
	if p.Flags, err = s.syncFlags(ctx, c, ref, known, last, sel); err != nil {
		return p, err
	}
	err = s.fetchNew(ctx, c, f, fresh, adopt, &p)
	if err != nil && !errors.Is(err, ErrIncomplete) {
		return p, err
	}
	// a message left incomplete stays unmapped below this UIDNEXT: the
	// next sync's count sees it (serverChanges) and fetches it again
	return p, cmpOr(s.opt.State.setFolder(ctx, ref, folderState{UIDValidity: sel.UIDValidity, ModSeq: sel.HighestModSeq, UIDNext: uint32(sel.UIDNext)}), err)
}

// mapFolder returns the state of the folder's last sync and its UID map:
// after a change of UIDVALIDITY (RFC 9051 §2.3.1.1), or when a
// revalidation did not complete, the map that revalidate makes, and then
// adopt is false (no adoption by Message-ID: the content decided).
func (s *Syncer) mapFolder(ctx context.Context, c *imapclient.Client, f Folder, sel *imap.SelectData, pre *preloaded, p *Progress) (last folderState, known map[uint32]mapping, adopt bool, err error) {
	ref := s.ref(f.Name)
	if last, err = s.opt.State.folder(ctx, ref); err != nil {
		return last, nil, false, err
	}
	if last.UIDValidity != 0 && (last.UIDValidity != sel.UIDValidity || last.Revalidate) {
		if err := s.opt.State.startRevalidate(ctx, ref, sel.UIDValidity); err != nil {
			return last, nil, false, err
		}
		known, n, err := s.revalidate(ctx, c, f, sel.UIDValidity, p)
		s.toReplay += n
		return folderState{UIDValidity: sel.UIDValidity}, known, false, err
	}
	known, here, err := pre.wait()
	if err != nil { // read again: the folder was new, or the reads failed
		if known, err = s.opt.State.uids(ctx, ref); err != nil {
			return last, nil, false, err
		}
		here = nil
	}
	healed, err := s.dropMissing(ctx, ref, known, here)
	if healed {
		last.UIDNext = 0 // the count no longer vouches for the map
	}
	return last, known, true, err
}

// preloaded is the reads that mapFolder makes (the folder's UID map, the
// ids of its local messages), begun in a goroutine while the server
// answers SELECT: a round trip, and on a big folder the server's own work,
// during which they cost no time.
type preloaded struct {
	done  chan struct{}
	known map[uint32]mapping
	ids   []int64
	err   error
}

// preload begins the reads of mapFolder for the folder ref.
func (s *Syncer) preload(ctx context.Context, ref mailstore.FolderRef) *preloaded {
	pre := &preloaded{done: make(chan struct{})}
	// Both at once: the ids are read from the store's index, the UID
	// map from the sync state, two databases. The ids matter only for
	// a folder with a map (a new folder may not be in the store yet).
	type idsRead struct {
		ids []int64
		err error
	}
	idsc := make(chan idsRead, 1)
	go func() {
		ids, err := s.opt.Store.FolderIDs(ctx, ref)
		idsc <- idsRead{ids, err}
	}()
	go func() {
		defer close(pre.done)
		pre.known, pre.err = s.opt.State.uids(ctx, ref)
		if r := <-idsc; pre.err == nil && len(pre.known) > 0 {
			pre.ids, pre.err = r.ids, r.err
		}
	}()
	return pre
}

// wait returns the reads of preload (an error when pre is nil).
func (pre *preloaded) wait() (known map[uint32]mapping, ids []int64, err error) {
	if pre == nil {
		return nil, nil, errNoPreload
	}
	<-pre.done
	return pre.known, pre.ids, pre.err
}

// errNoPreload is preloaded.wait's error when nothing was begun.
var errNoPreload = errors.New("imapsync: no preload")

// selectFolder selects a folder by its remote name (with CONDSTORE when
// offered, RFC 7162 §3.1.8).
func (s *Syncer) selectFolder(ctx context.Context, c *imapclient.Client, remote string) (*imap.SelectData, error) {
	var opt *imap.SelectOptions
	if c.Caps().Has(imap.CapCondStore) {
		opt = &imap.SelectOptions{CondStore: true}
	}
	sel, err := c.Select(remote, opt).Wait()
	return sel, wrap(ctx, "SELECT", err)
}

// selectLocal selects the server folder of a local folder.
func (s *Syncer) selectLocal(ctx context.Context, c *imapclient.Client, local string) (*imap.SelectData, error) {
	remote, err := s.remoteOf(ctx, local)
	if err != nil {
		return nil, err
	}
	return s.selectFolder(ctx, c, remote)
}

// dropMissing forgets the UIDs whose local message no longer exists
// anywhere in the store (a crash between a file's rename and its index
// commit, after which a rescan indexed the file under a new id): those
// UIDs become new again, and fetchNew adopts the local copy by
// Message-ID. A message moved locally to another folder still exists and
// keeps its UID until the journal's MOVE is replayed. It tells whether it
// dropped any.
func (s *Syncer) dropMissing(ctx context.Context, ref mailstore.FolderRef, known map[uint32]mapping, ids []int64) (bool, error) {
	if len(known) == 0 {
		return false, nil
	}
	if ids == nil {
		var err error
		if ids, err = s.opt.Store.FolderIDs(ctx, ref); err != nil {
			return false, err
		}
	}
	here := make(map[int64]bool, len(ids))
	for _, id := range ids {
		here[id] = true
	}
	var gone []uint32
	for uid, mp := range known {
		if here[mp.ID] {
			continue
		}
		if _, err := s.opt.Store.Get(ctx, mp.ID); !isNotFound(err) {
			if err != nil {
				return false, err
			}
			continue // moved locally
		}
		gone = append(gone, uid)
	}
	if err := s.opt.State.dropUIDs(ctx, ref, gone); err != nil {
		return false, err
	}
	for _, uid := range gone {
		delete(known, uid)
	}
	return len(gone) > 0, nil
}

// serverChanges finds the new UIDs of the selected folder (ascending) and
// the known UIDs expunged from it.
//
// Without QRESYNC (which imapclient does not speak), the expunges are found
// cheaply when the last sync's UIDNEXT is known: every UID below it was
// mapped then, so if the messages on the server (EXISTS) are as many as the
// known UIDs below it plus the UIDs at or above it (UID SEARCH UID
// UIDNEXT:*, nothing at all when UIDNEXT did not move), nothing below it
// was expunged. Otherwise the full list comes from UID SEARCH ALL.
func (s *Syncer) serverChanges(ctx context.Context, c *imapclient.Client, sel *imap.SelectData, last folderState, known map[uint32]mapping) (fresh []imap.UID, gone []uint32, err error) {
	if sel.NumMessages == 0 {
		return nil, knownBelow(known, 0), nil
	}
	if last.UIDNext != 0 && sel.UIDNext != 0 {
		high, err := s.uidsFrom(ctx, c, imap.UID(last.UIDNext), imap.UID(sel.UIDNext))
		if err != nil {
			return nil, nil, err
		}
		if int(sel.NumMessages) == len(knownBelow(known, last.UIDNext))+len(high) {
			return diffUIDs(known, high, last.UIDNext)
		}
	}
	all, err := s.uidsFrom(ctx, c, 1, imap.UID(sel.UIDNext))
	if err != nil {
		return nil, nil, err
	}
	return diffUIDs(known, all, 0)
}

// uidsFrom lists the UIDs of the selected folder at or above from,
// ascending: UID SEARCH UID from:* (ALL when from is 1), nothing when from
// is next, the folder's UIDNEXT.
func (s *Syncer) uidsFrom(ctx context.Context, c *imapclient.Client, from, next imap.UID) ([]imap.UID, error) {
	if next != 0 && from >= next {
		return nil, nil
	}
	crit := &imap.SearchCriteria{}
	if from > 1 {
		var set imap.UIDSet
		set.AddRange(from, 0)
		crit.UID = []imap.UIDSet{set}
	}
	data, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return nil, wrap(ctx, "UID SEARCH", err)
	}
	var uids []imap.UID
	for _, u := range data.AllUIDs() {
		if u >= from { // "from:*" includes the last UID even below from
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	return uids, nil
}

// diffUIDs compares the server's UIDs at or above from with the known
// ones: the new UIDs, and the known ones at or above from that the server
// no longer has.
func diffUIDs(known map[uint32]mapping, server []imap.UID, from uint32) ([]imap.UID, []uint32, error) {
	on := make(map[uint32]bool, len(server))
	var fresh []imap.UID
	for _, u := range server {
		on[uint32(u)] = true
		if _, ok := known[uint32(u)]; !ok {
			fresh = append(fresh, u)
		}
	}
	var gone []uint32
	for uid := range known {
		if uid >= from && !on[uid] {
			gone = append(gone, uid)
		}
	}
	return fresh, gone, nil
}

// knownBelow returns the known UIDs below next (all of them when next is 0).
func knownBelow(known map[uint32]mapping, next uint32) []uint32 {
	var out []uint32
	for uid := range known {
		if next == 0 || uid < next {
			out = append(out, uid)
		}
	}
	return out
}

// removeGone removes locally the messages expunged on the server: one
// Purge, then the rows of the UID map in one transaction (a crash between
// the two leaves rows whose messages are gone: dropMissing drops them).
func (s *Syncer) removeGone(ctx context.Context, ref mailstore.FolderRef, known map[uint32]mapping, gone []uint32) (int, error) {
	if len(gone) == 0 {
		return 0, nil
	}
	ids := make([]int64, 0, len(gone))
	for _, uid := range gone {
		ids = append(ids, known[uid].ID)
	}
	if err := s.opt.Store.Purge(ctx, ids); err != nil {
		return 0, err
	}
	if err := s.opt.State.dropUIDs(ctx, ref, gone); err != nil {
		return 0, err
	}
	for _, uid := range gone {
		delete(known, uid)
	}
	return len(gone), nil
}
