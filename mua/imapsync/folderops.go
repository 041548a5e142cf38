package imapsync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// Folder management on the server: CREATE (RFC 9051 §6.3.4), DELETE
// (§6.3.5), RENAME (§6.3.6), SUBSCRIBE and UNSUBSCRIBE (§6.3.7, §6.3.8).
// The server is changed first, on the connection of FetchBody, then the
// sync state (local and remote names, UID maps, journal) and the local
// folder follow. Nothing is journaled: a folder change needs the server
// now, and without it fails with ErrOffline, the local folder untouched.
// A folder change holds the account's sync lock, as Sync does: it waits
// for a sync running in this process or another (the window's watcher,
// `facteur sync`), so that no sync works from a list of folders that the
// change makes false, and no sync starts in the middle of one.

// ErrOffline: the server of the account did not answer a folder change.
var ErrOffline = errors.New("imapsync: the server cannot be reached; folders are changed on the server, try again once it answers")

// ErrInbox: INBOX cannot be renamed or deleted.
var ErrInbox = errors.New("imapsync: INBOX cannot be renamed or deleted")

// ErrNoHierarchy: the server has no hierarchy delimiter, so a folder
// cannot have sub-folders there.
var ErrNoHierarchy = errors.New("imapsync: the server keeps no folder inside another")

// onServer runs f on the demand connection; a connection that cannot be
// opened is ErrOffline.
func (s *Syncer) onServer(ctx context.Context, f func(*imapclient.Client) error) error {
	dialed := false
	err := s.onDemand(ctx, func(c *imapclient.Client) error {
		dialed = true
		s.dm.folder = "" // the names may change: EXAMINE again
		return f(c)
	})
	if err != nil && !dialed && ctx.Err() == nil && !errors.Is(err, ErrAuth) {
		return fmt.Errorf("%w (%v)", ErrOffline, err)
	}
	return err
}

// exclusive takes the account's sync lock (Options.Waiting is told if it
// must wait); the caller runs unlock when its change is done.
func (s *Syncer) exclusive(ctx context.Context) (unlock func(), err error) {
	lock, err := s.opt.State.lockAccount(ctx, s.acct.Name, s.opt.Waiting)
	if err != nil {
		return nil, err
	}
	return func() { _ = lock.Unlock() }, nil
}

