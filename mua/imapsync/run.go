package imapsync

import (
	"context"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Run keeps the account in sync until ctx ends: a full sync, then waiting
// for new mail on INBOX with IDLE (RFC 2177), or polling every
// PollInterval when the server has no IDLE, then a sync again. After an
// error it reconnects with an exponential backoff (1 s doubling up to 5
// minutes). onError, when set, is told of each failure. Run returns ctx's
// error.
func (s *Syncer) Run(ctx context.Context, onError func(error)) error {
	backoff := time.Second
	for {
		_, err := s.Sync(ctx)
		if err == nil {
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
func (s *Syncer) wait(ctx context.Context) error {
	s.mu.Lock()
	c, err := s.connect(ctx)
	if err == nil && c.Caps().Has(imap.CapIdle) {
		_, err = s.selectFolder(ctx, c, "INBOX")
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if !c.Caps().Has(imap.CapIdle) {
		sleep(ctx, orDuration(s.opt.PollInterval, 5*time.Minute))
		return nil
	}
	return s.idle(ctx)
}

func (s *Syncer) idle(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select { // an EXISTS seen before IDLE was already synced
	case <-s.unsolic:
	default:
	}
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
