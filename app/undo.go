package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2/lang"

	"facteur/mailstore"
	"facteur/mua/mailer"
)

// moveUndo returns what moves msgs back to the folders they were in before
// a delete or a move; the store keeps a moved message's id, and the mailer
// journals the move back for an IMAP account's server.
func (c *controller) moveUndo(msgs []mailstore.Summary) func(ctx context.Context) error {
	type back struct {
		folder mailstore.FolderRef
		ids    []int64
	}
	var groups []back
	for _, s := range msgs {
		i := 0
		for i < len(groups) && groups[i].folder != s.Folder {
			i++
		}
		if i == len(groups) {
			groups = append(groups, back{folder: s.Folder})
		}
		groups[i].ids = append(groups[i].ids, s.ID)
	}
	a := c.actor()
	return func(ctx context.Context) error {
		var errs []error
		for _, g := range groups {
			errs = append(errs, a.do(func(m *mailer.Mailer) (mailer.Change, error) { return m.Move(ctx, g.ids, g.folder) }))
		}
		return errors.Join(errs...)
	}
}

// flagsUndo returns what gives msgs back the flags they had before add and
// remove: a flag added is removed from the messages that lacked it, a flag
// removed is added back where it was.
func (c *controller) flagsUndo(msgs []mailstore.Summary, add, remove mailstore.Flags) func(ctx context.Context) error {
	type change struct {
		add, remove mailstore.Flags
		ids         []int64
	}
	var changes []change
	for _, s := range msgs {
		ch := change{add: remove & s.Flags, remove: add &^ s.Flags}
		if ch.add == 0 && ch.remove == 0 {
			continue
		}
		i := 0
		for i < len(changes) && (changes[i].add != ch.add || changes[i].remove != ch.remove) {
			i++
		}
		if i == len(changes) {
			changes = append(changes, ch)
		}
		changes[i].ids = append(changes[i].ids, s.ID)
	}
	a := c.actor()
	return func(ctx context.Context) error {
		var errs []error
		for _, ch := range changes {
			errs = append(errs, a.do(func(m *mailer.Mailer) (mailer.Change, error) { return m.SetFlags(ctx, ch.ids, ch.add, ch.remove) }))
		}
		return errors.Join(errs...)
	}
}

// deletedText says what a delete did: to the Trash, or for good (from
// the Trash).
func deletedText(n int, purged bool) string {
	args := map[string]any{"N": formatCount(n)}
	switch {
	case purged && n == 1:
		return lang.L("1 message deleted")
	case purged:
		return lang.L("{{.N}} messages deleted", args)
	case n == 1:
		return lang.L("1 message moved to the Trash")
	}
	return lang.L("{{.N}} messages moved to the Trash", args)
}

// movedText says what a move (or a copy) of n messages to dest did.
func (c *controller) movedText(n int, dest mailstore.FolderRef, copied bool) string {
	name := dest.Name
	if f, ok := c.folder(dest); ok {
		name = folderName(f)
	}
	args := map[string]any{"N": formatCount(n), "Folder": name}
	switch {
	case copied && n == 1:
		return lang.L("1 message copied to {{.Folder}}", args)
	case copied:
		return lang.L("{{.N}} messages copied to {{.Folder}}", args)
	case n == 1:
		return lang.L("1 message moved to {{.Folder}}", args)
	}
	return lang.L("{{.N}} messages moved to {{.Folder}}", args)
}

// markText says what a mark of n messages did.
func markText(n int, add, remove mailstore.Flags) string {
	args := map[string]any{"N": formatCount(n)}
	switch {
	case add&mailstore.FlagSeen != 0:
		return lang.L("{{.N}} messages marked read", args)
	case remove&mailstore.FlagSeen != 0:
		return lang.L("{{.N}} messages marked unread", args)
	case add&mailstore.FlagFlagged != 0:
		return lang.L("{{.N}} messages flagged", args)
	}
	return lang.L("{{.N}} messages unflagged", args)
}

// copySelected copies the selected messages into dest, through the mailer
// (UID COPY, or an APPEND to another account's server).
func (c *controller) copySelected(dest mailstore.FolderRef) { c.copyMsgs(c.selectedMsgs(), dest) }

// copyMsgs copies messages into dest (the Copy action, a drop with Ctrl).
func (c *controller) copyMsgs(msgs []mailstore.Summary, dest mailstore.FolderRef) {
	if len(msgs) == 0 {
		return
	}
	a, ids := c.actor(), summaryIDs(msgs)
	c.work.inOrder(func(ctx context.Context) func() {
		err := a.do(func(m *mailer.Mailer) (mailer.Change, error) {
			_, ch, err := m.Copy(ctx, ids, dest)
			return ch, err
		})
		return c.afterMove(err)
	})
	c.notify(c.movedText(len(msgs), dest, true), nil)
}
