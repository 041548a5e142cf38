package watch

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/imapsync"
)

// Options configure a Watcher.
type Options struct {
	// Store receives the mail. Required.
	Store *mailstore.Store
	// Profile is the profile directory, where the sync states live.
	// Required.
	Profile string
	// Secret returns the password of an account's incoming server.
	// Required.
	Secret func(account.Account) (string, error)
	// Dialer opens the connections; nil means the system roots.
	Dialer *account.Dialer
	// PollInterval is the delay between two checks of a POP3 account, or of
	// an IMAP account without IDLE; 0 means 10 minutes.
	PollInterval time.Duration
	// TranscriptSize is the number of bytes of dialogue kept per account;
	// 0 means 256 KiB.
	TranscriptSize int
	// OnChange, when set, is called after each change of an account's
	// Status, from the account's goroutine.
	OnChange func(Status)
	// Now gives the time; nil means time.Now.
	Now func() time.Time
	// Sender sends what the accounts' filters redirect or answer
	// (vacation); nil keeps those messages and logs it (mua/filter).
	Sender filter.Sender
	// State is the IMAP sync state to share (its journal takes the
	// actions of other Syncers of the process); nil opens the profile's.
	State *imapsync.State
}

// filterOptions are the options of the accounts' filters: the scripts of
// the profile's filters directory.
func (w *Watcher) filterOptions() filter.Options {
	return filter.Options{Store: w.opt.Store, Scripts: w.scripts, Sender: w.opt.Sender}
}

// Errors of the Watcher, for errors.Is.
var (
	// ErrUnknownAccount: the Watcher does not run that account.
	ErrUnknownAccount = errors.New("watch: no such account")
	// ErrCancelled: Check's context ended and the check was stopped.
	ErrCancelled = errors.New("watch: check cancelled")
)

// Watcher checks a set of accounts in the background (see the package
// doc). Its methods are safe for concurrent use.
type Watcher struct {
	opt   Options
	ctx   context.Context
	state *imapsync.State
	own   bool // state was opened by Start, and is closed by Wait
	wg    sync.WaitGroup

	mu      sync.Mutex
	runners map[string]*runner

	scripts *sieve.Scripts // the accounts' filters, compiled once
}

// Start opens the IMAP sync state and starts a goroutine for each
// account. Everything stops when ctx ends; Wait waits for it.
func Start(ctx context.Context, opt Options, accounts []account.Account) (*Watcher, error) {
	if opt.Store == nil || opt.Profile == "" || opt.Secret == nil {
		return nil, errors.New("watch: Start needs a Store, a Profile and a Secret")
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = 10 * time.Minute
	}
	if opt.TranscriptSize <= 0 {
		opt.TranscriptSize = 256 << 10
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	st, own := opt.State, false
	if st == nil {
		var err error
		if st, err = imapsync.OpenState(ctx, opt.Profile); err != nil {
			return nil, err
		}
		own = true
	}
	w := &Watcher{opt: opt, ctx: ctx, state: st, own: own, runners: map[string]*runner{},
		scripts: sieve.OpenScripts(filepath.Join(opt.Profile, "filters"))}
	w.Update(accounts)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		<-ctx.Done()
		w.mu.Lock()
		for _, r := range w.runners {
			r.cancel()
		}
		w.mu.Unlock()
	}()
	return w, nil
}

// Wait returns once every goroutine has ended (after ctx ended) and
// closes the sync state it opened.
func (w *Watcher) Wait() {
	w.wg.Wait()
	if w.own {
		w.state.Close()
	}
}

// Update makes the Watcher run exactly these accounts: new ones start,
// removed ones stop, changed ones restart with their new settings.
func (w *Watcher) Update(accounts []account.Account) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx.Err() != nil {
		return
	}
	want := map[string]account.Account{}
	for _, a := range accounts {
		want[a.Name] = a
	}
	for name, r := range w.runners {
		if a, ok := want[name]; !ok || !reflect.DeepEqual(a, r.acct) {
			r.cancel()
			delete(w.runners, name)
		}
	}
	for name, a := range want {
		if _, ok := w.runners[name]; !ok {
			w.start(a)
		}
	}
}

