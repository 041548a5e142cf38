package imapsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/internal/eol"
	"facteur/mailstore"
)

// When the UIDVALIDITY of a folder changes (RFC 9051 §2.3.1.1), its UIDs
// mean nothing any more: the server may have rebuilt the folder with
// fewer, more or other messages, some under the Message-ID of an old one
// with another body. revalidate makes the local folder the server's
// again, matching the messages by content, never by Message-ID alone:
//
//   - the server's side: FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER]),
//     a SHA-256 of each header section;
//   - a header-only local copy (mailstore.PartialMessage) is the server
//     message with the same header section and RFC822.SIZE; a whole one,
//     the server message whose body (BODY.PEEK[], fetched only for the
//     messages whose header matches a whole copy) has the SHA-256 of the
//     local file;
//   - a matched copy keeps its id, and takes the server's flags, with the
//     local flag changes not yet sent on top; the local copies that match
//     nothing are removed; the server messages that match nothing are
//     downloaded by fetchNew (Message-ID adoption off);
//   - the journal's actions on the folder's old UIDs (their Validity is
//     the old one: replay left them waiting) get the UID of the message
//     their local copy matched, and are replayed at the end of the sync; a
//     message moved or copied locally to another folder is matched too.
//     An action whose message the server no longer has cannot be sent: it
//     leaves the journal and is counted (Stats.Unsent).
//
// The state records the new UIDVALIDITY with a mark (folders.revalidate)
// before any of it, and the folder's sync clears the mark when it
// completes: a crash or a lost connection in between makes the next sync
// start over, which is idempotent.

// localCopy is a local message as revalidate compares it.
type localCopy struct {
	id      int64
	flags   mailstore.Flags
	partial bool
	size    int64    // header-only: the size on the server it recorded; whole: the file's
	head    [32]byte // SHA-256 of the header section, without its blank line
	sum     [32]byte // SHA-256 of the file, for a whole copy
	probe   bool     // not in the folder: the message of an action (moved or copied away locally)
	keep    bool     // matching one maps nothing (a copy made locally: an action only needs its UID)
}

// serverCopy is a server message as revalidate compares it.
type serverCopy struct {
	uid   uint32
	size  int64
	head  [32]byte
	flags mailstore.Flags
}

// headerOf is the header section of a message (RFC 5322 §2.1): the bytes
// up to the first blank line, the whole of it when it has none.
func headerOf(msg []byte) []byte {
	end := len(msg)
	if i := bytes.Index(msg, []byte("\n\r\n")); i >= 0 {
		end = i + 1
	}
	if i := bytes.Index(msg, []byte("\n\n")); i >= 0 && i+1 < end {
		end = i + 1
	}
	if bytes.HasPrefix(msg, []byte("\r\n")) || bytes.HasPrefix(msg, []byte("\n")) {
		end = 0
	}
	return msg[:end]
}

// headKey hashes a header section in its LF form (the store's files are
// LF, the server's CRLF), its ending blank line and line ends after the
// last field left out.
func headKey(h []byte) [32]byte {
	return sha256.Sum256(bytes.TrimRight(eol.ToLF(h), "\r\n"))
}

// bodySum hashes a whole message in its LF form.
func bodySum(m []byte) [32]byte { return sha256.Sum256(eol.ToLF(m)) }

// copyOf describes a local message from its file.
func copyOf(sum mailstore.Summary, file []byte) localCopy {
	lc := localCopy{id: sum.ID, flags: sum.Flags & syncedFlags, partial: sum.Partial}
	if sum.Partial {
		_, header, _ := bytes.Cut(file, []byte("\n")) // after the mark
		lc.size, lc.head = sum.Size, headKey(header)
		return lc
	}
	lc.size, lc.head, lc.sum = eol.CRLFSize(file), headKey(headerOf(file)), bodySum(file)
	return lc
}

// readCopy reads a local message; ok is false when it is gone.
func (s *Syncer) readCopy(ctx context.Context, id int64) (localCopy, bool, error) {
	sum, err := s.opt.Store.Get(ctx, id)
	if isNotFound(err) {
		return localCopy{}, false, nil
	}
	if err != nil {
		return localCopy{}, false, err
	}
	rc, err := s.opt.Store.Open(ctx, id)
	if err != nil {
		return localCopy{}, false, err
	}
	defer rc.Close()
	file, err := io.ReadAll(rc)
	if err != nil {
		return localCopy{}, false, err
	}
	return copyOf(sum, file), true, nil
}