// CreateFolder creates a folder on the server (CREATE, then SUBSCRIBE)
// and in the store. A sub-folder ("Work/2026") goes under its parent's
// remote name with the server's delimiter; a top-level one under the
// personal namespace (Courier's "INBOX.").
func (s *Syncer) CreateFolder(ctx context.Context, local string) error {
	ref := s.ref(local)
	unlock, err := s.exclusive(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.checkFree(ctx, ref); err != nil {
		return err
	}
	err = s.onServer(ctx, func(c *imapclient.Client) error {
		remote, err := s.newRemote(ctx, c, local)
		if err != nil {
			return err
		}
		if err := wrap(ctx, "CREATE", c.Create(remote, nil).Wait()); err != nil {
			return err
		}
		subscribe(ctx, c, remote, true)
		if err := s.opt.State.setRemote(ctx, ref, remote); err != nil {
			return err
		}
		_, err = s.opt.State.db.ExecContext(ctx, upsertSubscribed, ref.Account, local, true)
		return err
	})
	if err != nil {
		return err
	}
	return s.opt.Store.CreateFolder(ctx, ref, mailstore.RoleNone)
}

// checkFree refuses a local name that a folder of the account has (but for
// case), before the server is asked.
func (s *Syncer) checkFree(ctx context.Context, ref mailstore.FolderRef) error {
	folders, err := s.opt.Store.Folders(ctx)
	if err != nil {
		return err
	}
	for _, f := range folders {
		if f.Ref.Account == ref.Account && strings.EqualFold(f.Ref.Name, ref.Name) {
			return &mailstore.FolderError{Ref: ref, Err: mailstore.ErrFolderExists}
		}
	}
	return nil
}

// newRemote is the remote name of a new local folder: under its parent's
// remote name when it has a parent, else under the personal namespace,
// with the delimiter that the server gives now (NAMESPACE, else LIST ""
// "": RFC 9051 §6.3.9).
func (s *Syncer) newRemote(ctx context.Context, c *imapclient.Client, local string) (string, error) {
	ns, err := personalNamespace(ctx, c)
	if err != nil {
		return "", err
	}
	if ns.Delim == 0 {
		list, err := c.List("", "", nil).Collect()
		if err != nil {
			return "", wrap(ctx, "LIST", err)
		}
		if len(list) > 0 {
			ns.Delim = list[0].Delim
		}
	}
	parent, leaf, nested := cutLastLevel(local)
	if !nested {
		return remoteFromLocal(local, ns), nil
	}
	if ns.Delim == 0 {
		return "", ErrNoHierarchy
	}
	premote, err := s.remoteOf(ctx, parent)
	if err != nil {
		return "", err
	}
	return premote + string(ns.Delim) + remoteFromLocal(leaf, namespace{Delim: ns.Delim}), nil
}

// RemoteName is the server's name of a local folder: the one LIST gave,
// else the one it would be created with.
func (s *Syncer) RemoteName(ctx context.Context, local string) (string, error) {
	return s.remoteOf(ctx, local)
}

// cutLastLevel splits a local name into its parent and its last level.
func cutLastLevel(local string) (parent, leaf string, nested bool) {
	i := strings.LastIndexByte(local, '/')
	if i < 0 {
		return "", local, false
	}
	return local[:i], local[i+1:], true
}

// subscribe subscribes or unsubscribes; a server that refuses (some keep
// no subscriptions, some forget them with the folder) changes nothing.
func subscribe(ctx context.Context, c *imapclient.Client, remote string, on bool) {
	if on {
		c.Subscribe(remote).Wait()
		return
	}
	c.Unsubscribe(remote).Wait()
}

// RenameFolder renames a folder, with its sub-folders, on the server
// (RENAME; the subscription follows) and in the store; the messages keep
// their UIDs and their local ids.
func (s *Syncer) RenameFolder(ctx context.Context, from, to string) error {
	if strings.EqualFold(from, "INBOX") || strings.EqualFold(to, "INBOX") {
		return ErrInbox
	}
	unlock, err := s.exclusive(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.checkFree(ctx, s.ref(to)); err != nil && !strings.EqualFold(from, to) {
		return err
	}
	if _, _, err := s.opt.Store.Count(ctx, s.ref(from)); err != nil {
		return err
	}
	err = s.onServer(ctx, func(c *imapclient.Client) error {
		oldRemote, err := s.remoteOf(ctx, from)
		if err != nil {
			return err
		}
		newRemote, err := s.newRemote(ctx, c, to)
		if err != nil {
			return err
		}
		if err := wrap(ctx, "RENAME", c.Rename(oldRemote, newRemote, nil).Wait()); err != nil {
			return err
		}
		subscribe(ctx, c, newRemote, true)
		subscribe(ctx, c, oldRemote, false)
		return s.opt.State.renameTree(ctx, s.acct.Name, from, to, oldRemote, newRemote)
	})
	if err != nil {
		return err
	}
	return s.opt.Store.RenameFolder(ctx, s.ref(from), s.ref(to))
}

// DeleteFolder deletes a folder and its messages for good, on the server
// (DELETE, UNSUBSCRIBE) and in the store; the journal's actions on it are
// dropped. A folder with sub-folders is refused
// (mailstore.ErrHasChildren) before the server is asked.
func (s *Syncer) DeleteFolder(ctx context.Context, local string) error {
	ref := s.ref(local)
	if strings.EqualFold(local, "INBOX") {
		return ErrInbox
	}
	unlock, err := s.exclusive(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	folders, err := s.opt.Store.Folders(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, f := range folders {
		switch {
		case f.Ref == ref:
			found = true
		case f.Ref.Account == ref.Account && strings.HasPrefix(f.Ref.Name, local+"/"):
			return &mailstore.FolderError{Ref: ref, Err: mailstore.ErrHasChildren}
		}
	}
	if !found {
		return &mailstore.FolderError{Ref: ref, Err: mailstore.ErrNotFound}
	}
	err = s.onServer(ctx, func(c *imapclient.Client) error {
		remote, err := s.remoteOf(ctx, local)
		if err != nil {
			return err
		}
		if err := wrap(ctx, "DELETE", c.Delete(remote).Wait()); err != nil && !nonExistent(err) {
			return err
		}
		subscribe(ctx, c, remote, false)
		return s.opt.State.forgetFolder(ctx, ref)
	})
	if err != nil {
		return err
	}
	return s.opt.Store.DeleteFolder(ctx, ref)
}

// nonExistent tells whether the server refused for a folder it does not
// have (RFC 5530 NONEXISTENT): deleted there already.
func nonExistent(err error) bool {
	var se *ServerError
	return errors.As(err, &se) && se.Err.Code == imap.ResponseCodeNonExistent
}

// renameTree renames a folder and its sub-folders in the sync state: their
// local and remote names, their UID maps and the journal's actions, in
// one transaction.
func (s *State) renameTree(ctx context.Context, account, from, to, oldRemote, newRemote string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	under := func(col string) string { return underName(col, "?2") }
	renamed := func(col string) string { return `?3 || substr(` + col + `, length(?2) + 1)` }
	for _, q := range []string{
		// a number left to a name of the new tree, without rows, would
		// stand in the way of the renamed ones (fids are unique by name)
		`DELETE FROM fids WHERE account = ?1 AND (` + underName("folder", "?3") + `) AND NOT (` + under("folder") + `)
			AND NOT EXISTS (SELECT 1 FROM uidmap WHERE fuid BETWEEN fids.fid << 32 AND fids.fid << 32 | 0xffffffff)`,
		`UPDATE folders SET name = ` + renamed("name") + `,
			remote = iif(remote = ?4 OR substr(remote, 1, length(?4)) = ?4, ?5 || substr(remote, length(?4) + 1), remote)
			WHERE account = ?1 AND (` + under("name") + `)`,
		`UPDATE fids SET folder = ` + renamed("folder") + ` WHERE account = ?1 AND (` + under("folder") + `)`,
		`UPDATE journal SET folder = ` + renamed("folder") + ` WHERE account = ?1 AND (` + under("folder") + `)`,
		`UPDATE journal SET dest = ` + renamed("dest") + ` WHERE account = ?1 AND (` + under("dest") + `)`,
	} {
		if _, err := tx.ExecContext(ctx, q, account, from, to, oldRemote, newRemote); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// underName is the SQL condition that the column col names the folder
// named by the parameter p or one under it.
func underName(col, p string) string {
	return col + ` = ` + p + ` OR substr(` + col + `, 1, length(` + p + `) + 1) = ` + p + ` || '/'`
}

// forgetFolder forgets a deleted folder: its row, its UID map and the
// journal's actions on its messages or into it.
func (s *State) forgetFolder(ctx context.Context, ref mailstore.FolderRef) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM folders WHERE account = ?1 AND name = ?2`,
		`DELETE FROM uidmap WHERE ` + inFolder,
		`DELETE FROM fids WHERE account = ?1 AND folder = ?2`,
		`DELETE FROM journal WHERE account = ?1 AND (folder = ?2 OR dest = ?2)`,
	} {
		if _, err := tx.ExecContext(ctx, q, ref.Account, ref.Name); err != nil {
			return err
		}
	}
	return tx.Commit()
}
