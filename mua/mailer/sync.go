package mailer

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/imapsync"
	"facteur/mua/pop3"

	"facteur/mua/watch"
)

// SyncOptions tune Sync.
type SyncOptions struct {
	// Offline downloads every body, as for an account available offline
	// (account.Options.Offline), those of messages synced headers first
	// before too.
	Offline bool
	// Progress, when set, is told the progress of an IMAP account folder
	// by folder.
	Progress func(imapsync.Progress)
	// Collected, when set, is told the progress of a POP3 collection.
	Collected func(mailstore.Progress)
	// Waiting, when set, is told that another sync of the account (the
	// app's, another command's) runs, and that this one waits for it.
	Waiting func()
}

// Synced is what Sync did for one account.
type Synced struct {
	Account  string
	Protocol account.Protocol
	IMAP     imapsync.Stats    // an IMAP account's
	POP3     pop3.CollectStats // a POP3 account's
	Filtered filter.Stats      // what the account's filters did to its new INBOX mail
}

// New counts the messages the sync stored.
func (s Synced) New() int { return s.IMAP.New + s.POP3.New }

// Sync brings an account's mail into the store: an IMAP account is synced
// (its journal replayed first, then every folder: new messages, flags and
// removals both ways, bodies for an account available offline, and the
// drafts that wait for its server); a POP3 account is collected. Then the
// account's filters run on its new INBOX mail, as after the background
// watcher's checks.
func (m *Mailer) Sync(ctx context.Context, a account.Account, o SyncOptions) (Synced, error) {
	out := Synced{Account: a.Name, Protocol: a.Protocol}
	secret, err := m.LoginSecret(ctx, a)
	if err != nil {
		return out, err
	}
	if a.Protocol == account.POP3 {
		out.POP3, err = pop3.Collect(ctx, a, secret, pop3.CollectOptions{Options: pop3.Options{Dialer: m.opt.Dialer},
			Store: m.opt.Store, StateDir: m.prof.Dir, Progress: o.Collected, Waiting: o.Waiting})
		if err != nil {
			return out, err
		}
		out.Filtered, err = filter.AfterCheck(ctx, m.filterOptions(), a, nil)
		return out, err
	}
	a.Options.Offline = a.Options.Offline || o.Offline
	sy := imapsync.New(a, secret, imapsync.Options{Store: m.opt.Store, State: m.state, Dialer: m.opt.Dialer,
		Progress: o.Progress, Waiting: o.Waiting})
	defer sy.Close()
	if out.IMAP, err = sy.Sync(ctx); err != nil {
		return out, err
	}
	_, err = sy.PushDrafts(ctx) // drafts saved while the server was away
	st, ferr := filter.AfterCheck(ctx, m.filterOptions(), a, sy)
	out.Filtered = st
	return out, cmp.Or(err, ferr)
}

// Checked is what Check did for one account.
type Checked struct {
	Account string
	New     int
	Err     error
}

// Check syncs or collects the accounts named (every one when names is
// nil): through the background watcher when it runs (it keeps its
// connections, and its status tells the progress), else one after the
// other. The accounts are read again first: another front door may have
// changed them.
func (m *Mailer) Check(ctx context.Context, names []string, progress func(imapsync.Progress)) ([]Checked, error) {
	list, err := m.book.List()
	if err != nil {
		return nil, err
	}
	if w := m.Watcher(); w != nil {
		w.Update(list)
		var out []Checked
		for _, r := range w.CheckOnly(ctx, names) {
			out = append(out, Checked{Account: r.Account, New: r.New, Err: r.Err})
		}
		return out, nil
	}
	var out []Checked
	for _, a := range list {
		if names != nil && !slices.Contains(names, a.Name) {
			continue
		}
		if ctx.Err() != nil {
			out = append(out, Checked{Account: a.Name, Err: watch.ErrCancelled})
			continue
		}
		s, err := m.Sync(ctx, a, SyncOptions{Progress: progress})
		out = append(out, Checked{Account: a.Name, New: s.New(), Err: err})
	}
	return out, nil
}

// FetchBody downloads the body of a message synced headers first
// (Summary.Partial) and puts the whole message in its place; it returns
// the new summary (a whole message's at once). It uses the watcher's
// connection for bodies when the watcher runs, else one of its own.
func (m *Mailer) FetchBody(ctx context.Context, id int64) (mailstore.Summary, error) {
	sum, err := m.opt.Store.Get(ctx, id)
	if err != nil || !sum.Partial {
		return sum, err
	}
	if w := m.Watcher(); w != nil {
		return w.FetchBody(ctx, sum.Folder.Account, id)
	}
	a, ok, err := m.imapAccount(sum.Folder.Account)
	if err != nil {
		return sum, err
	}
	if !ok {
		return sum, fmt.Errorf("mailer: %s is not an IMAP account: the body of %d is nowhere to fetch", sum.Folder.Account, id)
	}
	sy, err := m.online(ctx, a, imapsync.Options{})
	if err != nil {
		return sum, err
	}
	defer sy.Close()
	return sy.FetchBody(ctx, id)
}

// WatchOptions tune Watch.
type WatchOptions struct {
	// OnChange is told each change of an account's status, from the
	// account's goroutine.
	OnChange func(watch.Status)
	// TranscriptSize is the bytes of protocol dialogue kept per account;
	// 0 means mua/watch's default.
	TranscriptSize int
}

// Watch starts checking every configured account in the background until
// ctx ends (mua/watch: IMAP IDLE, POP3 polling, retries); actions push
// their journals through it from then on. Watcher().Wait() waits for its
// end.
func (m *Mailer) Watch(ctx context.Context, o WatchOptions) (*watch.Watcher, error) {
	list, err := m.book.List()
	if err != nil {
		return nil, err
	}
	w, err := watch.Start(ctx, watch.Options{
		Store: m.opt.Store, Profile: m.prof.Dir, State: m.state, Dialer: m.opt.Dialer,
		Secret:         func(a account.Account) (string, error) { return m.LoginSecret(ctx, a) },
		OnChange:       o.OnChange,
		TranscriptSize: o.TranscriptSize,
		// the filters' redirects and vacation replies
		Sender: m.submitter(0),
	}, list)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.watcher = w
	m.mu.Unlock()
	return w, nil
}

// Watcher is the background watcher of Watch; nil before.
func (m *Mailer) Watcher() *watch.Watcher {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.watcher
}

// Reload gives the watcher the accounts as they are now configured (after
// an account was added, changed or removed).
func (m *Mailer) Reload() error {
	w := m.Watcher()
	if w == nil {
		return nil
	}
	list, err := m.book.List()
	if err != nil {
		return err
	}
	w.Update(list)
	return nil
}
