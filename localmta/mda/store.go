package mda

import (
	"context"
	"fmt"
	"slices"
	"time"

	"facteur/mailstore"
)

// Store delivers into a mailstore folder, by default the INBOX of the Local
// account: the mailstore writes the Maildir file (tmp, fsync, rename into
// new/) and indexes it with the envelope. Each recipient gets its own copy,
// with its own Delivered-To.
type Store struct {
	Store *mailstore.Store
	// Folder returns the folder of a login; nil means Local/INBOX for all.
	Folder func(login string) (mailstore.FolderRef, error)
	// Now gives the arrival time; nil means time.Now.
	Now func() time.Time
}

// LocalInbox is the folder local mail goes to by default.
var LocalInbox = mailstore.FolderRef{Account: "Local", Name: "INBOX"}

// StartDelivery begins a delivery into the store.
func (t *Store) StartDelivery(ctx context.Context, env Envelope) (Delivery, error) {
	return &storeDelivery{t: t, env: env}, nil
}

type storeDelivery struct {
	t     *Store
	env   Envelope
	rcpts []string
	body  Buffer
}

func (d *storeDelivery) AddRcpt(ctx context.Context, rcpt string) error {
	if Login(rcpt) == "" {
		return ErrUnknownUser
	}
	if !slices.Contains(d.rcpts, rcpt) {
		d.rcpts = append(d.rcpts, rcpt)
	}
	return nil
}

func (d *storeDelivery) Body(ctx context.Context, body Buffer) error {
	d.body = body
	return nil
}

func (d *storeDelivery) Abort(ctx context.Context) error {
	d.body = nil
	return nil
}

// Commit adds one copy per recipient. The mailstore makes each Add atomic.
func (d *storeDelivery) Commit(ctx context.Context) error {
	if d.body == nil {
		return ErrNoBody
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

func (d *storeDelivery) deliver(ctx context.Context, rcpt string) error {
	folder := LocalInbox
	if d.t.Folder != nil {
		f, err := d.t.Folder(Login(rcpt))
		if err != nil {
			return err
		}
		folder = f
	}
	r, err := withTrace(d.body, d.env.MailFrom, rcpt)
	if err != nil {
		return err
	}
	defer r.Close()
	now := time.Now
	if d.t.Now != nil {
		now = d.t.Now
	}
	opt := mailstore.AddOptions{
		Envelope: &mailstore.Envelope{MailFrom: d.env.MailFrom, RcptTo: []string{rcpt}},
		Arrived:  now(),
	}
	if _, err := d.t.Store.Add(ctx, folder, r, opt); err != nil {
		return fmt.Errorf("mda: deliver to %s in %s: %w", rcpt, folder, err)
	}
	return nil
}