// serverCopies lists the selected folder's messages by header.
func (s *Syncer) serverCopies(ctx context.Context, c *imapclient.Client) ([]serverCopy, error) {
	var all imap.UIDSet
	all.AddRange(1, 0)
	opt := &imap.FetchOptions{UID: true, Flags: true, RFC822Size: true,
		BodySection: []*imap.FetchItemBodySection{headerSection}}
	var out []serverCopy
	err := fetchEach(c, all, opt, func(buf *imapclient.FetchMessageBuffer) bool {
		if h := buf.FindBodySection(headerSection); h != nil && buf.UID != 0 {
			out = append(out, serverCopy{uid: uint32(buf.UID), size: buf.RFC822Size, head: headKey(h), flags: fromIMAP(buf.Flags)})
		}
		return true
	})
	if err != nil {
		return nil, wrap(ctx, "UID FETCH BODY.PEEK[HEADER]", err)
	}
	slices.SortFunc(out, func(a, b serverCopy) int { return int(a.uid) - int(b.uid) })
	return out, nil
}

// serverSums downloads the bodies of uids, a chunk at a time, and returns
// their SHA-256.
func (s *Syncer) serverSums(ctx context.Context, c *imapclient.Client, uids []imap.UID) (map[uint32][32]byte, error) {
	sums := make(map[uint32][32]byte, len(uids))
	for len(uids) > 0 {
		chunk := uids[:min(len(uids), 100)]
		uids = uids[len(chunk):]
		err := fetchEach(c, imap.UIDSetNum(chunk...), bodyOptions, func(buf *imapclient.FetchMessageBuffer) bool {
			if m, why, ok := wholeMsg(buf); ok && why == "" {
				sums[m.uid] = bodySum(m.data)
			}
			return true
		})
		if err != nil {
			return nil, wrap(ctx, "UID FETCH BODY.PEEK[]", err)
		}
	}
	return sums, nil
}

// needSums returns the server messages whose header matches a whole local
// copy: their bodies decide.
func needSums(server []serverCopy, locals []localCopy) []imap.UID {
	whole := map[[32]byte]bool{}
	for _, l := range locals {
		if !l.partial {
			whole[l.head] = true
		}
	}
	var out []imap.UID
	for _, sc := range server {
		if whole[sc.head] {
			out = append(out, imap.UID(sc.uid))
		}
	}
	return out
}

// sameContent tells whether a local copy is a server message.
func sameContent(l localCopy, sc serverCopy, sums map[uint32][32]byte) bool {
	if l.head != sc.head {
		return false
	}
	if l.partial {
		return l.size == sc.size
	}
	sum, ok := sums[sc.uid]
	return ok && sum == l.sum
}

// matchCopies pairs server messages with local copies of the same
// content, each used once (but for the kept ones, which may match a
// message already paired): the local copy of each server message (by
// index in locals, -1 for none), and for each kept copy its UID (0 for
// none).
func matchCopies(server []serverCopy, locals []localCopy, sums map[uint32][32]byte) (pair []int, kept map[int64]uint32) {
	byHead := map[[32]byte][]int{}
	for i, l := range locals {
		if !l.keep {
			byHead[l.head] = append(byHead[l.head], i)
		}
	}
	used := make([]bool, len(locals))
	pair = make([]int, len(server))
	for k, sc := range server {
		pair[k] = -1
		for _, i := range byHead[sc.head] {
			if !used[i] && sameContent(locals[i], sc, sums) {
				used[i], pair[k] = true, i
				break
			}
		}
	}
	kept = map[int64]uint32{}
	for _, l := range locals {
		if !l.keep {
			continue
		}
		for _, sc := range server {
			if sameContent(l, sc, sums) {
				kept[l.id] = sc.uid
				break
			}
		}
	}
	return pair, kept
}

// revalidate matches the local messages of a folder whose UIDVALIDITY
// changed with the server's (see above); the folder is selected and its
// UID map dropped (State.startRevalidate). It returns the new UID map and
// how many journal actions it gave a new UID (to replay).
func (s *Syncer) revalidate(ctx context.Context, c *imapclient.Client, f Folder, validity uint32, p *Progress) (map[uint32]mapping, int, error) {
	ref := s.ref(f.Name)
	pend, err := s.opt.State.pending(ctx, s.acct.Name)
	if err != nil {
		return nil, 0, err
	}
	stale, away := staleOf(pend, f.Name, validity)
	locals, err := s.folderCopies(ctx, ref, away)
	if err != nil {
		return nil, 0, err
	}
	if locals, err = s.addProbes(ctx, locals, stale); err != nil {
		return nil, 0, err
	}
	server, err := s.serverCopies(ctx, c)
	if err != nil {
		return nil, 0, err
	}
	sums, err := s.serverSums(ctx, c, needSums(server, locals))
	if err != nil {
		return nil, 0, err
	}
	pair, kept := matchCopies(server, locals, sums)
	known, err := s.adoptCopies(ctx, ref, server, locals, pair, pend)
	if err != nil {
		return nil, 0, err
	}
	p.Matched = len(known)
	if p.Removed, err = s.removeUnmatched(ctx, locals, pair); err != nil {
		return known, 0, err
	}
	n, unsent, err := s.retargetStale(ctx, stale, known, kept, validity)
	p.Unsent += unsent
	return known, n, err
}

