package main

import (
	"errors"
	"fmt"

	"facteur/mailstore"
	"facteur/mua/imapsync"
	"facteur/mua/mailer"
)

// `facteur folder` creates, renames and deletes folders of any account,
// through the mailer, as the window's folder menu does: on an IMAP
// account's server first (CREATE, RENAME, DELETE), then in the store.

const folderUsage = "folder create|rename|delete [--force] ACCOUNT PATH [NEW]   (PATH: Work, or Work/2026 inside Work)"

func cmdFolder(e *env) error {
	fs := newFlags(e, "folder")
	force := fs.Bool("force", false, "delete a folder that holds messages (they are deleted for good)")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) < 3 {
		return usageError{"folder: give an action, an account and a folder\nusage: facteur " + folderUsage}
	}
	op, ref := args[0], mailstore.FolderRef{Account: args[1], Name: args[2]}
	want := map[string]int{"create": 3, "rename": 4, "delete": 3}[op]
	if want == 0 || len(args) != want {
		return usageError{"folder: " + op + ": wrong arguments\nusage: facteur " + folderUsage}
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		if err := folderAccount(m, ref.Account); err != nil {
			return err
		}
		switch op {
		case "create":
			err = m.CreateFolder(e.ctx, ref)
		case "rename":
			err = m.RenameFolder(e.ctx, ref, args[3])
		case "delete":
			err = deleteFolder(e, m, ref, *force)
		}
		if err != nil {
			return explainFolder(err)
		}
		fmt.Fprintln(e.stdout, folderDone(op, ref, args))
		return nil
	})
}

// folderAccount checks that an account is configured, or is the Local
// one.
func folderAccount(m *mailer.Mailer, name string) error {
	if name == mailer.LocalAccount {
		return nil
	}
	list, err := m.Accounts()
	if err != nil {
		return err
	}
	return knownAccount(list, name)
}

// deleteFolder deletes a folder; one that holds messages only with force.
func deleteFolder(e *env, m *mailer.Mailer, ref mailstore.FolderRef, force bool) error {
	total, _, err := m.Store().Count(e.ctx, ref)
	if err != nil {
		return err
	}
	if total > 0 && !force {
		return fmt.Errorf("%s holds %d messages: they would be deleted for good (on the server too); give --force to delete it", ref, total)
	}
	return m.DeleteFolder(e.ctx, ref)
}

func folderDone(op string, ref mailstore.FolderRef, args []string) string {
	switch op {
	case "create":
		return fmt.Sprintf("folder %s created", ref)
	case "rename":
		return fmt.Sprintf("folder %s renamed %s", ref, mailstore.FolderRef{Account: ref.Account, Name: args[3]})
	}
	return fmt.Sprintf("folder %s deleted", ref)
}

// explainFolder turns the store's and the server's refusals into
// sentences.
func explainFolder(err error) error {
	switch {
	case errors.Is(err, mailstore.ErrFolderExists):
		return fmt.Errorf("a folder of that name exists already (names differing only by case count as one): %w", err)
	case errors.Is(err, mailstore.ErrHasChildren):
		return fmt.Errorf("the folder has sub-folders: delete them first: %w", err)
	case errors.Is(err, mailstore.ErrNotFound):
		return fmt.Errorf("no such folder: %w", err)
	case errors.Is(err, imapsync.ErrInbox):
		return errors.New("INBOX cannot be renamed or deleted: every account keeps it")
	case errors.Is(err, imapsync.ErrOffline):
		return fmt.Errorf("the account's server does not answer; folders are changed on the server, so nothing was changed: %w", err)
	case errors.Is(err, mailstore.ErrBadFolder):
		return fmt.Errorf("not a valid folder name (empty levels, or another account): %w", err)
	}
	return explain(err)
}
