package imapd

import (
	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// sources returns the messages of numSet to copy or move, and the
// destination folder, which must exist (TRYCREATE otherwise).
func (s *session) sources(numSet imap.NumSet, dest string) ([]target, mailstore.FolderRef, error) {
	ref := s.b.ref(dest)
	if !s.folderExists(ref) {
		return nil, ref, errTryCreate
	}
	s.sel.mbox.mu.Lock()
	defer s.sel.mbox.mu.Unlock()
	return s.sel.resolve(numSet), ref, nil
}

// Copy copies messages into another mailbox (RFC 9051 §6.4.7) and says
// which UIDs the copies got (COPYUID, RFC 4315).
func (s *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	targets, ref, err := s.sources(numSet, dest)
	if err != nil || len(targets) == 0 {
		return nil, err
	}
	ids := make([]int64, len(targets))
	for i, t := range targets {
		ids[i] = t.msg.id
	}
	lock := s.b.folderLock(ref)
	lock.Lock()
	defer lock.Unlock()
	copies, err := s.b.store.Copy(s.ctx, ids, ref)
	if err != nil {
		return nil, storeErr(err)
	}
	return s.copyData(ref, targets, copies)
}

// copyData gives UIDs to the new messages of dest and pairs them with
// their sources, in the same order. The folder's lock is held.
func (s *session) copyData(ref mailstore.FolderRef, targets []target, newIDs []int64) (*imap.CopyData, error) {
	var src []imap.UID
	var ids []int64
	for i, id := range newIDs {
		if id != 0 {
			src, ids = append(src, targets[i].msg.uid), append(ids, id)
		}
	}
	uids, validity, err := s.assignLocked(ref, ids)
	if err != nil {
		return nil, err
	}
	data := &imap.CopyData{UIDValidity: validity}
	for i := range uids {
		if uids[i] != 0 {
			data.SourceUIDs.AddNum(src[i])
			data.DestUIDs.AddNum(uids[i])
		}
	}
	return data, nil
}

// Move moves messages into another mailbox (RFC 6851): COPYUID first,
// then the EXPUNGE lines, which every session of the source mailbox gets.
func (s *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if s.sel.readOnly {
		return errReadOnly
	}
	targets, ref, err := s.sources(numSet, dest)
	if err != nil || len(targets) == 0 {
		return err
	}
	ids := make([]int64, len(targets))
	for i, t := range targets {
		ids[i] = t.msg.id
	}
	if ref == s.sel.mbox.ref {
		return nil
	}
	lock := s.b.folderLock(ref)
	lock.Lock()
	err = s.b.store.Move(s.ctx, ids, ref)
	var data *imap.CopyData
	if err == nil {
		data, err = s.copyData(ref, targets, ids)
	}
	lock.Unlock()
	if err != nil {
		return storeErr(err)
	}
	if err := s.sel.mbox.refresh(s.ctx, ids, nil); err != nil {
		return err
	}
	return w.WriteCopyData(data)
}
