package imapsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// The sync state keeps, for every folder of an account, its local name
// (folders.name, the key of its UID map) and its remote name
// (folders.remote; NULL in a row written before remote names were kept,
// when the local name was the remote one with the delimiter replaced by
// '/'), and per account the personal namespace (meta
// "namespace/ACCOUNT"), so that a Syncer that has not listed the folders
// yet (an APPEND to Sent after sending) still sends the right names.

// personalNamespace asks the server for its personal namespace (NAMESPACE,
// RFC 2342; part of IMAP4rev2). A server without NAMESPACE, or that
// refuses it, has none: its folders keep their full names.
func personalNamespace(ctx context.Context, c *imapclient.Client) (namespace, error) {
	if !c.Caps().Has(imap.CapNamespace) {
		return namespace{}, nil
	}
	data, err := c.Namespace().Wait()
	var ie *imap.Error
	if errors.As(err, &ie) || err == nil && len(data.Personal) == 0 {
		return namespace{}, nil
	}
	if err != nil {
		return namespace{}, wrap(ctx, "NAMESPACE", err)
	}
	return namespace{Prefix: data.Personal[0].Prefix, Delim: data.Personal[0].Delim}, nil
}

// nameFolders gives the listed folders their local names: the one kept
// in the state for their remote name, else a new one (newLocalName),
// recorded at once.
func (s *Syncer) nameFolders(ctx context.Context, list []Folder, ns namespace) error {
	rows, err := s.opt.State.folderNames(ctx, s.acct.Name)
	if err != nil {
		return err
	}
	byRemote := map[string]string{}
	taken := map[string]bool{}
	for local, remote := range rows {
		if remote != "" {
			byRemote[remote] = local
		}
		taken[strings.ToLower(local)] = true
	}
	for i := range list {
		f := &list[i]
		if local, ok := byRemote[f.Remote]; ok {
			f.Name = local
			continue
		}
		if f.Name, err = s.newLocalName(ctx, *f, ns, rows, taken); err != nil {
			return err
		}
		taken[strings.ToLower(f.Name)] = true
		if err := s.opt.State.setRemote(ctx, s.ref(f.Name), f.Remote); err != nil {
			return err
		}
	}
	return nil
}

// newLocalName names a remote folder that has no local name yet:
// localName, made unique among the account's folders. A row of the state
// from before remote names were kept (its local name is legacyName) keeps
// its name when the folder holds something (messages, UIDs, journaled
// actions), so that nothing moves; an empty one, and an empty local
// folder that an older Facteur made under the legacy name, give way to
// the new name.
func (s *Syncer) newLocalName(ctx context.Context, f Folder, ns namespace, rows map[string]string, taken map[string]bool) (string, error) {
	derived := localName(f.Remote, f.Delim, ns)
	legacy := legacyName(f.Remote, f.Delim)
	if remote, ok := rows[legacy]; ok && remote == "" {
		if legacy == derived {
			return legacy, nil
		}
		busy, err := s.folderInUse(ctx, legacy)
		if busy || err != nil {
			return legacy, err
		}
		if err := s.opt.State.dropFolder(ctx, s.ref(legacy)); err != nil {
			return "", err
		}
		delete(rows, legacy)
		delete(taken, strings.ToLower(legacy))
	}
	if legacy != derived && !taken[strings.ToLower(legacy)] {
		if err := s.removeIfEmpty(ctx, legacy); err != nil {
			return "", err
		}
	}
	return unique(derived, taken), nil
}

// unique returns name, or name followed by " (2)", " (3)"... when a folder
// of the account has it already (in any case: mailstore refuses names that
// differ only by case).
func unique(name string, taken map[string]bool) string {
	if !taken[strings.ToLower(name)] {
		return name
	}
	for n := 2; ; n++ {
		alt := fmt.Sprintf("%s (%d)", name, n)
		if !taken[strings.ToLower(alt)] {
			return alt
		}
	}
}

