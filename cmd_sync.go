package main

import (
	"errors"
	"fmt"
	"strings"

	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/mailer"
)

// cmdSync brings every account (or the one named) into the store:
// `facteur sync [--offline] [ACCOUNT]`. IMAP accounts sync headers first
// (bodies come when a message is opened) unless they are available
// offline; --offline makes them so for this run: every body is
// downloaded, those of messages synced before by their headers too.
func cmdSync(e *env) error {
	fs := newFlags(e, "sync")
	offline := fs.Bool("offline", false, "download every message body (as for an account available offline)")
	pos, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{"sync takes one account name at most"}
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		list, err := m.Accounts()
		if err != nil {
			return err
		}
		if len(pos) == 1 {
			if err := knownAccount(list, pos[0]); err != nil {
				return err
			}
		}
		var errs []error
		for _, a := range list {
			if len(pos) > 0 && a.Name != pos[0] {
				continue
			}
			if err := syncOne(e, m, a, *offline); err != nil {
				fmt.Fprintf(e.stderr, "%s: %v\n", a.Name, explain(err))
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return reported{errors.Join(errs...)} // each printed above, once
		}
		return nil
	})
}

// knownAccount tells whether list has an account of that name; the error
// lists the accounts there are.
func knownAccount(list []account.Account, name string) error {
	names := make([]string, 0, len(list))
	for _, a := range list {
		if a.Name == name {
			return nil
		}
		names = append(names, a.Name)
	}
	if len(names) == 0 {
		return fmt.Errorf("%w: %q: there is no account yet (facteur account add)", account.ErrNotFound, name)
	}
	return fmt.Errorf("%w: %q: the accounts are %s", account.ErrNotFound, name, strings.Join(names, ", "))
}

// syncOne syncs or collects one account through the mailer (which runs
// its filters after), with progress lines and a summary.
func syncOne(e *env, m *mailer.Mailer, a account.Account, offline bool) error {
	out, err := m.Sync(e.ctx, a, mailer.SyncOptions{Offline: offline,
		Waiting: func() {
			fmt.Fprintf(e.stderr, "%s: another Facteur (the app?) is checking this account; waiting for it to finish\n", a.Name)
		},
		Progress: func(pr imapsync.Progress) {
			if pr.Bodies > 0 {
				fmt.Fprintf(e.stderr, "%s: %d bodies\n", pr.Folder, pr.Bodies)
				return
			}
			fmt.Fprintf(e.stderr, "%s: %d/%d\n", pr.Folder, pr.Done, pr.Total)
		}})
	if a.Protocol == account.POP3 {
		st := out.POP3
		fmt.Fprintf(e.stdout, "%s: %d new, %d deleted from the server, %d kept there\n", a.Name, st.New, st.Deleted, st.Kept)
	} else {
		fmt.Fprintln(e.stdout, syncSummary(a.Name, out.IMAP))
		if out.IMAP.Refused != nil {
			fmt.Fprintf(e.stderr, "facteur sync: warning: %v\n", out.IMAP.Refused)
		}
	}
	if out.Filtered.Messages > 0 {
		fmt.Fprintf(e.stdout, "%s: filters: %s\n", a.Name, out.Filtered)
	}
	return err
}

// syncSummary is the line `facteur sync` prints for an IMAP account: what
// was stored, never what was only looked at.
func syncSummary(name string, st imapsync.Stats) string {
	s := fmt.Sprintf("%s: %d folders, %d new, %d removed, %d flag changes, %d local actions sent, %d partial messages completed",
		name, st.Folders, st.New, st.Removed, st.Flags, st.Replayed, st.Bodies)
	if st.Matched > 0 {
		s += fmt.Sprintf(", %d found already in the store", st.Matched)
	}
	if st.Unsent > 0 {
		s += fmt.Sprintf(", %d local changes not sent (the server rebuilt the folder without their messages)", st.Unsent)
	}
	if st.Failed > 0 {
		s += fmt.Sprintf(", %d folders refused by the server", st.Failed)
	}
	if st.Incomplete > 0 {
		s += fmt.Sprintf(", %d incomplete (not stored; the next sync fetches them again)", st.Incomplete)
	}
	return s
}
