package filter

import (
	"context"
	"errors"
	"fmt"

	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync"
)

// Inbox is the folder whose new messages are filtered after a sync.
const Inbox = "INBOX"

// ErrNoScript: the account has no script.
var ErrNoScript = errors.New("filter: the account has no script")

// Install checks src and makes it the account's script; the account's
// new mail is filtered from now on (the mail already in INBOX only by
// Apply).
func Install(ctx context.Context, opt Options, acct string, src []byte) error {
	if err := opt.Scripts.Install(acct, src, HostOf(acct)); err != nil {
		return err
	}
	last, err := opt.Store.LastID(ctx)
	if err != nil {
		return err
	}
	return marksOf(opt.Scripts.Dir).set(ctx, acct, last)
}

// AfterSync runs the account's script on the INBOX messages that came
// since the last run, and carries out its actions. Without a script it
// does nothing. A message whose run or actions fail stays where it was;
// the failure is logged and counted, not returned: the sync went well.
func AfterSync(ctx context.Context, opt Options, acct account.Account, act Actions) (Stats, error) {
	s, err := opt.Scripts.Load(acct.Name, HostOf(acct.Name))
	if err != nil || s == nil {
		if err != nil {
			opt.log().Warn("filter: the script does not compile; mail stays in INBOX", "account", acct.Name, "err", err)
		}
		return Stats{}, nil
	}
	mk := marksOf(opt.Scripts.Dir)
	mark, ok, err := mk.get(ctx, acct.Name)
	if err != nil {
		return Stats{}, err
	}
	if !ok { // a script put there by hand: from the mail of now on
		last, err := opt.Store.LastID(ctx)
		if err != nil {
			return Stats{}, err
		}
		return Stats{}, mk.set(ctx, acct.Name, last)
	}
	j := &job{opt: opt, acct: acct, act: act, script: s}
	var st Stats
	for {
		ids, err := opt.Store.NewerThan(ctx, mailstore.FolderRef{Account: acct.Name, Name: Inbox}, mark, 200)
		if err != nil || len(ids) == 0 {
			return st, err
		}
		for _, id := range ids {
			st.add(j.one(ctx, id))
			mark = id
			if err := mk.set(ctx, acct.Name, mark); err != nil {
				return st, err
			}
		}
	}
}

// one runs the script on one message and carries out its actions.
func (j *job) one(ctx context.Context, id int64) Stats {
	sum, m, headerOnly, err := j.message(ctx, id)
	if err != nil {
		j.opt.log().Warn("filter: cannot read the message", "account", j.acct.Name, "id", id, "err", err)
		return Stats{Failed: 1}
	}
	if headerOnly != nil {
		j.opt.log().Warn("filter: body tests see the header only", "account", j.acct.Name, "id", id, "err", headerOnly)
	}
	res := j.script.Run(ctx, m, sieve.RunOptions{})
	if res.Err != nil {
		j.opt.log().Warn("filter: the script failed; the message stays", "account", j.acct.Name, "id", id, "err", res.Err)
		return Stats{Messages: 1, Failed: 1}
	}
	st, err := j.apply(ctx, sum, m, res.Actions)
	st.Messages = 1
	if err != nil {
		j.opt.log().Warn("filter: an action failed; the message stays", "account", j.acct.Name, "id", id, "err", err)
		st.Failed++
	}
	return st
}

// Apply runs a script (the account's when script is nil) on every
// message of a folder of the account and carries out its actions.
func Apply(ctx context.Context, opt Options, acct account.Account, act Actions, folder string, script *sieve.Script) (Stats, error) {
	j, err := newJob(opt, acct, act, script)
	if err != nil {
		return Stats{}, err
	}
	ids, err := opt.Store.FolderIDs(ctx, mailstore.FolderRef{Account: acct.Name, Name: folder})
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	for _, id := range ids {
		st.add(j.one(ctx, id))
	}
	return st, nil
}

func newJob(opt Options, acct account.Account, act Actions, script *sieve.Script) (*job, error) {
	if script == nil {
		s, err := opt.Scripts.Load(acct.Name, HostOf(acct.Name))
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoScript, acct.Name)
		}
		script = s
	}
	return &job{opt: opt, acct: acct, act: act, script: script}, nil
}

// AfterCheck is the one call that `facteur sync` and the app's background
// checks (mua/watch) make after an account was synced (sy, IMAP) or
// collected (sy nil, POP3): the script runs on the new INBOX messages,
// and when it changed an IMAP account's messages the account is synced
// again, so that the server has the changes at once.
func AfterCheck(ctx context.Context, opt Options, acct account.Account, sy *imapsync.Syncer) (Stats, error) {
	if sy == nil {
		return AfterSync(ctx, opt, acct, Local(opt.Store, acct.Name))
	}
	st, err := AfterSync(ctx, opt, acct, Remote(sy))
	if err != nil || !st.changed() {
		return st, err
	}
	_, err = sy.Sync(ctx)
	return st, err
}

// changed reports whether actions changed messages.
func (s Stats) changed() bool {
	return s.Moved+s.Copied+s.Flagged+s.Deleted > 0
}

// String sums the stats up for a progress line.
func (s Stats) String() string {
	return fmt.Sprintf("%d filtered: %d moved, %d copied, %d flagged, %d deleted, %d sent, %d failed (kept)",
		s.Messages, s.Moved, s.Copied, s.Flagged, s.Deleted, s.Sent, s.Failed)
}