// folderInUse tells whether a local folder holds messages, UIDs or
// journaled actions.
func (s *Syncer) folderInUse(ctx context.Context, local string) (bool, error) {
	total, _, err := s.opt.Store.Count(ctx, s.ref(local))
	if err != nil && !isNotFound(err) {
		return false, err
	}
	if total > 0 {
		return true, nil
	}
	return s.opt.State.folderReferenced(ctx, s.ref(local))
}

// removeIfEmpty removes a local folder that holds nothing and that the
// state does not know (mailstore.Store.RemoveFolder).
func (s *Syncer) removeIfEmpty(ctx context.Context, local string) error {
	busy, err := s.folderInUse(ctx, local)
	if busy || err != nil {
		return err
	}
	err = s.opt.Store.RemoveFolder(ctx, s.ref(local))
	if isNotFound(err) || errors.Is(err, mailstore.ErrFolderNotEmpty) {
		return nil
	}
	return err
}

// remoteOf is the remote name of a local folder: the one kept in the state,
// else the one it would have under the account's namespace
// (remoteFromLocal).
func (s *Syncer) remoteOf(ctx context.Context, local string) (string, error) {
	if s.opt.State == nil {
		return local, nil
	}
	remote, err := s.opt.State.remote(ctx, s.ref(local))
	if err != nil || remote != "" {
		return remote, err
	}
	ns, err := s.opt.State.namespace(ctx, s.acct.Name)
	return remoteFromLocal(local, ns), err
}

// folderNames returns the local names of an account's folders with their
// remote names ("" for a row of before remote names).
func (s *State) folderNames(ctx context.Context, account string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, coalesce(remote, '') FROM folders WHERE account = ?`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var local, remote string
		if err := rows.Scan(&local, &remote); err != nil {
			return nil, err
		}
		out[local] = remote
	}
	return out, rows.Err()
}

// remote returns the remote name kept for a local folder, "" when none.
func (s *State) remote(ctx context.Context, ref mailstore.FolderRef) (string, error) {
	var remote sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT remote FROM folders WHERE account = ? AND name = ?`,
		ref.Account, ref.Name).Scan(&remote)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return remote.String, err
}

func (s *State) setRemote(ctx context.Context, ref mailstore.FolderRef, remote string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO folders(account, name, remote) VALUES(?,?,?)
		ON CONFLICT(account, name) DO UPDATE SET remote = excluded.remote`, ref.Account, ref.Name, remote)
	return err
}

// dropFolder forgets a folder: its row and its UID map.
func (s *State) dropFolder(ctx context.Context, ref mailstore.FolderRef) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM folders WHERE account = ?1 AND name = ?2`,
		`DELETE FROM uidmap WHERE ` + inFolder,
		`DELETE FROM fids WHERE account = ?1 AND folder = ?2`,
	} {
		if _, err := tx.ExecContext(ctx, q, ref.Account, ref.Name); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// folderReferenced tells whether the UID map or the journal names a folder.
func (s *State) folderReferenced(ctx context.Context, ref mailstore.FolderRef) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM uidmap WHERE `+inFolder+`)
		+ (SELECT count(*) FROM journal WHERE account = ?1 AND (folder = ?2 OR dest = ?2))`,
		ref.Account, ref.Name).Scan(&n)
	return n > 0, err
}

// namespace returns the personal namespace the last LIST of the account
// saw (the zero value before).
func (s *State) namespace(ctx context.Context, account string) (namespace, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, "namespace/"+account).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return namespace{}, nil
	}
	prefix, delim, _ := strings.Cut(v, "\x00")
	ns := namespace{Prefix: prefix}
	for _, r := range delim {
		ns.Delim = r
	}
	return ns, err
}

func (s *State) setNamespace(ctx context.Context, account string, ns namespace) error {
	v := ns.Prefix + "\x00"
	if ns.Delim != 0 {
		v += string(ns.Delim)
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)`, "namespace/"+account, v)
	return err
}
