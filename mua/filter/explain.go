package filter

import (
	"context"

	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mua/account"
)

// Report is the dry run of a script on one message: what matched and
// what would happen (Explain.Actions), or why the message could not be
// read.
type Report struct {
	Message mailstore.Summary
	Explain *sieve.Explanation
	Err     error
}

// Explain runs a script (the account's when script is nil) on the
// messages of a folder, newest first, at most limit (0: all), and reports
// each one to fn: a dry run that changes nothing (no flag, no move, no
// vacation memory, nothing sent, no body fetched).
func Explain(ctx context.Context, opt Options, acct account.Account, folder string, script *sieve.Script, limit int, fn func(Report)) error {
	j, err := newJob(opt, acct, nil, script)
	if err != nil {
		return err
	}
	ids, err := opt.Store.FolderIDs(ctx, mailstore.FolderRef{Account: acct.Name, Name: folder})
	if err != nil {
		return err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		if limit > 0 && len(ids)-i > limit {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		sum, m, err := j.message(ctx, ids[i])
		if err != nil {
			fn(Report{Message: sum, Err: err})
			continue
		}
		res := j.script.Run(ctx, m, sieve.RunOptions{Explain: true})
		fn(Report{Message: sum, Explain: res.Explain, Err: res.Err})
	}
	return nil
}