func (w *Watcher) start(a account.Account) {
	ctx, cancel := context.WithCancel(w.ctx)
	r := &runner{w: w, acct: a, cancel: cancel, kick: make(chan request, 16), push: make(chan struct{}, 1),
		transcript: NewTranscript(w.opt.TranscriptSize),
		status:     Status{Account: a.Name, Protocol: a.Protocol}}
	w.runners[a.Name] = r
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		r.run(ctx)
	}()
}

// Status returns the state of every account, sorted by name.
func (w *Watcher) Status() []Status {
	w.mu.Lock()
	rs := make([]*runner, 0, len(w.runners))
	for _, r := range w.runners {
		rs = append(rs, r)
	}
	w.mu.Unlock()
	out := make([]Status, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.snapshot())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}

// Transcript returns the kept protocol dialogue of an account.
func (w *Watcher) Transcript(name string) (string, error) {
	r, err := w.runner(name)
	if err != nil {
		return "", err
	}
	return r.transcript.String(), nil
}

func (w *Watcher) runner(name string) (*runner, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.runners[name]
	if !ok {
		return nil, ErrUnknownAccount
	}
	return r, nil
}

// Check wakes every account and waits until each has finished a check
// begun after the call. When ctx ends first, the checks under way stop
// (their accounts wait for the next one, without a retry delay) and their
// results are ErrCancelled. The results are sorted by account.
func (w *Watcher) Check(ctx context.Context) []Result {
	return w.CheckOnly(ctx, nil)
}

// CheckOnly is Check for the accounts named (all when names is nil).
func (w *Watcher) CheckOnly(ctx context.Context, names []string) []Result {
	w.mu.Lock()
	type pending struct {
		r     *runner
		reply chan Result
	}
	var ps []pending
	for name, r := range w.runners {
		if names != nil && !slices.Contains(names, name) {
			continue
		}
		reply := make(chan Result, 1)
		select {
		case r.kick <- request{ctx, reply}:
			ps = append(ps, pending{r, reply})
		default: // sixteen checks already asked: this one joins them
		}
	}
	w.mu.Unlock()
	out := make([]Result, 0, len(ps))
	for _, p := range ps {
		select {
		case res := <-p.reply:
			out = append(out, res)
		case <-ctx.Done():
			p.r.abortCheck()
			out = append(out, Result{Account: p.r.acct.Name, Err: ErrCancelled})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}

// Push asks an IMAP account to send its journal of local actions (flags,
// moves, deletions made through an imapsync.Syncer on the same state) to
// the server now, without a whole check: its IDLE stops, the journal is
// replayed, and the IDLE goes on. It returns at once; Status tells the
// outcome (LastPush, Pushed, PushError). Asked during a check, the replay
// follows it. A POP3 account has nothing to push.
func (w *Watcher) Push(name string) error {
	r, err := w.runner(name)
	if err != nil {
		return err
	}
	select {
	case r.push <- struct{}{}:
	default: // a push is asked already: it will send this action too
	}
	return nil
}

// FetchBody downloads the body of a partial message of an IMAP account
// (mailstore.Summary.Partial: a sync that fetched headers first) and puts
// it in place in the store; it returns the message's new summary. It uses
// a connection of its own, so it never waits for a sync or an IDLE.
func (w *Watcher) FetchBody(ctx context.Context, acct string, id int64) (mailstore.Summary, error) {
	r, err := w.runner(acct)
	if err != nil {
		return mailstore.Summary{}, err
	}
	return r.fetchBody(ctx, id)
}

// Subscriptions returns the subscribed state of the IMAP folders of an
// account as its last sync saw it (see imapsync.State.Subscriptions): a
// folder missing from the map is one the server said nothing about.
func (w *Watcher) Subscriptions(ctx context.Context, acct string) (map[string]bool, error) {
	return w.state.Subscriptions(ctx, acct)
}
