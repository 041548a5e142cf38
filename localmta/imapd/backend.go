package imapd

import (
	"context"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"

	"facteur/mailstore"
)

// backend is what the sessions of a server share: the store, its UID
// index, the mailboxes selected now and the account's keywords.
type backend struct {
	store   *mailstore.Store
	uids    *mailstore.UIDIndex
	account string
	log     *slog.Logger
	check   checkTimes

	mu     sync.Mutex
	open   map[mailstore.FolderRef]*mailbox
	assign map[mailstore.FolderRef]*sync.Mutex

	kwMu     sync.Mutex
	keywords map[byte]string // letter -> keyword
}

func newBackend(ctx context.Context, store *mailstore.Store, account string, log *slog.Logger, check checkTimes) (*backend, error) {
	uids, err := mailstore.OpenUIDIndex(ctx, store)
	if err != nil {
		return nil, err
	}
	kw, err := uids.Keywords(ctx, account)
	if err != nil {
		uids.Close()
		return nil, err
	}
	return &backend{store: store, uids: uids, account: account, log: log, check: check,
		open: map[mailstore.FolderRef]*mailbox{}, assign: map[mailstore.FolderRef]*sync.Mutex{}, keywords: kw}, nil
}

// ref returns the folder of a mailbox name.
func (b *backend) ref(name string) mailstore.FolderRef {
	name = strings.Trim(name, string(delim))
	if strings.EqualFold(name, inbox) {
		name = inbox
	}
	return mailstore.FolderRef{Account: b.account, Name: name}
}

// folderLock is held while UIDs are given in a folder, so that a command
// that added messages gives them their UIDs in its order (COPYUID)
// before the store's notification does.
func (b *backend) folderLock(ref mailstore.FolderRef) *sync.Mutex {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.assign[ref]
	if m == nil {
		m = &sync.Mutex{}
		b.assign[ref] = m
	}
	return m
}

// opened returns the mailbox of ref if a session selected it.
func (b *backend) opened(ref mailstore.FolderRef) *mailbox {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open[ref]
}

// openMailbox returns the shared mailbox of ref, read from the store when
// no session had it selected; release gives it back.
func (b *backend) openMailbox(ctx context.Context, ref mailstore.FolderRef) (*mailbox, error) {
	b.mu.Lock()
	m := b.open[ref]
	if m == nil || m.isGone() {
		m = newMailbox(b, ref)
		b.open[ref] = m
	}
	m.views++
	b.mu.Unlock()
	if err := m.ensureLoaded(ctx); err != nil {
		b.release(m)
		return nil, err
	}
	return m, nil
}

func (m *mailbox) isGone() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gone
}

func (b *backend) release(m *mailbox) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m.views--; m.views <= 0 && b.open[m.ref] == m {
		delete(b.open, m.ref)
	}
}

// follow applies the store's changes to the open mailboxes until ctx
// ends; a panic is logged and following goes on.
func (b *backend) follow(ctx context.Context) {
	changes := b.store.Subscribe(ctx)
	for c := range changes {
		b.dispatch(ctx, c)
	}
}

func (b *backend) dispatch(ctx context.Context, c mailstore.Change) {
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("imap: change of the store panicked", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if c.Kind == mailstore.ChangeReset && c.Folder == (mailstore.FolderRef{}) {
		for _, m := range b.openList() {
			b.logErr(m.syncAll(ctx, nil))
		}
		return
	}
	m := b.opened(c.Folder)
	if m == nil {
		return
	}
	switch c.Kind {
	case mailstore.ChangeAdded, mailstore.ChangeRemoved, mailstore.ChangeFlags:
		if c.IDs != nil {
			b.logErr(m.refresh(ctx, c.IDs, nil))
			return
		}
		b.logErr(m.syncAll(ctx, nil))
	case mailstore.ChangeReset:
		b.logErr(m.syncAll(ctx, nil))
	}
}

func (b *backend) openList() []*mailbox {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*mailbox, 0, len(b.open))
	for _, m := range b.open {
		out = append(out, m)
	}
	return out
}

func (b *backend) logErr(err error) {
	if err != nil && ctxAlive(err) {
		b.log.Warn("imap: following the store", "err", err)
	}
}

// keywordMap returns the account's keywords by letter.
func (b *backend) keywordMap() map[byte]string {
	b.kwMu.Lock()
	defer b.kwMu.Unlock()
	return b.keywords
}

// letters returns the Maildir letters of keywords, giving letters to new
// keywords when create is set (a keyword without one matches nothing).
func (b *backend) letters(ctx context.Context, keywords []string, create bool) (string, error) {
	var out []byte
	for _, kw := range keywords {
		l, ok := b.letterOf(kw)
		if !ok && create {
			var err error
			if l, err = b.uids.KeywordLetter(ctx, b.account, kw); err != nil {
				return "", err
			}
			b.kwMu.Lock()
			kws := make(map[byte]string, len(b.keywords)+1)
			for k, v := range b.keywords {
				kws[k] = v
			}
			kws[l] = kw
			b.keywords = kws
			b.kwMu.Unlock()
			ok = true
		}
		if ok {
			out = append(out, l)
		}
	}
	return string(out), nil
}

// letterOf finds a keyword's letter; keywords compare without case
// (RFC 9051 §2.3.2). A keyword this server has not seen may have been
// given a letter by another program since: the account's keywords are
// read again once.
func (b *backend) letterOf(kw string) (byte, bool) {
	if l, ok := findLetter(b.keywordMap(), kw); ok {
		return l, true
	}
	return findLetter(b.reloadKeywords(), kw)
}

func findLetter(kws map[byte]string, kw string) (byte, bool) {
	for l, name := range kws {
		if strings.EqualFold(name, kw) {
			return l, true
		}
	}
	return 0, false
}

// learnLetters reads the account's keywords again when a message of f
// has a letter this server does not know: another program (facteur flag,
// the window's mailer, an IMAP sync) gave it to a new keyword while the
// server ran. A letter, once given, always means the same keyword, so
// the keywords known stay right; at most one reading per call.
func (b *backend) learnLetters(f mailstore.UIDFolder) {
	kws := b.keywordMap()
	for _, fm := range f.Messages {
		for i := 0; i < len(fm.Extra); i++ {
			if _, ok := kws[fm.Extra[i]]; !ok {
				b.reloadKeywords()
				return
			}
		}
	}
}

// reloadKeywords reads the account's keywords from the index and returns
// them (those known before when the index cannot be read).
func (b *backend) reloadKeywords() map[byte]string {
	kws, err := b.uids.Keywords(context.Background(), b.account)
	if err != nil {
		b.logErr(err)
		return b.keywordMap()
	}
	b.kwMu.Lock()
	defer b.kwMu.Unlock()
	b.keywords = kws
	return kws
}

func (b *backend) close() error { return b.uids.Close() }
