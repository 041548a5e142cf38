package mailer

import (
	"context"
	"time"

	"facteur/internal/sieve"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/imapsync"
	"facteur/mua/submit"
)

// submitter submits through the accounts' SMTP servers, a submission
// bounded by timeout (0: Options.SubmitTimeout, else 5 minutes).
func (m *Mailer) submitter(timeout time.Duration) *submit.Client {
	return &submit.Client{Dialer: m.opt.Dialer, Passwords: m.creds, Timeout: cmpDur(timeout, m.opt.SubmitTimeout)}
}

// filterOptions are the options of the accounts' filters (mua/filter):
// the profile's scripts, and the submissions of their redirects and
// vacation replies.
func (m *Mailer) filterOptions() filter.Options {
	return filter.Options{Store: m.opt.Store, Scripts: sieve.OpenScripts(m.prof.FiltersDir()),
		Sender: m.submitter(0), Logger: m.logger()}
}

// RunFilters applies the script of account a to the mail of one of its
// folders now (`facteur filter run`). An IMAP account is synced first,
// the script's moves, copies and flags go through its journal, and a
// second sync gives them to the server; the other accounts' messages
// change in the store. A Local account is account.Account{Name:
// filter.LocalAccount}.
func (m *Mailer) RunFilters(ctx context.Context, a account.Account, folder string) (filter.Stats, error) {
	opt := m.filterOptions()
	if a.Protocol != account.IMAP {
		return filter.Apply(ctx, opt, a, filter.Local(m.opt.Store, a.Name), folder, nil)
	}
	sy, err := m.online(ctx, a, imapsync.Options{})
	if err != nil {
		return filter.Stats{}, err
	}
	defer sy.Close()
	if _, err := sy.Sync(ctx); err != nil {
		return filter.Stats{}, err
	}
	st, err := filter.Apply(ctx, opt, a, filter.Remote(sy), folder, nil)
	if err != nil {
		return st, err
	}
	if _, err := sy.Sync(ctx); err != nil {
		return st, &ChangesWaitError{Err: err}
	}
	return st, nil
}

// ChangesWaitError: the changes were made in the store and journaled, but
// the server could not take them now; they go at the next sync.
type ChangesWaitError struct{ Err error }

func (e *ChangesWaitError) Error() string {
	return "the changes are kept and go to the server at the next sync: " + e.Err.Error()
}

func (e *ChangesWaitError) Unwrap() error { return e.Err }

// DryRun runs a script (the account's when script is nil) on the newest
// limit messages of a folder (0: all) and reports what would happen to
// each (mua/filter.Explain), changing nothing; a body the script needs
// and the store lacks is downloaded first, as opening the message does.
// `facteur filter test` and the window's "Try on this folder" both come
// here.
func (m *Mailer) DryRun(ctx context.Context, a account.Account, folder string, script *sieve.Script, limit int, fn func(filter.Report)) error {
	return filter.Explain(ctx, m.filterOptions(), a, folder, script, limit, m, fn)
}
