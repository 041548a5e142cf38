package imapsync

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/internal/eol"
	"facteur/mailstore"
)

// Drafts of an IMAP account live in its Drafts folder (the RFC 6154 \Drafts
// special-use, else "Drafts"), on the server and in the local copy, so that
// the other mail programs of the user see them. The composer saves often
// and the network may be down, so saving is split in two:
//
//   - SaveDraft writes the new version into the local Drafts folder at once
//     (durable when it returns: it survives a crash) and removes the
//     previous version: locally at once, on the server through the journal
//     (UID STORE \Deleted, UID EXPUNGE), as Delete does for good.
//   - PushDrafts, when the server answers, APPENDs (RFC 9051 §6.3.12) every
//     local draft the server does not have yet with \Draft \Seen, maps it to
//     the UID that APPENDUID gives (RFC 4315, in IMAP4rev2), then replays the
//     journal, which removes the old versions: the server always keeps a
//     copy. A draft APPENDed before a crash that left it unmapped is found
//     again with UID SEARCH HEADER Message-ID and mapped, not APPENDed twice.
//
// Every version has its own Message-ID (compose.BuildDraft makes a new one),
// so that the sync never mistakes one version for another. A crash between
// an APPEND and its mapping, on a server without APPENDUID, is healed by
// the Message-ID search of the next push; DiscardDraft (the message was
// sent) removes a draft the same way SaveDraft removes an old version.

// draftFlags are the flags of a draft on both sides.
const draftFlags = mailstore.FlagDraft | mailstore.FlagSeen

// SaveDraft stores raw as the new version of a draft in the account's local
// Drafts folder and removes the previous version prev (a local message id;
// 0 for none). It needs no connection: PushDrafts sends the new version and
// the removal to the server.
func (s *Syncer) SaveDraft(ctx context.Context, raw []byte, prev int64) (mailstore.Summary, error) {
	folder, err := s.localDrafts(ctx)
	if err != nil {
		return mailstore.Summary{}, err
	}
	sum, err := s.opt.Store.Add(ctx, s.ref(folder), bytes.NewReader(raw), mailstore.AddOptions{Flags: draftFlags})
	if err != nil {
		return sum, err
	}
	if prev != 0 {
		return sum, s.forget(ctx, prev)
	}
	return sum, nil
}

// DiscardDraft removes a draft for good (its message was sent): locally at
// once, on the server with the next PushDrafts or Sync.
func (s *Syncer) DiscardDraft(ctx context.Context, id int64) error {
	return s.forget(ctx, id)
}

// forget journals the removal of a message from the server, when the server
// has it, then purges the local copy.
func (s *Syncer) forget(ctx context.Context, id int64) error {
	return s.Expunge(ctx, []int64{id})
}

// localDrafts is the name of the account's local Drafts folder: the one
// with the Drafts role, else "Drafts" (created with that role), which
// PushDrafts moves to the server's when they differ.
func (s *Syncer) localDrafts(ctx context.Context) (string, error) {
	names, err := s.draftFolders(ctx)
	if err != nil || len(names) > 0 {
		return first(names), err
	}
	return "Drafts", s.opt.Store.CreateFolder(ctx, s.ref("Drafts"), mailstore.RoleDrafts)
}

