package watch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/imapsync"
	"facteur/mua/pop3"
)

// The retry delays after a failure, like imapsync.Run's.
const (
	firstBackoff = time.Second
	maxBackoff   = 5 * time.Minute
)

// request is a check asked by Check, with its reply.
type request struct {
	ctx   context.Context // Check's: a request whose ctx ended is dropped
	reply chan Result
}

// runner checks one account until its context ends.
type runner struct {
	w          *Watcher
	acct       account.Account
	cancel     context.CancelFunc
	kick       chan request  // check requests
	push       chan struct{} // replay requests (Watcher.Push)
	transcript *Transcript
	syncer     *imapsync.Syncer // IMAP only, made at the first check
	// idleBackoff is the pause after a failed IDLE, doubling while they fail
	idleBackoff time.Duration

	bmu     sync.Mutex       // guards bodies and stopped
	bodies  *imapsync.Syncer // FetchBody's, made at its first call
	stopped bool             // no more FetchBody

	mu     sync.Mutex
	status Status
	abort  context.CancelFunc // cancels the check under way
}

func (r *runner) snapshot() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// update changes the status and tells OnChange.
func (r *runner) update(f func(*Status)) {
	r.mu.Lock()
	f(&r.status)
	st := r.status
	r.mu.Unlock()
	if r.w.opt.OnChange != nil {
		r.w.opt.OnChange(st)
	}
}

func (r *runner) run(ctx context.Context) {
	defer r.stop(ctx)
	backoff := firstBackoff
	var replies []request
	for {
		res := r.check(ctx)
		for _, req := range replies {
			req.reply <- res
		}
		if ctx.Err() != nil {
			return
		}
		delay := time.Duration(0)
		if res.Err != nil && !errors.Is(res.Err, ErrCancelled) {
			delay = backoff
			backoff = min(backoff*2, maxBackoff)
		} else {
			backoff = firstBackoff
		}
		var ok bool
		if replies, ok = r.wait(ctx, delay); !ok {
			return
		}
	}
}

// stop answers the checks still asked and marks the account stopped.
func (r *runner) stop(ctx context.Context) {
	if r.syncer != nil {
		r.syncer.Close()
	}
	r.bmu.Lock()
	if r.bodies != nil {
		r.bodies.Close()
	}
	r.stopped = true
	r.bmu.Unlock()
	for {
		select {
		case req := <-r.kick:
			req.reply <- Result{Account: r.acct.Name, Err: ctx.Err()}
		default:
			r.update(func(s *Status) { s.State = Stopped })
			return
		}
	}
}

// wait returns when the account should be checked again: a Check call
// (its replies returned), new mail, the poll interval, or the retry delay
// after a failure (delay > 0). A Push stops the wait for the time of its
// replay, then the wait goes on. It returns false when ctx ended.
func (r *runner) wait(ctx context.Context, delay time.Duration) ([]request, bool) {
	for {
		reqs, pushed, ok := r.waitOnce(ctx, delay)
		if !pushed {
			return reqs, ok
		}
		r.replay(ctx)
	}
}

// waitOnce is wait until a Push (pushed true), or what wait returns on.
func (r *runner) waitOnce(ctx context.Context, delay time.Duration) (reqs []request, pushed, ok bool) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.waitForMail(wctx, delay) }()
	for {
		select {
		case req := <-r.kick:
			if r.dropCancelled(req) {
				continue
			}
			cancel()
			<-done // the IDLE is over: the connection is free
			return r.drainKicks(req), false, true
		case <-r.push:
			if r.syncer == nil {
				continue // not synced yet: the next check replays
			}
			cancel()
			<-done
			return nil, ctx.Err() == nil, ctx.Err() == nil
		case <-done:
			return nil, false, ctx.Err() == nil
		case <-ctx.Done():
			<-done
			return nil, false, false
		}
	}
}

// replay sends the journal (Watcher.Push) on the account's connection.
func (r *runner) replay(ctx context.Context) {
	r.transcript.Mark(r.w.opt.Now(), "replay of local actions")
	n, err := r.syncer.Replay(ctx)
	if err != nil {
		fmt.Fprintf(r.transcript, "--- replay: %v ---\n", err)
	}
	var refused error
	if errors.Is(err, imapsync.ErrKeywordRefused) { // the actions were sent
		refused, err = err, nil
	}
	r.update(func(s *Status) {
		s.LastPush, s.Pushed, s.PushError = r.w.opt.Now(), n, err
		s.noteRefused(refused, s.LastPush)
	})
}

// dropCancelled answers a request whose Check was cancelled before the
// account got to it; it reports whether it did.
func (r *runner) dropCancelled(req request) bool {
	if req.ctx.Err() == nil {
		return false
	}
	req.reply <- Result{Account: r.acct.Name, Err: ErrCancelled}
	return true
}

func (r *runner) drainKicks(first request) []request {
	replies := []request{first}
	for {
		select {
		case req := <-r.kick:
			if !r.dropCancelled(req) {
				replies = append(replies, req)
			}
		default:
			return replies
		}
	}
}

