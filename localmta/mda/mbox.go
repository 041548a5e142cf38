package mda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"facteur/mailstore/mbox"
)

// Mbox delivers into mbox spool files Dir/<login>, as /var/mail/login: one
// message after the other, each starting with a From_ line, in mboxrd
// quoting (mailstore/mbox). The file is locked with a dotlock
// (<file>.lock, created with O_EXCL) and, on Unix, an fcntl lock, as mutt
// and procmail do, so that they never corrupt each other. An append that
// fails is truncated back to the old size. A delivery of a queue entry
// is idempotent: a journal beside the spool files (mboxjournal.go) lets a
// replay after kill -9 find its copy, and removes a copy the kill cut.
type Mbox struct {
	Dir string
	// Users reports whether a login has a spool file; nil accepts every
	// login made of safe characters.
	Users func(login string) bool
	// LockTimeout bounds the wait for the locks; 0 means 30 s.
	LockTimeout time.Duration
	// StaleLock is the age after which a dotlock is broken; 0 means 5 min.
	StaleLock time.Duration
	// Now gives the date of the From_ line; nil means time.Now.
	Now func() time.Time
}

// StartDelivery begins a delivery into the spool files.
func (t *Mbox) StartDelivery(ctx context.Context, env Envelope) (Delivery, error) {
	return &mboxDelivery{t: t, pending: pending{env: env}}, nil
}

// Path returns the spool file of a login.
func (t *Mbox) Path(login string) string { return filepath.Join(t.Dir, login) }

type mboxDelivery struct {
	pending
	t *Mbox
}

// safeLogin refuses logins that could escape the spool directory.
func safeLogin(login string) bool {
	if login == "" || login[0] == '.' || len(login) > 64 {
		return false // a dot first: ".", "..", and the journals' directory
	}
	return !strings.ContainsAny(login, "/\\:\x00") && !strings.HasSuffix(login, ".lock")
}

func (d *mboxDelivery) AddRcpt(ctx context.Context, rcpt string) error {
	login := Login(rcpt)
	if !safeLogin(login) || (d.t.Users != nil && !d.t.Users(login)) {
		return ErrUnknownUser
	}
	d.addRcpt(rcpt)
	return nil
}

func (d *mboxDelivery) Commit(ctx context.Context) error {
	if d.body == nil {
		return ErrNoBody
	}
	if err := os.MkdirAll(d.t.Dir, 0o700); err != nil {
		return err
	}
	failed := map[string]error{}
	for _, rcpt := range d.rcpts {
		if err := d.deliver(ctx, rcpt); err != nil {
			failed[rcpt] = err
		}
	}
	if len(failed) > 0 {
		return &RcptError{Errs: failed}
	}
	return nil
}

func (d *mboxDelivery) deliver(ctx context.Context, rcpt string) error {
	path := d.t.Path(Login(rcpt))
	timeout := d.t.LockTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	unlock, err := d.t.dotlock(lctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("mda: open %s: %w", path, err)
	}
	defer f.Close()
	if err := lockFile(lctx, f); err != nil {
		return err
	}
	defer unlockFile(f)
	key := DeliveryKey(d.env, rcpt)
	if key == "" { // not from the queue: nothing to replay
		return d.appendTo(f, rcpt, d.now())
	}
	j, err := readJournal(d.t.journalPath(Login(rcpt)))
	if err != nil {
		return fmt.Errorf("mda: journal of %s: %w", path, err)
	}
	if err := j.settle(f); err != nil {
		return fmt.Errorf("mda: journal of %s: %w", path, err)
	}
	if j.delivered(key) {
		return nil // a replay: the copy is there
	}
	return d.appendJournaled(f, j, key, rcpt)
}

func (d *mboxDelivery) now() time.Time {
	if d.t.Now != nil {
		return d.t.Now()
	}
	return time.Now()
}

// appendTo writes the message at the end of f, fsyncs, and truncates back
// to the old size when anything fails.
func (d *mboxDelivery) appendTo(f *os.File, rcpt string, date time.Time) (err error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, f.Truncate(size), f.Sync())
		}
	}()
	r, err := withTrace(d.body, d.env.MailFrom, rcpt)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := mbox.NewWriter(f).Write(d.env.MailFrom, date, r); err != nil {
		return fmt.Errorf("mda: append to %s: %w", f.Name(), err)
	}
	return f.Sync()
}
