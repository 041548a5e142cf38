package imapsync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// ErrNotOnServer: FetchBody was asked for a message that the server does
// not have (any more), or that is not known to be there (not synced yet,
// the folder's UIDVALIDITY changed): the next sync sorts it out.
var ErrNotOnServer = errors.New("imapsync: message not on the server")

// FetchBody downloads the whole message of a partial message
// (mailstore.Summary.Partial: a sync fetched its header only), as the
// reader needs when the user opens it, with BODY.PEEK[] (which leaves
// \Seen alone), and puts it in place of the local file
// (mailstore.Store.Replace): same id, folder and flags; the store's
// subscribers get mailstore.ChangeContent. It returns the new summary; a
// message that is complete already is returned as it is, without a
// command. It has a connection of its own, so it waits neither for a sync
// in progress nor for an IDLE. Errors: ErrNotOnServer, a *ServerError,
// ErrClosed (network), ErrAuth.
func (s *Syncer) FetchBody(ctx context.Context, id int64) (mailstore.Summary, error) {
	sum, err := s.opt.Store.Get(ctx, id)
	if err != nil || !sum.Partial {
		return sum, err
	}
	folder, mp, ok, err := s.opt.State.byID(ctx, s.acct.Name, id)
	if err != nil {
		return sum, err
	}
	if !ok {
		return sum, fmt.Errorf("%w: message %d has no UID", ErrNotOnServer, id)
	}
	var buf *imapclient.FetchMessageBuffer
	err = s.onDemand(ctx, func(c *imapclient.Client) error {
		var err error
		buf, err = s.fetchWhole(ctx, c, folder, mp.UID)
		return err
	})
	if err != nil {
		return sum, err
	}
	if got := envelopeID(buf); got != "" && sum.MessageID != "" && got != sum.MessageID {
		return sum, fmt.Errorf("%w: UID %d of %s is another message", ErrNotOnServer, mp.UID, folder)
	}
	if err := s.opt.Store.Replace(ctx, id, buf.FindBodySection(bodySection)); err != nil {
		return sum, err
	}
	return s.opt.Store.Get(ctx, id)
}