// waitForMail waits with IDLE on an IMAP account that is up to date, and
// sleeps otherwise.
func (r *runner) waitForMail(ctx context.Context, delay time.Duration) error {
	if delay == 0 && r.syncer != nil {
		r.update(func(s *Status) { s.Idle = true })
		err := r.syncer.WaitForMail(ctx)
		r.update(func(s *Status) { s.Idle = false })
		if err == nil || ctx.Err() != nil {
			r.idleBackoff = 0
			return err
		}
		// a dropped IDLE syncs again, but a server whose IDLE keeps failing
		// is not asked in a loop: 1 s, doubling to 5 min
		r.idleBackoff = min(max(2*r.idleBackoff, firstBackoff), maxBackoff)
		delay = r.idleBackoff
	}
	if delay == 0 {
		delay = r.w.opt.PollInterval
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return nil
}

// check syncs or collects the account once.
func (r *runner) check(ctx context.Context) Result {
	now := r.w.opt.Now
	cctx, abort := context.WithCancel(ctx)
	r.setAbort(abort) // before the state says Checking: a Check may abort at once
	r.update(func(s *Status) { s.State, s.Done, s.Total = Checking, 0, 0 })
	r.transcript.Mark(now(), fmt.Sprintf("%s %s:%d", r.acct.Protocol, r.acct.Incoming.Host, r.acct.Incoming.Port))
	n, refused, err := r.checkOnce(cctx)
	aborted := cctx.Err() != nil && ctx.Err() == nil // by abortCheck: the user cancelled
	r.setAbort(nil)
	abort()
	res := Result{Account: r.acct.Name, New: n, Err: err}
	if err != nil && aborted {
		fmt.Fprintf(r.transcript, "--- cancelled ---\n")
		// the syncer stays: an IMAP account goes back to IDLE at once
		r.update(func(s *Status) {
			s.State = Waiting
			s.noteRefused(refused, now())
		})
		res.Err = ErrCancelled
		return res
	}
	if err != nil {
		fmt.Fprintf(r.transcript, "--- error: %v ---\n", err)
		r.closeSyncer() // the next try logs in afresh, with the password of then
		r.update(func(s *Status) {
			s.State, s.LastError, s.LastErrorAt = Failed, err, now()
			s.noteRefused(refused, s.LastErrorAt) // sent before the failure
		})
		return res
	}
	r.update(func(s *Status) {
		s.State, s.LastCheck, s.LastNew = Waiting, now(), n
		s.noteRefused(refused, s.LastCheck)
	})
	return res
}

func (r *runner) closeSyncer() {
	if r.syncer != nil {
		r.syncer.Close()
		r.syncer = nil
	}
}

// setAbort records what cancels the check under way (nil: none).
func (r *runner) setAbort(f context.CancelFunc) {
	r.mu.Lock()
	r.abort = f
	r.mu.Unlock()
}

// abortCheck cancels the check under way, if any.
func (r *runner) abortCheck() {
	r.mu.Lock()
	f := r.abort
	r.mu.Unlock()
	if f != nil {
		f()
	}
}

// checkOnce collects or syncs the account; refused names the keywords
// the server did not keep (imapsync.Stats.Refused).
func (r *runner) checkOnce(ctx context.Context) (n int, refused, err error) {
	pw, err := r.w.opt.Secret(r.acct)
	if err != nil {
		return 0, nil, err
	}
	if r.acct.Protocol == account.POP3 {
		st, err := pop3.Collect(ctx, r.acct, pw, pop3.CollectOptions{
			Options:  pop3.Options{Dialer: r.w.opt.Dialer, Transcript: r.transcript},
			Store:    r.w.opt.Store,
			StateDir: r.w.opt.Profile,
			Progress: func(p mailstore.Progress) { r.progress(p.Done, p.Total) },
		})
		if err != nil {
			return st.New, nil, err
		}
		_, err = filter.AfterCheck(ctx, r.w.filterOptions(), r.acct, nil)
		return st.New, nil, err
	}
	if r.syncer == nil {
		r.syncer = imapsync.New(r.acct, pw, imapsync.Options{
			Store: r.w.opt.Store, State: r.w.state, Dialer: r.w.opt.Dialer,
			Transcript: r.transcript, PollInterval: r.w.opt.PollInterval,
			Progress: func(p imapsync.Progress) { r.progress(p.Done, p.Total) },
		})
	}
	st, err := r.syncer.Sync(ctx)
	if err != nil {
		return st.New, st.Refused, err
	}
	if _, err := filter.AfterCheck(ctx, r.w.filterOptions(), r.acct, r.syncer); err != nil {
		return st.New, st.Refused, err
	}
	// drafts saved while the server was away (or before a crash) go up now
	_, err = r.syncer.PushDrafts(ctx)
	return st.New, st.Refused, err
}

func (r *runner) progress(done, total int) {
	r.update(func(s *Status) { s.Done, s.Total = done, total })
}

// fetchBody runs imapsync's FetchBody on the runner's on-demand syncer,
// made at the first call; after a failed login or a dropped connection it
// logs in afresh once (an OAuth2 token expires within the hour).
func (r *runner) fetchBody(ctx context.Context, id int64) (mailstore.Summary, error) {
	if r.acct.Protocol != account.IMAP {
		return mailstore.Summary{}, fmt.Errorf("watch: %s is not an IMAP account: its messages are whole", r.acct.Name)
	}
	r.bmu.Lock()
	defer r.bmu.Unlock()
	var sum mailstore.Summary
	if r.stopped {
		return sum, ErrUnknownAccount
	}
	var err error
	for try := 0; try < 2; try++ {
		if r.bodies == nil {
			pw, err := r.w.opt.Secret(r.acct)
			if err != nil {
				return sum, err
			}
			r.bodies = imapsync.New(r.acct, pw, imapsync.Options{Store: r.w.opt.Store, State: r.w.state,
				Dialer: r.w.opt.Dialer, Transcript: r.transcript})
		}
		sum, err = r.bodies.FetchBody(ctx, id)
		if err == nil || !errors.Is(err, imapsync.ErrAuth) && !errors.Is(err, imapsync.ErrClosed) || ctx.Err() != nil {
			return sum, err
		}
		r.bodies.Close()
		r.bodies = nil
	}
	return sum, err
}
