package imapd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// message is one message of a selected mailbox.
type message struct {
	uid     imap.UID
	id      int64
	key     string
	flags   mailstore.Flags
	letters string // keyword letters
	size    int64  // bytes of the file
	wire    int64  // bytes with CRLF line ends; 0 until known
	arrived time.Time
}

// mailbox is a folder selected by one session or more: its messages in
// UID order, which is sequence-number order, and the tracker that queues
// the changes for each session (imapserver.MailboxTracker).
type mailbox struct {
	b       *backend
	ref     mailstore.FolderRef
	tracker *imapserver.MailboxTracker
	views   int // guarded by b.mu

	mu       sync.Mutex
	loaded   bool
	gone     bool // the folder was deleted or made again: nothing more to show
	validity uint32
	next     uint32
	msgs     []*message
	byID     map[int64]*message
	checked  time.Time    // last look at the directories
	stamp    [2]time.Time // modification times of cur/ and new/ then
}

func newMailbox(b *backend, ref mailstore.FolderRef) *mailbox {
	return &mailbox{b: b, ref: ref, tracker: imapserver.NewMailboxTracker(0), byID: map[int64]*message{}}
}

func (m *mailbox) ensureLoaded(ctx context.Context) error {
	m.mu.Lock()
	loaded := m.loaded
	m.mu.Unlock()
	if loaded {
		return m.checkExternal(ctx, 0)
	}
	return m.syncAll(ctx, nil)
}

