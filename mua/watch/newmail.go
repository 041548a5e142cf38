package watch

import (
	"context"
	"strings"
	"time"

	"facteur/mailstore"
)

// NotifyStore is the part of *mailstore.Store that Notify reads.
type NotifyStore interface {
	Subscribe(ctx context.Context) <-chan mailstore.Change
	Folders(ctx context.Context) ([]mailstore.Folder, error)
	Get(ctx context.Context, id int64) (mailstore.Summary, error)
}

// NewMail is one notification: Count unread messages arrived in inboxes;
// Latest is the newest of them.
type NewMail struct {
	Count    int
	Accounts []string // the accounts they arrived in, in order of arrival
	Latest   mailstore.Summary
}

// NotifyOptions configure Notify.
type NotifyOptions struct {
	// MaxAge leaves out messages dated more than that before now (the
	// first sync of an old mailbox is not news); 0 means 3 days.
	MaxAge time.Duration
	// Coalesce gathers the messages of that long into one notification;
	// 0 means 2 seconds.
	Coalesce time.Duration
	// Now gives the time; nil means time.Now.
	Now func() time.Time
}

// Notify follows the store until ctx ends and calls onNew for messages
// that arrived unread in a folder whose role is inbox, dated within
// MaxAge, and not reported before. Messages arriving within Coalesce of
// each other give one call.
func Notify(ctx context.Context, s NotifyStore, opt NotifyOptions, onNew func(NewMail)) {
	NotifyChanges(ctx, s, s.Subscribe(ctx), opt, onNew)
}

// NotifyChanges is Notify on the changes of a subscription the caller
// took: a message stored once Subscribe returned is never missed, however
// late the goroutine that runs NotifyChanges starts.
func NotifyChanges(ctx context.Context, s NotifyStore, changes <-chan mailstore.Change, opt NotifyOptions, onNew func(NewMail)) {
	if opt.MaxAge <= 0 {
		opt.MaxAge = 3 * 24 * time.Hour
	}
	if opt.Coalesce <= 0 {
		opt.Coalesce = 2 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	n := &notifier{s: s, opt: opt, seen: map[int64]bool{}}
	n.run(ctx, changes, onNew)
}

type notifier struct {
	s       NotifyStore
	opt     NotifyOptions
	inboxes map[mailstore.FolderRef]bool
	seen    map[int64]bool
	pending NewMail
}

func (n *notifier) run(ctx context.Context, changes <-chan mailstore.Change, onNew func(NewMail)) {
	var flush <-chan time.Time
	var timer *time.Timer
	for {
		select {
		case ch, ok := <-changes:
			if !ok {
				return
			}
			if n.take(ctx, ch) && flush == nil {
				timer = time.NewTimer(n.opt.Coalesce)
				flush = timer.C
			}
		case <-flush:
			flush = nil
			onNew(n.pending)
			n.pending = NewMail{}
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		}
	}
}

// take adds the new unread messages of a change; it reports whether any.
func (n *notifier) take(ctx context.Context, ch mailstore.Change) bool {
	switch ch.Kind {
	case mailstore.ChangeFolders, mailstore.ChangeReset:
		n.inboxes = nil
		return false
	case mailstore.ChangeAdded:
	default:
		return false
	}
	if !n.isInbox(ctx, ch.Folder) {
		return false
	}
	added := false
	for _, id := range ch.IDs {
		if n.seen[id] {
			continue
		}
		n.seen[id] = true
		m, err := n.s.Get(ctx, id)
		if err != nil || m.Flags&mailstore.FlagSeen != 0 || n.opt.Now().Sub(m.Date) > n.opt.MaxAge {
			continue
		}
		n.add(m)
		added = true
	}
	return added
}

func (n *notifier) add(m mailstore.Summary) {
	p := &n.pending
	p.Count++
	if p.Count == 1 || !m.Date.Before(p.Latest.Date) {
		p.Latest = m
	}
	for _, a := range p.Accounts {
		if a == m.Folder.Account {
			return
		}
	}
	p.Accounts = append(p.Accounts, m.Folder.Account)
}

// isInbox tells whether ref has the inbox role (or, without a role, the
// name INBOX, which is special in IMAP and POP3 has no other), reading the folders again
// after they changed.
func (n *notifier) isInbox(ctx context.Context, ref mailstore.FolderRef) bool {
	if n.inboxes == nil {
		folders, err := n.s.Folders(ctx)
		if err != nil {
			return false
		}
		n.inboxes = map[mailstore.FolderRef]bool{}
		for _, f := range folders {
			if f.Role == mailstore.RoleInbox || f.Role == mailstore.RoleNone && strings.EqualFold(f.Ref.Name, "INBOX") {
				n.inboxes[f.Ref] = true
			}
		}
	}
	return n.inboxes[ref]
}
