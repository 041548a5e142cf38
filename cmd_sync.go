package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"facteur/internal/profile"
	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/imapsync"
	"facteur/mua/oauth"
	"facteur/mua/pop3"
	"facteur/mua/submit"
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
	s, p, err := openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := account.OpenBook(p.ConfigFile()).List()
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{"sync takes one account name at most"}
	}
	if len(pos) == 1 {
		if err := knownAccount(list, pos[0]); err != nil {
			return err
		}
	}
	creds := account.OpenCredentials(p.Dir, account.BackendAuto)
	var errs []error
	for _, a := range list {
		if len(pos) > 0 && a.Name != pos[0] {
			continue
		}
		a.Options.Offline = a.Options.Offline || *offline
		if err := syncOne(e, s, p, creds, a); err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", a.Name, explain(err))
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return reported{errors.Join(errs...)} // each printed above, once
	}
	return nil
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

func syncOne(e *env, s *mailstore.Store, p profile.Profile, creds *account.Credentials, a account.Account) error {
	pw, err := (&oauth.Tokens{Secrets: creds}).LoginSecret(e.ctx, a)
	if err != nil {
		return err
	}
	waiting := func() {
		fmt.Fprintf(e.stderr, "%s: another Facteur (the app?) is checking this account; waiting for it to finish\n", a.Name)
	}
	if a.Protocol == account.POP3 {
		st, err := pop3.Collect(e.ctx, a, pw, pop3.CollectOptions{Store: s, StateDir: p.Dir, Waiting: waiting})
		fmt.Fprintf(e.stdout, "%s: %d new, %d deleted from the server, %d kept there\n", a.Name, st.New, st.Deleted, st.Kept)
		if err != nil {
			return err
		}
		return runFilters(e, s, p, creds, a, nil)
	}
	state, err := imapsync.OpenState(e.ctx, p.Dir)
	if err != nil {
		return err
	}
	defer state.Close()
	sy := imapsync.New(a, pw, imapsync.Options{Store: s, State: state, Waiting: waiting, Progress: func(pr imapsync.Progress) {
		if pr.Bodies > 0 {
			fmt.Fprintf(e.stderr, "%s: %d bodies\n", pr.Folder, pr.Bodies)
			return
		}
		fmt.Fprintf(e.stderr, "%s: %d/%d\n", pr.Folder, pr.Done, pr.Total)
	}})
	defer sy.Close()
	st, err := sy.Sync(e.ctx)
	fmt.Fprintln(e.stdout, syncSummary(a.Name, st))
	if err != nil {
		return err
	}
	return runFilters(e, s, p, creds, a, sy)
}

// runFilters runs the account's filters on its new INBOX messages
// (mua/filter), and says what they did.
func runFilters(e *env, s *mailstore.Store, p profile.Profile, creds *account.Credentials, a account.Account, sy *imapsync.Syncer) error {
	opt := filter.Options{Store: s, Scripts: sieve.OpenScripts(p.FiltersDir()), Sender: &submit.Client{Passwords: creds},
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	st, err := filter.AfterCheck(e.ctx, opt, a, sy)
	if st.Messages > 0 {
		fmt.Fprintf(e.stdout, "%s: filters: %s\n", a.Name, st)
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
