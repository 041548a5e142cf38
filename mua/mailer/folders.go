package mailer

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"facteur/mailstore"
	"facteur/mua/imapsync"
)

// Folder management, on every kind of account: an IMAP account's folders
// change on its server first (CREATE, RENAME, DELETE, SUBSCRIBE through
// imapsync, under the server's names), then in the store; a POP3 account's
// and the Local account's in the store alone. A folder change on an IMAP
// server is not journaled: without the server it fails with
// imapsync.ErrOffline and nothing changes.

// CreateFolder creates a folder ("Work", or "Work/2026" inside Work).
func (m *Mailer) CreateFolder(ctx context.Context, ref mailstore.FolderRef) error {
	return m.folderOp(ctx, ref.Account, func(sy *imapsync.Syncer) error {
		return sy.CreateFolder(ctx, ref.Name)
	}, func() error {
		if _, _, err := m.opt.Store.Count(ctx, ref); err == nil {
			return &mailstore.FolderError{Ref: ref, Err: mailstore.ErrFolderExists}
		}
		return m.opt.Store.CreateFolder(ctx, ref, mailstore.RoleNone)
	})
}

// RenameFolder renames a folder and its sub-folders within its account;
// the messages keep their ids.
func (m *Mailer) RenameFolder(ctx context.Context, from mailstore.FolderRef, to string) error {
	if isInbox(from.Name) || isInbox(to) {
		return imapsync.ErrInbox
	}
	return m.folderOp(ctx, from.Account, func(sy *imapsync.Syncer) error {
		return sy.RenameFolder(ctx, from.Name, to)
	}, func() error {
		return m.opt.Store.RenameFolder(ctx, from, mailstore.FolderRef{Account: from.Account, Name: to})
	})
}

// DeleteFolder deletes a folder and its messages for good (on the server
// too). A folder with sub-folders is refused (mailstore.ErrHasChildren).
func (m *Mailer) DeleteFolder(ctx context.Context, ref mailstore.FolderRef) error {
	if isInbox(ref.Name) {
		return imapsync.ErrInbox
	}
	return m.folderOp(ctx, ref.Account, func(sy *imapsync.Syncer) error {
		return sy.DeleteFolder(ctx, ref.Name)
	}, func() error {
		return m.opt.Store.DeleteFolder(ctx, ref)
	})
}

// isInbox tells whether a folder is an account's INBOX, which every
// account keeps: the mail of its server, of its POP3 collection or of the
// local MDA arrives there.
func isInbox(name string) bool { return strings.EqualFold(name, "INBOX") }

// folderOp runs imap with a Syncer that logs in for an IMAP account, local
// for the others.
func (m *Mailer) folderOp(ctx context.Context, name string, imap func(*imapsync.Syncer) error, local func() error) error {
	a, ok, err := m.imapAccount(name)
	if err != nil {
		return err
	}
	if !ok {
		return local()
	}
	sy, err := m.online(ctx, a, imapsync.Options{})
	if err != nil {
		return accountErr(name, err)
	}
	defer sy.Close()
	return accountErr(name, imap(sy))
}

// MarkFolderRead marks every unread message of a folder read.
func (m *Mailer) MarkFolderRead(ctx context.Context, folder mailstore.FolderRef) (Change, error) {
	ids, err := m.folderIDs(ctx, folder, func(s mailstore.Summary) bool { return s.Flags&mailstore.FlagSeen == 0 })
	if err != nil || len(ids) == 0 {
		return Change{}, err
	}
	return m.SetFlags(ctx, ids, mailstore.FlagSeen, 0)
}

// FolderInfo is what the properties of a folder show.
type FolderInfo struct {
	Ref           mailstore.FolderRef
	Total, Unread int
	// Size is the bytes of its Maildir files on disk (partial messages
	// count their header only).
	Size int64
	// Remote is the server's name of an IMAP account's folder ("" for
	// the others).
	Remote string
}

// FolderInfo gives the counts, the size on disk and the server's name of
// a folder.
func (m *Mailer) FolderInfo(ctx context.Context, ref mailstore.FolderRef) (FolderInfo, error) {
	fi := FolderInfo{Ref: ref}
	var err error
	if fi.Total, fi.Unread, err = m.opt.Store.Count(ctx, ref); err != nil {
		return fi, err
	}
	dir, err := m.opt.Store.FolderPath(ref)
	if err != nil {
		return fi, err
	}
	if fi.Size, err = maildirSize(dir); err != nil {
		return fi, err
	}
	a, ok, err := m.imapAccount(ref.Account)
	if err != nil || !ok {
		return fi, err
	}
	fi.Remote, err = m.journal(a).RemoteName(ctx, ref.Name)
	return fi, err
}

// maildirSize sums the sizes of the message files of a Maildir (cur/ and
// new/; not its sub-folders).
func maildirSize(dir string) (int64, error) {
	var n int64
	for _, sub := range []string{"cur", "new"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.Type().IsRegular() {
				info, err := d.Info()
				if err == nil {
					n += info.Size()
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
