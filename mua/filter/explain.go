package filter

import (
	"context"
	"errors"

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
	// HeaderOnly is set when the script tests bodies but the message's
	// body is not in the store and could not be fetched (no fetcher, or
	// the server did not answer): its body tests saw the header only. It
	// says why.
	HeaderOnly error
}

// BodyFetcher downloads the body of a message stored with its header only
// (mailstore.Summary.Partial) and returns its new summary: what opening
// the message does (mua/mailer's FetchBody), which changes no flag.
type BodyFetcher interface {
	FetchBody(ctx context.Context, id int64) (mailstore.Summary, error)
}

// ErrNoFetcher: a dry run with no way to fetch a body.
var ErrNoFetcher = errors.New("filter: the body is not downloaded")

// Explain runs a script (the account's when script is nil) on the
// messages of a folder, newest first, at most limit (0: all), and reports
// each one to fn: a dry run that changes nothing (no flag, no move, no
// vacation memory, nothing sent). When the script tests bodies, a body
// not yet downloaded is fetched through fetch (nil: none is, and the
// report says its body tests saw the header only).
func Explain(ctx context.Context, opt Options, acct account.Account, folder string, script *sieve.Script, limit int, fetch BodyFetcher, fn func(Report)) error {
	j, err := newJob(opt, acct, nil, script)
	if err != nil {
		return err
	}
	j.fetch = fetch
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
		sum, m, headerOnly, err := j.message(ctx, ids[i])
		if err != nil {
			fn(Report{Message: sum, Err: err})
			continue
		}
		res := j.script.Run(ctx, m, sieve.RunOptions{Explain: true})
		fn(Report{Message: sum, Explain: res.Explain, Err: res.Err, HeaderOnly: headerOnly})
	}
	return nil
}