// draftFolders lists the account's local folders with the Drafts role.
func (s *Syncer) draftFolders(ctx context.Context) ([]string, error) {
	folders, err := s.opt.Store.FolderRoles(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range folders {
		if f.Ref.Account == s.acct.Name && f.Role == mailstore.RoleDrafts {
			out = append(out, f.Ref.Name)
		}
	}
	return out, nil
}

func first(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// PushDrafts sends the drafts that wait for the server (see SaveDraft) and
// replays the journal. It returns the number of drafts APPENDed. On a
// connection error the drafts stay local and the next call sends them.
func (s *Syncer) PushDrafts(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.pushDraftsLocked(ctx)
	var se *ServerError
	if err != nil && !errors.As(err, &se) {
		s.drop()
	}
	return n, err
}

func (s *Syncer) pushDraftsLocked(ctx context.Context) (int, error) {
	c, err := s.connect(ctx)
	if err != nil {
		return 0, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if none, err := s.noDraftWaits(ctx); err != nil || none {
		if err == nil {
			_, err = s.replay(ctx, c)
		}
		return 0, err
	}
	folder, err := s.serverDrafts(ctx, c)
	if err != nil {
		return 0, err
	}
	waiting, err := s.waitingDrafts(ctx, folder.Name)
	if err != nil {
		return 0, err
	}
	if len(waiting) > 0 {
		if _, err := s.selectFolder(ctx, c, folder.Remote); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, m := range waiting {
		appended, err := s.pushDraft(ctx, c, folder, m)
		if err != nil {
			return n, err
		}
		if appended {
			n++
		}
	}
	_, err = s.replay(ctx, c)
	return n, err
}

// serverDrafts finds the server's Drafts folder with LIST, creating
// "Drafts" (under the personal namespace) on a server that has none, and
// makes its local folder.
func (s *Syncer) serverDrafts(ctx context.Context, c *imapclient.Client) (Folder, error) {
	folders, err := s.listFolders(ctx, c)
	if err != nil {
		return Folder{}, err
	}
	f, ok := draftsOf(folders)
	if !ok {
		if f, err = s.createDrafts(ctx, c); err != nil {
			return f, err
		}
	}
	return f, s.opt.Store.CreateFolder(ctx, s.ref(f.Name), mailstore.RoleDrafts)
}

// draftsOf finds the Drafts folder of a LIST: the \Drafts special-use,
// else the folder named Drafts.
func draftsOf(folders []Folder) (Folder, bool) {
	for _, f := range folders {
		if f.Role == mailstore.RoleDrafts {
			return f, true
		}
	}
	for _, f := range folders {
		if f.Name == "Drafts" {
			return f, true
		}
	}
	return Folder{}, false
}

// createDrafts creates "Drafts" on the server, under the personal
// namespace, and names it in the state.
func (s *Syncer) createDrafts(ctx context.Context, c *imapclient.Client) (Folder, error) {
	ns, err := s.opt.State.namespace(ctx, s.acct.Name)
	if err != nil {
		return Folder{}, err
	}
	f := Folder{Name: "Drafts", Remote: remoteFromLocal("Drafts", ns), Delim: ns.Delim, Role: mailstore.RoleDrafts}
	if err := c.Create(f.Remote, nil).Wait(); err != nil {
		return f, wrap(ctx, "CREATE", err)
	}
	return f, s.opt.State.setRemote(ctx, s.ref(f.Name), f.Remote)
}

// waitingDrafts gathers the local drafts the server does not have: the
// unmapped messages of the local Drafts folders, moved into folder when
// they are elsewhere (a local "Drafts" made before the first LIST). A
// message that a journaled MOVE or COPY will bring to the server is not one.
func (s *Syncer) waitingDrafts(ctx context.Context, folder string) ([]mailstore.Summary, error) {
	names, err := s.draftFolders(ctx)
	if err != nil {
		return nil, err
	}
	coming, err := s.journaledIDs(ctx)
	if err != nil {
		return nil, err
	}
	var out []mailstore.Summary
	for _, name := range names {
		list, err := s.unmapped(ctx, name, coming)
		if err != nil {
			return nil, err
		}
		if name != folder {
			if err := s.moveLocal(ctx, list, folder); err != nil {
				return nil, err
			}
		}
		out = append(out, list...)
	}
	return out, nil
}

// noDraftWaits tells that no local draft waits for the server: then
// PushDrafts neither looks for the server's Drafts folder nor creates it.
func (s *Syncer) noDraftWaits(ctx context.Context) (bool, error) {
	names, err := s.draftFolders(ctx)
	if err != nil {
		return false, err
	}
	coming, err := s.journaledIDs(ctx)
	if err != nil {
		return false, err
	}
	for _, name := range names {
		list, err := s.unmapped(ctx, name, coming)
		if err != nil || len(list) > 0 {
			return false, err
		}
	}
	return true, nil
}

// unmapped lists the messages of a local folder that have no UID and no
// journaled action.
func (s *Syncer) unmapped(ctx context.Context, folder string, coming map[int64]bool) ([]mailstore.Summary, error) {
	ref := s.ref(folder)
	mapped, err := s.opt.State.mappedIDs(ctx, ref)
	if err != nil {
		return nil, err
	}
	var out []mailstore.Summary
	for off := 0; ; off += 500 {
		page, err := s.opt.Store.List(ctx, ref, mailstore.ListOptions{Offset: off, Limit: 500, Ascending: true})
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if !mapped[m.ID] && !coming[m.ID] {
				out = append(out, m)
			}
		}
		if len(page) < 500 {
			return out, nil
		}
	}
}

// journaledIDs are the local messages that a journaled action concerns.
func (s *Syncer) journaledIDs(ctx context.Context) (map[int64]bool, error) {
	list, err := s.opt.State.pending(ctx, s.acct.Name)
	if err != nil {
		return nil, err
	}
	ids := make(map[int64]bool, len(list))
	for _, a := range list {
		ids[a.ID] = true
	}
	return ids, nil
}

func (s *Syncer) moveLocal(ctx context.Context, list []mailstore.Summary, folder string) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	return s.opt.Store.Move(ctx, ids, s.ref(folder))
}

// pushDraft brings one local draft to the server's folder (selected):
// mapped to the server's copy when it has one with the same Message-ID,
// else APPENDed.
func (s *Syncer) pushDraft(ctx context.Context, c *imapclient.Client, folder Folder, m mailstore.Summary) (bool, error) {
	if m.MessageID == "" && !hasUIDPlus(c) {
		return false, nil // it could be neither found nor mapped: the sync takes it as it is
	}
	if m.MessageID != "" {
		uid, ok, err := s.findByMessageID(ctx, c, m.MessageID)
		if err != nil {
			return false, err
		}
		if ok {
			return false, s.mapDraft(ctx, folder.Name, uid, m.ID)
		}
	}
	raw, err := s.readLocal(ctx, m.ID)
	if errors.Is(err, mailstore.ErrNotFound) {
		return false, nil // replaced meanwhile
	}
	if err != nil {
		return false, err
	}
	uid, err := s.appendDraft(ctx, c, folder.Remote, raw)
	if err != nil {
		return false, err
	}
	if uid == 0 && m.MessageID != "" { // no APPENDUID: look for it
		if uid, _, err = s.findByMessageID(ctx, c, m.MessageID); err != nil {
			return true, err
		}
	}
	return true, s.mapDraft(ctx, folder.Name, uid, m.ID)
}

func hasUIDPlus(c *imapclient.Client) bool {
	return c.Caps().Has(imap.CapUIDPlus) || c.Caps().Has(imap.CapIMAP4rev2)
}

// findByMessageID looks for a message of the selected folder with that
// Message-ID (UID SEARCH HEADER, not \Deleted); the newest when there are
// several.
func (s *Syncer) findByMessageID(ctx context.Context, c *imapclient.Client, id string) (imap.UID, bool, error) {
	data, err := c.UIDSearch(&imap.SearchCriteria{
		Header:  []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + id + ">"}},
		NotFlag: []imap.Flag{imap.FlagDeleted},
	}, nil).Wait()
	if err != nil {
		return 0, false, wrap(ctx, "UID SEARCH", err)
	}
	var newest imap.UID
	for _, uid := range data.AllUIDs() {
		newest = max(newest, uid)
	}
	return newest, newest != 0, nil
}

