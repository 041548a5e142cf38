package main

import (
	"fmt"

	"facteur/mailstore"
)

func cmdExport(e *env) error {
	args, err := parseFlags(newFlags(e, "export"), e.args)
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return usageError{"usage: facteur export FOLDER FILE"}
	}
	s, err := openStoreToRead(e)
	if err != nil {
		return err
	}
	defer s.Close()
	ref, err := existingFolder(e, s, args[0])
	if err != nil {
		return err
	}
	n, err := s.Export(e.ctx, ref, args[1])
	if err != nil {
		return fmt.Errorf("export %s: %w", ref, err)
	}
	fmt.Fprintf(e.stdout, "exported %d messages from %s to %s (mboxrd)\n", n, ref, args[1])
	warnPartial(e, s, ref)
	return nil
}

// warnPartial says how many exported messages were only headers (an IMAP
// folder synced headers first) and how to export them whole.
func warnPartial(e *env, s *mailstore.Store, ref mailstore.FolderRef) {
	folders, err := s.Folders(e.ctx)
	if err != nil {
		return
	}
	for _, f := range folders {
		if f.Ref == ref && f.Partial > 0 {
			fmt.Fprintf(e.stderr, "facteur: warning: %d of these messages have only their header here (synced headers first; marked %s): "+
				"run `facteur sync --offline %s` first to export them whole\n", f.Partial, mailstore.PartialField, ref.Account)
		}
	}
}