// syncAll reads the whole folder from the store and queues the
// differences for the sessions (all but source, which already knows).
func (m *mailbox) syncAll(ctx context.Context, source *imapserver.SessionTracker) error {
	lock := m.b.folderLock(m.ref)
	lock.Lock()
	defer lock.Unlock()
	f, err := m.b.uids.Sync(ctx, m.ref)
	if err != nil {
		return m.vanishIfGone(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apply(f, nil, source)
	return nil
}

// vanishIfGone expunges everything when err says that the folder is gone,
// and returns the other errors.
func (m *mailbox) vanishIfGone(err error) error {
	if !errors.Is(err, mailstore.ErrNotFound) {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vanish()
	return nil
}

// refresh reads some messages of the folder from the store: those of ids
// still there are added or get their new flags, the others are expunged.
func (m *mailbox) refresh(ctx context.Context, ids []int64, source *imapserver.SessionTracker) error {
	lock := m.b.folderLock(m.ref)
	lock.Lock()
	defer lock.Unlock()
	return m.refreshLocked(ctx, ids, source)
}

// refreshLocked is refresh with the folder's lock held.
func (m *mailbox) refreshLocked(ctx context.Context, ids []int64, source *imapserver.SessionTracker) error {
	f, err := m.b.uids.Lookup(ctx, m.ref, ids)
	if err != nil {
		return m.vanishIfGone(err)
	}
	m.mu.Lock()
	gone := m.apply(f, ids, source)
	m.mu.Unlock()
	return m.b.uids.Drop(ctx, m.ref, gone)
}

// apply brings the mailbox to f: every message of f for a full sync
// (ids nil), else the messages of ids. It returns the keys expunged.
// m.mu is held.
func (m *mailbox) apply(f mailstore.UIDFolder, ids []int64, source *imapserver.SessionTracker) []string {
	if m.gone {
		return nil
	}
	if m.loaded && f.Validity != m.validity {
		m.vanish() // made again under the same name: the old one is gone
		return nil
	}
	m.loaded, m.validity = true, f.Validity
	m.b.learnLetters(f)
	present := make(map[imap.UID]mailstore.UIDMessage, len(f.Messages))
	for _, fm := range f.Messages {
		present[imap.UID(fm.UID)] = fm
	}
	var gone []string
	if ids == nil {
		gone = m.expungeWhere(func(msg *message) bool { _, ok := present[msg.uid]; return !ok })
	} else {
		asked := make(map[int64]bool, len(ids))
		for _, id := range ids {
			asked[id] = true
		}
		gone = m.expungeWhere(func(msg *message) bool {
			_, ok := present[msg.uid]
			return asked[msg.id] && !ok
		})
	}
	for _, fm := range f.Messages {
		m.update(fm, source)
	}
	m.next = max(m.next, f.Next)
	return gone
}

// expungeWhere removes the messages for which gone is true, from the
// last to the first so that sequence numbers stay right, and queues an
// EXPUNGE for each. It returns their keys.
func (m *mailbox) expungeWhere(gone func(*message) bool) []string {
	var keys []string
	for i := len(m.msgs) - 1; i >= 0; i-- {
		msg := m.msgs[i]
		if !gone(msg) {
			continue
		}
		m.tracker.QueueExpunge(uint32(i) + 1)
		m.msgs = append(m.msgs[:i], m.msgs[i+1:]...)
		if m.byID[msg.id] == msg {
			delete(m.byID, msg.id)
		}
		keys = append(keys, msg.key)
	}
	return keys
}

// update adds a message or changes its flags.
func (m *mailbox) update(fm mailstore.UIDMessage, source *imapserver.SessionTracker) {
	uid := imap.UID(fm.UID)
	i := sort.Search(len(m.msgs), func(i int) bool { return m.msgs[i].uid >= uid })
	if i < len(m.msgs) && m.msgs[i].uid == uid {
		msg := m.msgs[i]
		if msg.id != fm.ID { // the index was rebuilt
			delete(m.byID, msg.id)
			msg.id = fm.ID
			m.byID[msg.id] = msg
		}
		if fm.WireSize > 0 {
			msg.wire = fm.WireSize
		}
		if msg.flags != fm.Flags || msg.letters != fm.Extra {
			msg.flags, msg.letters = fm.Flags, fm.Extra
			m.tracker.QueueMessageFlags(uint32(i)+1, uid, imapFlags(msg.flags, msg.letters, m.b.keywordMap()), source)
		}
		return
	}
	if i < len(m.msgs) {
		return // a UID below the last one shown: never shown in this selection
	}
	msg := &message{uid: uid, id: fm.ID, key: fm.Key, flags: fm.Flags, letters: fm.Extra,
		size: fm.Size, wire: fm.WireSize, arrived: fm.Arrived}
	m.msgs = append(m.msgs, msg)
	m.byID[msg.id] = msg
	m.tracker.QueueNumMessages(uint32(len(m.msgs)))
}

// vanish expunges everything: the folder is gone. m.mu is held.
func (m *mailbox) vanish() {
	m.expungeWhere(func(*message) bool { return true })
	m.gone = true
}

// checkExternal looks for changes that other programs made to the
// folder's files (mutt, another Facteur process), at most once per
// interval: when cur/ or new/ changed, the folder is rescanned.
func (m *mailbox) checkExternal(ctx context.Context, interval time.Duration) error {
	dir, err := m.b.store.FolderPath(m.ref)
	if err != nil {
		return nil // gone: the store's notification says so
	}
	m.mu.Lock()
	if interval > 0 && time.Since(m.checked) < interval {
		m.mu.Unlock()
		return nil
	}
	m.checked = time.Now()
	stamp := dirStamps(dir)
	changed := stamp != m.stamp
	m.stamp = stamp
	m.mu.Unlock()
	if !changed {
		return nil
	}
	if _, err := m.b.store.RescanFolder(ctx, m.ref); err != nil {
		return err
	}
	return m.syncAll(ctx, nil)
}

func dirStamps(dir string) [2]time.Time {
	var out [2]time.Time
	for i, sub := range []string{"cur", "new"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil {
			out[i] = st.ModTime()
		}
	}
	return out
}

// byUID returns the messages of a UID set, in order. m.mu is held.
func (m *mailbox) byUIDs(set imap.UIDSet) []int {
	var out []int
	for _, r := range set {
		start, stop := r.Start, r.Stop
		if start > stop {
			start, stop = stop, start
		}
		i := sort.Search(len(m.msgs), func(i int) bool { return m.msgs[i].uid >= start })
		for ; i < len(m.msgs) && m.msgs[i].uid <= stop; i++ {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return dedup(out)
}

func dedup(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// lastUID is the greatest UID of the mailbox ("*" in a UID set). m.mu is held.
func (m *mailbox) lastUID() imap.UID {
	if len(m.msgs) == 0 {
		return imap.UID(max(m.next, 1) - 1)
	}
	return m.msgs[len(m.msgs)-1].uid
}

func ctxAlive(err error) bool {
	return !errors.Is(err, context.Canceled) && !errors.Is(err, mailstore.ErrClosed)
}

func sortInts(s []int) []int {
	sort.Ints(s)
	return s
}
