package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"facteur/internal/profile"
	"facteur/mailstore"
)

// openStore opens the profile's store (creating the profile when missing).
func openStore(e *env) (*mailstore.Store, profile.Profile, error) {
	p, err := profile.Open(e.profile)
	if err != nil {
		return nil, p, err
	}
	s, err := mailstore.Open(e.ctx, p.MailDir())
	if err != nil {
		return nil, p, fmt.Errorf("open the mail store in %s: %w", p.Dir, err)
	}
	return s, p, nil
}

// openStoreToRead opens the profile's store for a command that only reads
// it (search, export, inspect): read-only, so that it writes nothing and
// works on a full disk; when there is no index yet, or one to bring up to
// date, as openStore does.
func openStoreToRead(e *env) (*mailstore.Store, error) {
	dir, err := profile.Resolve(e.profile)
	if err != nil {
		return nil, err
	}
	s, err := mailstore.OpenReadOnly(e.ctx, dir)
	if errors.Is(err, mailstore.ErrIndexNotReady) {
		s, _, err = openStore(e)
		return s, err
	}
	if err != nil {
		return nil, fmt.Errorf("open the mail store in %s: %w", dir, err)
	}
	return s, nil
}

// localAccount is the account that imports go into.
const localAccount = "Local"

// resolveFolder turns a command-line folder name into a folder: "Account/Name"
// when it names an existing folder so, else the folder Name of the Local account.
func resolveFolder(e *env, s *mailstore.Store, name string) (mailstore.FolderRef, error) {
	folders, err := s.Folders(e.ctx)
	if err != nil {
		return mailstore.FolderRef{}, err
	}
	for _, f := range folders {
		if f.Ref.String() == name {
			return f.Ref, nil
		}
	}
	return mailstore.FolderRef{Account: localAccount, Name: name}, nil
}

// existingFolder is resolveFolder for commands that read a folder: it must exist.
func existingFolder(e *env, s *mailstore.Store, name string) (mailstore.FolderRef, error) {
	ref, err := resolveFolder(e, s, name)
	if err != nil {
		return ref, err
	}
	folders, err := s.Folders(e.ctx)
	if err != nil {
		return ref, err
	}
	var names []string
	for _, f := range folders {
		if f.Ref == ref {
			return ref, nil
		}
		names = append(names, f.Ref.String())
	}
	return ref, fmt.Errorf("no folder %q (folders: %s)", name, strings.Join(names, ", "))
}

// newFlags makes a FlagSet for a subcommand whose errors go to e.stderr.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses a subcommand's flags, which may stand before or after its
// positional arguments (`search QUERY --json` works like `search --json QUERY`).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
