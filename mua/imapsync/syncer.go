package imapsync

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
	"facteur/mua/account"
)

// Options configure a Syncer.
type Options struct {
	// Store is the offline store. Required.
	Store *mailstore.Store
	// State is the sync state (OpenState on the profile). Required.
	State *State
	// Dialer opens connections; nil means the system roots.
	Dialer *account.Dialer
	// Transcript receives the raw IMAP dialogue, the password masked. It
	// may hold message contents. Writes to it are serialised.
	Transcript io.Writer
	// Progress, when set, receives counts per folder.
	Progress func(Progress)
	// BatchSize is the number of messages per FETCH, stored together (one
	// mailstore.AddBatch, one state transaction, at most maxBatchBytes);
	// 0 means batches that grow from 100 to 1000 messages: the first
	// messages show at once, then bigger transactions index faster.
	BatchSize int
	// FlagChunk is the number of flag changes given to the store at once
	// while the FETCH of the flags goes on (all in one transaction,
	// mailstore.SetFlagsEach); 0 means 250.
	FlagChunk int
	// PollInterval is the check interval when the server has no IDLE; 0
	// means 5 minutes.
	PollInterval time.Duration
	// Waiting, when set, is told when Sync must wait for another sync of
	// the account (another process, such as `facteur sync` beside the
	// app) to end.
	Waiting func()
	// IdleRestart ends an IDLE after that long (RFC 2177 §3: at most 29
	// minutes); 0 means 25 minutes.
	IdleRestart time.Duration
}

// Progress reports the sync of one folder.
type Progress struct {
	Folder mailstore.FolderRef
	// Done counts the new messages of Total dealt with so far: stored, or
	// matched with a local copy.
	Done, Total int
	New         int // of Done, downloaded and stored
	Matched     int // of Done, matched with a copy already in the store
	Removed     int // messages expunged on the server, removed locally
	Flags       int // messages whose flags changed on the server
	Bodies      int // bodies of partial messages downloaded (available offline)
	// Incomplete counts the messages that came incomplete (see
	// ErrIncomplete): not stored, fetched again by the next sync.
	Incomplete int
	// Unsent counts the local actions dropped after a change of the
	// folder's UIDVALIDITY: the server no longer has their message.
	Unsent int
}

// Stats sum up a sync.
type Stats struct {
	// Folders counts the folders synced; Failed those that the server
	// refused (see FoldersError).
	Folders, Failed int
	// New counts the messages downloaded and stored; Matched the server
	// messages found already in the store (moved, copied or appended by
	// Facteur, kept across an index rebuild), which were only mapped.
	New, Matched, Removed, Flags, Replayed int
	// Bodies counts the partial messages made whole (available offline).
	Bodies int
	// Incomplete counts the messages that came incomplete (ErrIncomplete):
	// not stored; the next sync fetches them again.
	Incomplete int
	// Unsent counts the local actions (flags, moves, copies, deletions)
	// that could not be sent: a change of UIDVALIDITY showed that the
	// server no longer has their message.
	Unsent int
	// Refused, a *KeywordsRefusedError, names the keywords sent that the
	// server does not keep: they stay on the local messages only.
	Refused error
}

// Syncer syncs one IMAP account. Its actions (SetFlags, Move...) may be
// called from any goroutine; Sync and Run hold one connection at a time.
type Syncer struct {
	acct     account.Account
	password string
	opt      Options
	mu       sync.Mutex // serialises use of the connection
	c        *imapclient.Client
	unsolic  chan struct{} // signalled on unilateral EXISTS during IDLE
	trace    *traceOut     // nil without Options.Transcript; shared by every connection
	dm       demand        // the connection of FetchBody and Subscribe

	storers  int // batches stored at once; tests set 1 for a known order
	maxBytes int // of a batch's messages: maxBatchBytes; tests set less

	toReplay int // journal actions given a new UID by revalidate in this sync

	refused *KeywordsRefusedError // keywords the server did not keep, since takeRefused

	// crashBeforeState, set by tests, runs between the storing of a batch
	// and the writing of its UID map rows; an error stands for a crash.
	crashBeforeState func() error
}

// New returns a Syncer for an IMAP account.
func New(acct account.Account, password string, opt Options) *Syncer {
	s := &Syncer{acct: acct, password: password, opt: opt, unsolic: make(chan struct{}, 1),
		storers: storers, maxBytes: maxBatchBytes}
	if opt.Transcript != nil {
		s.trace = &traceOut{w: opt.Transcript, password: password}
	}
	return s
}

func (s *Syncer) ref(name string) mailstore.FolderRef {
	return mailstore.FolderRef{Account: s.acct.Name, Name: name}
}