// appendDraft APPENDs raw with \Draft \Seen to the remote folder; the UID
// is 0 when the server gives no APPENDUID.
func (s *Syncer) appendDraft(ctx context.Context, c *imapclient.Client, remote string, raw []byte) (imap.UID, error) {
	return s.appendFlags(ctx, c, remote, raw, draftFlags)
}

// appendFlags APPENDs raw with flags and keywords to the remote folder;
// the UID is 0 when the server gives no APPENDUID.
func (s *Syncer) appendFlags(ctx context.Context, c *imapclient.Client, remote string, raw []byte, flags mailstore.Flags, keywords ...imap.Flag) (imap.UID, error) {
	raw = eol.ToCRLF(raw) // the local file has LF line ends (see mailstore)
	cmd := c.Append(remote, int64(len(raw)), &imap.AppendOptions{Flags: append(toIMAP(flags), keywords...)})
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return 0, wrap(ctx, "APPEND", err)
	}
	if err := cmd.Close(); err != nil {
		return 0, wrap(ctx, "APPEND", err)
	}
	data, err := cmd.Wait()
	if err != nil {
		return 0, wrap(ctx, "APPEND", err)
	}
	if data == nil {
		return 0, nil
	}
	return data.UID, nil
}

// mapDraft records that the server's uid is the local draft id (uid 0:
// unknown, the next sync adopts it by Message-ID). A draft replaced while
// it went up is removed from the server too, through the journal.
func (s *Syncer) mapDraft(ctx context.Context, folder string, uid imap.UID, id int64) error {
	if uid == 0 {
		return nil
	}
	if err := s.mapAppended(ctx, folder, uid, id, draftFlags, appendedKeys{}); err != nil {
		return err
	}
	if _, err := s.opt.Store.Get(ctx, id); errors.Is(err, mailstore.ErrNotFound) {
		return s.opt.State.enqueue(ctx, s.acct.Name, action{Op: opDelete, Folder: folder, UID: uint32(uid), ID: id})
	}
	return nil
}

func (s *Syncer) readLocal(ctx context.Context, id int64) ([]byte, error) {
	rc, err := s.opt.Store.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