// fetchWhole downloads one message and its envelope, after checking that
// the folder's UIDVALIDITY is the one the UID was mapped under.
func (s *Syncer) fetchWhole(ctx context.Context, c *imapclient.Client, folder string, uid uint32) (*imapclient.FetchMessageBuffer, error) {
	validity, err := s.examine(ctx, c, folder)
	if err != nil {
		return nil, err
	}
	fs, err := s.opt.State.folder(ctx, s.ref(folder))
	if err != nil {
		return nil, err
	}
	if fs.UIDValidity != validity {
		return nil, fmt.Errorf("%w: the UIDVALIDITY of %s changed", ErrNotOnServer, folder)
	}
	opt := *bodyOptions
	opt.Envelope = true
	bufs, err := fetchChecked(ctx, c, []imap.UID{imap.UID(uid)}, &opt, "UID FETCH BODY.PEEK[]")
	if err != nil {
		return nil, err
	}
	for _, b := range bufs {
		if uint32(b.UID) != uid {
			continue
		}
		if _, why, ok := wholeMsg(b); why != "" {
			return nil, &IncompleteError{Folder: folder, UID: uid, Reason: why}
		} else if ok {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: UID %d of %s was expunged", ErrNotOnServer, uid, folder)
}

// demand is the Syncer's second connection, for what the user waits for
// (FetchBody, Subscribe): it never waits for the sync or the IDLE of the
// first one. It stays open between uses.
type demand struct {
	mu       sync.Mutex
	c        *imapclient.Client
	folder   string // examined (read-only) folder
	validity uint32
}

// onDemand runs f on the demand connection, dialing it when needed. A
// failure other than a refusal of the server drops the connection;
// cancelling ctx closes it.
func (s *Syncer) onDemand(ctx context.Context, f func(*imapclient.Client) error) error {
	s.dm.mu.Lock()
	defer s.dm.mu.Unlock()
	c, err := s.demandConn(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	err = f(c)
	var se *ServerError
	if err != nil && !errors.As(err, &se) && !errors.Is(err, ErrNotOnServer) {
		s.dm.drop()
	}
	return err
}

func (s *Syncer) demandConn(ctx context.Context) (*imapclient.Client, error) {
	if s.dm.c != nil {
		select {
		case <-s.dm.c.Closed():
			s.dm.drop()
		default:
			return s.dm.c, nil
		}
	}
	opts := &imapclient.Options{}
	c, err := dial(ctx, s.acct, s.password, s.opt.Dialer, opts, s.trace)
	if err != nil {
		return nil, err
	}
	s.dm.c = c
	return c, nil
}

// examine opens a folder read-only (EXAMINE) on the demand connection,
// unless it is open already, and returns its UIDVALIDITY.
func (s *Syncer) examine(ctx context.Context, c *imapclient.Client, folder string) (uint32, error) {
	if s.dm.folder == folder {
		return s.dm.validity, nil
	}
	s.dm.folder = ""
	remote, err := s.remoteOf(ctx, folder)
	if err != nil {
		return 0, err
	}
	sel, err := c.Select(remote, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, wrap(ctx, "EXAMINE", err)
	}
	s.dm.folder, s.dm.validity = folder, sel.UIDValidity
	return sel.UIDValidity, nil
}

// drop logs out and closes the connection. Called with mu held.
func (d *demand) drop() {
	if d.c == nil {
		return
	}
	c := d.c
	d.c, d.folder = nil, ""
	c.Logout()
	c.Close()
}

func (d *demand) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.drop()
}

// fillBodies downloads the bodies of the partial messages of the folders
// whose messages are fetched whole (see whole: an account made available
// offline after a sync of headers): newest first, in the batches of
// fetchNew, each put in place with one mailstore.ReplaceBatch. It returns
// how many it filled.
func (s *Syncer) fillBodies(ctx context.Context, c *imapclient.Client, folders []Folder) (int, error) {
	n := 0
	var incomplete []error // bodies not stored: the others still come
	for _, f := range folders {
		if !s.whole(f) {
			continue
		}
		k, err := s.fillFolder(ctx, c, f)
		n += k
		if errors.Is(err, ErrIncomplete) {
			incomplete = append(incomplete, err)
		} else if err != nil {
			return n, err
		}
	}
	return n, errors.Join(incomplete...)
}

func (s *Syncer) fillFolder(ctx context.Context, c *imapclient.Client, f Folder) (int, error) {
	ref := s.ref(f.Name)
	uids, idOf, err := s.partialUIDs(ctx, ref)
	if err != nil || len(uids) == 0 {
		return 0, err
	}
	if _, err := s.selectFolder(ctx, c, f.Remote); err != nil {
		return 0, err
	}
	p := Progress{Folder: ref}
	pr := &progress{s: s, p: &p}
	err = s.pipeline(ctx, c, uids, fetchSpec{folder: f.Name, whole: true}, func(b fetched) error {
		k, err := s.fillBatch(ctx, b, idOf)
		pr.add(0, 0, k)
		pr.skip(b.bad)
		return err
	})
	return p.Bodies, cmpOr(err, pr.incomplete())
}

// partialUIDs returns the UIDs of the partial messages of a folder,
// newest first, and their local ids.
func (s *Syncer) partialUIDs(ctx context.Context, ref mailstore.FolderRef) ([]imap.UID, map[uint32]int64, error) {
	ids, err := s.opt.Store.PartialIDs(ctx, ref)
	if err != nil || len(ids) == 0 {
		return nil, nil, err
	}
	known, err := s.opt.State.uids(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	partial := make(map[int64]bool, len(ids))
	for _, id := range ids {
		partial[id] = true
	}
	var uids []imap.UID
	idOf := map[uint32]int64{}
	for uid, mp := range known {
		if partial[mp.ID] {
			uids = append(uids, imap.UID(uid))
			idOf[uid] = mp.ID
		}
	}
	slices.Sort(uids)
	slices.Reverse(uids)
	return uids, idOf, nil
}

// fillBatch puts the bodies of one batch in place.
func (s *Syncer) fillBatch(ctx context.Context, b fetched, idOf map[uint32]int64) (int, error) {
	items := make([]mailstore.ReplaceItem, 0, len(b.msgs))
	for _, m := range b.msgs {
		if id := idOf[m.uid]; id != 0 {
			items = append(items, mailstore.ReplaceItem{ID: id, Data: m.data})
		}
	}
	n := 0
	var err error
	for _, e := range s.opt.Store.ReplaceBatch(ctx, items) {
		if e == nil {
			n++
		} else if !isNotFound(e) { // deleted locally meanwhile
			err = cmpOr(err, e)
		}
	}
	return n, err
}

func isNotFound(err error) bool { return errors.Is(err, mailstore.ErrNotFound) }

func envelopeID(buf *imapclient.FetchMessageBuffer) string {
	if buf.Envelope == nil {
		return ""
	}
	return buf.Envelope.MessageID
}