// staleOf returns the actions on a folder's UIDs of another UIDVALIDITY,
// and the ids of the local messages that actions brought into the folder
// (moved or copied there, not yet on the server): those are the journal's.
func staleOf(pend []action, folder string, validity uint32) (stale []action, away map[int64]bool) {
	away = map[int64]bool{}
	for _, a := range pend {
		if a.Folder == folder && a.Validity != validity {
			stale = append(stale, a)
		}
		if (a.Op == opMove || a.Op == opCopy) && a.Dest == folder || a.Op == opAppend {
			away[a.ID] = true
		}
	}
	return stale, away
}

// folderCopies reads the local messages of a folder but those of skip.
func (s *Syncer) folderCopies(ctx context.Context, ref mailstore.FolderRef, skip map[int64]bool) ([]localCopy, error) {
	var out []localCopy
	for off := 0; ; off += 500 {
		page, err := s.opt.Store.List(ctx, ref, mailstore.ListOptions{Sort: mailstore.SortDate, Ascending: true, Offset: off, Limit: 500})
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		for _, m := range page {
			if skip[m.ID] {
				continue
			}
			lc, ok, err := s.readCopy(ctx, m.ID)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, lc)
			}
		}
		if len(page) < 500 {
			slices.SortFunc(out, func(a, b localCopy) int { return int(a.id - b.id) })
			return out, nil
		}
	}
}

// addProbes adds the local messages of stale actions that are no longer
// in the folder: moved away (matched like the others: the server still has
// them here) or copies made locally (kept: they only need a UID).
func (s *Syncer) addProbes(ctx context.Context, locals []localCopy, stale []action) ([]localCopy, error) {
	have := map[int64]bool{}
	for _, l := range locals {
		have[l.id] = true
	}
	for _, a := range stale {
		if have[a.ID] || a.ID == 0 {
			continue
		}
		lc, ok, err := s.readCopy(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			lc.probe, lc.keep = true, a.Op == opCopy
			locals = append(locals, lc)
			have[a.ID] = true
		}
	}
	return locals, nil
}

// adoptCopies gives the matched local copies the server's flags, with the
// journal's flag changes not yet sent on top, and maps them.
func (s *Syncer) adoptCopies(ctx context.Context, ref mailstore.FolderRef, server []serverCopy, locals []localCopy, pair []int, pend []action) (map[uint32]mapping, error) {
	groups := map[[2]mailstore.Flags][]int64{}
	known := map[uint32]mapping{}
	rows := make([]mapping, 0, len(server))
	for k, i := range pair {
		if i < 0 {
			continue
		}
		l, sc := locals[i], server[k]
		want := pendingFlags(sc.flags, l.id, pend)
		if l.flags != want {
			key := [2]mailstore.Flags{want &^ l.flags, l.flags &^ want}
			groups[key] = append(groups[key], l.id)
		}
		mp := mapping{UID: sc.uid, ID: l.id, Flags: sc.flags}
		known[sc.uid] = mp
		rows = append(rows, mp)
	}
	for k, ids := range groups {
		if err := s.opt.Store.SetFlags(ctx, ids, k[0], k[1]); err != nil {
			return nil, err
		}
	}
	return known, s.opt.State.putUIDs(ctx, ref, rows)
}

// pendingFlags is what the flags of local message id become once the
// journal's flag changes on it reach the server.
func pendingFlags(f mailstore.Flags, id int64, pend []action) mailstore.Flags {
	for _, a := range pend {
		if a.Op == opFlags && a.ID == id {
			f = (f | a.Add) &^ a.Del
		}
	}
	return f & syncedFlags
}

// removeUnmatched removes the local messages of the folder that match no
// server message.
func (s *Syncer) removeUnmatched(ctx context.Context, locals []localCopy, pair []int) (int, error) {
	used := make([]bool, len(locals))
	for _, i := range pair {
		if i >= 0 {
			used[i] = true
		}
	}
	var ids []int64
	for i, l := range locals {
		if !used[i] && !l.probe {
			ids = append(ids, l.id)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return len(ids), s.opt.Store.Purge(ctx, ids)
}

// retargetStale gives the stale actions the UID their message matched, or
// drops those whose message the server no longer has (counted: they
// cannot be sent). It returns how many it kept, and dropped.
func (s *Syncer) retargetStale(ctx context.Context, stale []action, known map[uint32]mapping, kept map[int64]uint32, validity uint32) (int, int, error) {
	uidOf := make(map[int64]uint32, len(known))
	for uid, mp := range known {
		uidOf[mp.ID] = uid
	}
	n, unsent := 0, 0
	for _, a := range stale {
		uid, ok := uidOf[a.ID]
		if a.Op == opCopy {
			uid, ok = kept[a.ID]
		}
		var err error
		if ok && a.ID != 0 {
			err = s.opt.State.retarget(ctx, a.Seq, uid, validity)
			n++
		} else {
			err = s.opt.State.done(ctx, a.Seq)
			unsent++
		}
		if err != nil {
			return n, unsent, err
		}
	}
	return n, unsent, nil
}
