package imapsync

import (
	"context"
	"errors"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Run keeps the account in sync until ctx ends: a full sync, then waiting
// for new mail on INBOX with IDLE (RFC 2177), or polling every
// PollInterval when the server has no IDLE, then a sync again. After an
// error it reconnects with an exponential backoff (1 s doubling up to 5
// minutes). onError, when set, is told of each failure. A sync that
// synced every folder but some the server refused (a *FoldersError) is
// reported and waits as a complete one: the next sync tries them again.
// Run returns ctx's error.
func (s *Syncer) Run(ctx context.Context, onError func(error)) error {
	backoff := time.Second
	for {
		_, err := s.Sync(ctx)
		var fe *FoldersError
		if errors.As(err, &fe) && onError != nil {
			onError(err)
		}
		if err == nil || errors.As(err, &fe) {
			backoff = time.Second
			err = s.wait(ctx)
		}
		if ctx.Err() != nil {
			s.Close()
			return ctx.Err()
		}
		if err == nil {
			continue
		}
		if onError != nil {
			onError(err)
		}
		if !sleep(ctx, backoff) {
			s.Close()
			return ctx.Err()
		}
		backoff = min(backoff*2, 5*time.Minute)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// wait returns when INBOX may have changed: after an EXISTS during IDLE,
// after IdleRestart, or after PollInterval without IDLE.
//
// New mail that arrived between the last sync and the IDLE is not missed:
// the signals of EXISTS are dropped before INBOX is selected again (those
// came from the sync), and the UIDNEXT of that SELECT is compared with the
// one the sync recorded.
func (s *Syncer) wait(ctx context.Context) error {
	s.mu.Lock()
	select { // an EXISTS seen before this SELECT was synced, or shows in UIDNEXT
	case <-s.unsolic:
	default:
	}
	c, err := s.connect(ctx)
	var sel *imap.SelectData
	if err == nil && c.Caps().Has(imap.CapIdle) {
		sel, err = s.selectFolder(ctx, c, "INBOX")
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if !c.Caps().Has(imap.CapIdle) {
		sleep(ctx, orDuration(s.opt.PollInterval, 5*time.Minute))
		return nil
	}
	if s.inboxGrew(ctx, sel) {
		return nil // mail came after the sync: sync again first
	}
	return s.idle(ctx)
}

// inboxGrew tells whether INBOX's UIDNEXT passed the one the last sync
// recorded.
func (s *Syncer) inboxGrew(ctx context.Context, sel *imap.SelectData) bool {
	if s.opt.State == nil || sel == nil || sel.UIDNext == 0 {
		return false
	}
	fs, err := s.opt.State.folder(ctx, s.ref("INBOX"))
	return err == nil && fs.UIDNext != 0 && uint32(sel.UIDNext) > fs.UIDNext
}

func (s *Syncer) idle(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, err := s.c.Idle()
	if err != nil {
		return wrap(ctx, "IDLE", err)
	}
	t := time.NewTimer(orDuration(s.opt.IdleRestart, 25*time.Minute))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-s.unsolic:
	case <-t.C:
	case <-s.c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return wrap(ctx, "IDLE", err)
	}
	return wrap(ctx, "IDLE", cmd.Wait())
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
