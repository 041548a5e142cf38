package mailer

import (
	"context"
	"errors"
	"fmt"

	"facteur/mailstore"
)

// Import stores the messages of an mbox file, an .eml file or a Maildir
// (mailstore.ImportWith: duplicates skipped, progress, cancel) in a folder
// of any account, created when missing. Into an IMAP account's folder the
// APPEND of each batch is journaled as soon as the batch is stored, as
// for a message moved in from another account (imapsync's Adopt): the
// server gets them with the next replay, at once when it answers, and an
// import cancelled or cut keeps on the server's way what it stored. A
// folder the IMAP account does not have yet is created on its server
// first (which needs the server). The Change names the account whose
// journal grew.
func (m *Mailer) Import(ctx context.Context, dest mailstore.FolderRef, path string, opt mailstore.ImportOptions) (mailstore.ImportStats, Change, error) {
	var ch Change
	a, isIMAP, err := m.imapAccount(dest.Account)
	if err != nil {
		return mailstore.ImportStats{}, ch, err
	}
	if err := m.importFolder(ctx, dest, isIMAP); err != nil {
		return mailstore.ImportStats{}, ch, err
	}
	if !isIMAP {
		st, err := m.opt.Store.ImportWith(ctx, dest, path, opt)
		return st, ch, err
	}
	j := m.journal(a)
	keep := context.WithoutCancel(ctx) // what is stored is journaled, even after a cancel
	var adoptErr error
	stored := opt.Stored
	opt.Stored = func(ids []int64) {
		if adoptErr == nil {
			if err := j.Adopt(keep, ids); err != nil {
				adoptErr = fmt.Errorf("the imported messages are stored here, but their copy to the server of %s could not be journaled: %w", a.Name, err)
			}
		}
		if stored != nil {
			stored(ids)
		}
	}
	st, err := m.opt.Store.ImportWith(ctx, dest, path, opt)
	if st.Messages > 0 && adoptErr == nil {
		ch.journaled(a.Name)
		m.push(ch)
	}
	return st, ch, errors.Join(err, adoptErr)
}

// importFolder makes sure the destination of an import exists: in the
// store, and for an IMAP account on its server too.
func (m *Mailer) importFolder(ctx context.Context, dest mailstore.FolderRef, isIMAP bool) error {
	if _, _, err := m.opt.Store.Count(ctx, dest); err == nil {
		return nil
	}
	if isIMAP {
		return m.CreateFolder(ctx, dest)
	}
	err := m.opt.Store.CreateFolder(ctx, dest, mailstore.RoleNone)
	if errors.Is(err, mailstore.ErrFolderExists) {
		return nil
	}
	return err
}