func (s *Syncer) progress(p Progress) {
	if s.opt.Progress != nil {
		s.opt.Progress(p)
	}
}

// connect returns the open connection, dialing when there is none.
func (s *Syncer) connect(ctx context.Context) (*imapclient.Client, error) {
	if s.c != nil {
		select {
		case <-s.c.Closed():
			s.c = nil
		default:
			return s.c, nil
		}
	}
	opts := &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				s.signal()
			}
		},
	}}
	c, err := dial(ctx, s.acct, s.password, s.opt.Dialer, opts, s.trace)
	if err != nil {
		return nil, err
	}
	s.c = c
	return c, nil
}

func (s *Syncer) signal() {
	select {
	case s.unsolic <- struct{}{}:
	default:
	}
}

// Close logs out and closes the connections, if any.
func (s *Syncer) Close() error {
	s.dm.close()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drop()
}

func (s *Syncer) drop() error {
	if s.c == nil {
		return nil
	}
	c := s.c
	s.c = nil
	c.Logout()
	return c.Close()
}

// Sync replays the journal, then syncs every folder; for an account
// available offline (account.Options.Offline), and in Drafts, it then
// downloads the bodies of the partial messages left by earlier syncs. On a connection error the
// connection is dropped; the next call reconnects and resumes.
func (s *Syncer) Sync(ctx context.Context) (Stats, error) {
	lock, err := s.opt.State.lockAccount(ctx, s.acct.Name, s.opt.Waiting)
	if err != nil {
		return Stats{}, err
	}
	defer lock.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.syncLocked(ctx)
	var fe *FoldersError
	if err != nil && (!errors.As(err, &fe) || errors.Is(err, ErrIncomplete)) {
		s.drop() // a refused folder leaves the connection usable; a cut one does not
	}
	return st, err
}

func (s *Syncer) syncLocked(ctx context.Context) (st Stats, err error) {
	s.refused = nil
	defer func() { st.Refused = s.takeRefused() }()
	c, err := s.connect(ctx)
	if err != nil {
		return st, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := s.checkStore(ctx); err != nil {
		return st, err
	}
	folders, err := s.listFolders(ctx, c) // first: the journal names local folders
	if err != nil {
		return st, err
	}
	if st.Replayed, err = s.replay(ctx, c); err != nil {
		return st, err
	}
	s.toReplay = 0
	synced, failed, err := s.syncFolders(ctx, c, folders, &st)
	if err != nil {
		return st, err
	}
	if s.toReplay > 0 { // actions given their new UID by revalidate
		n, err := s.replay(ctx, c)
		if st.Replayed += n; err != nil {
			return st, err
		}
	}
	st.Bodies, err = s.fillBodies(ctx, c, synced)
	return st, errors.Join(failed, err)
}

// syncFolders syncs the folders one after the other. A folder that the
// server refuses (a NO or BAD reply: it cannot be opened, or a command on
// it fails) does not stop the others: it is counted in st.Failed and
// returned in failed, a *FoldersError; messages that came incomplete
// (ErrIncomplete) are left for the next sync and joined to failed. Other
// errors (the connection, the local store) stop the sync.
func (s *Syncer) syncFolders(ctx context.Context, c *imapclient.Client, folders []Folder, st *Stats) (synced []Folder, failed error, err error) {
	var fe FoldersError
	var incomplete []error
	for _, f := range folders {
		p, err := s.syncFolder(ctx, c, f)
		st.add(p)
		var se *ServerError
		switch {
		case err == nil:
		case errors.Is(err, ErrIncomplete):
			incomplete = append(incomplete, err)
		case errors.As(err, &se):
			st.Failed++
			fe.Folders = append(fe.Folders, FolderError{Folder: f.Name, Remote: f.Remote, Err: err})
			continue
		default:
			return synced, nil, err
		}
		st.Folders++
		synced = append(synced, f)
	}
	if len(fe.Folders) > 0 {
		incomplete = append(incomplete, &fe)
	}
	return synced, errors.Join(incomplete...), nil
}

// add counts what the sync of a folder did.
func (st *Stats) add(p Progress) {
	st.New += p.New
	st.Matched += p.Matched
	st.Removed += p.Removed
	st.Flags += p.Flags
	st.Incomplete += p.Incomplete
	st.Unsent += p.Unsent
}

// checkStore drops the UID maps when the store's index was rebuilt (see
// State.checkStore).
func (s *Syncer) checkStore(ctx context.Context) error {
	id, err := s.opt.Store.IndexID(ctx)
	if err != nil {
		return err
	}
	_, err = s.opt.State.checkStore(ctx, id)
	return err
}
