package mda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"facteur/mailstore"
)

// Store delivers into a mailstore folder, by default the INBOX of the Local
// account: the mailstore writes the Maildir file (tmp, fsync, rename into
// new/) and indexes it with the envelope. Each recipient gets its own copy,
// with its own Delivered-To.
//
// A delivery of a queue entry (Envelope.QueueID) is idempotent: its file
// is named by DeliveryKey, and a copy whose key the folder already holds
// (a kill -9 after the file was written, before the queue recorded it)
// is not written again.
//
// Concurrent deliveries are committed together (group commit): while one
// mailstore.AddBatch runs, the copies of the deliveries that arrive wait,
// and the next AddBatch takes them all, so that they share the directory
// fsync and the index transaction. Commit returns only once its copies
// are on stable storage and indexed.
type Store struct {
	Store *mailstore.Store
	// Folder returns the folder of a login; nil means Local/INBOX for all.
	Folder func(login string) (mailstore.FolderRef, error)
	// Now gives the arrival time; nil means time.Now.
	Now func() time.Time

	group groupAdd
}

// LocalInbox is the folder local mail goes to by default.
var LocalInbox = mailstore.FolderRef{Account: "Local", Name: "INBOX"}

// StartDelivery begins a delivery into the store.
func (t *Store) StartDelivery(ctx context.Context, env Envelope) (Delivery, error) {
	return &storeDelivery{t: t, pending: pending{env: env}}, nil
}

type storeDelivery struct {
	pending
	t *Store
}

func (d *storeDelivery) AddRcpt(ctx context.Context, rcpt string) error {
	if Login(rcpt) == "" {
		return ErrUnknownUser
	}
	d.addRcpt(rcpt)
	return nil
}

// Commit adds one copy per recipient, in the group commit of the target.
// The mailstore makes each copy atomic.
func (d *storeDelivery) Commit(ctx context.Context) error {
	if d.body == nil {
		return ErrNoBody
	}
	failed := map[string]error{}
	var items []mailstore.AddItem
	var rcpts []string
	for _, rcpt := range d.rcpts {
		it, err := d.item(rcpt)
		if err != nil {
			failed[rcpt] = err
			continue
		}
		items, rcpts = append(items, it), append(rcpts, rcpt)
	}
	for i, res := range d.t.group.add(ctx, d.t.Store, items) {
		if res.Err != nil && !errors.Is(res.Err, mailstore.ErrExist) { // ErrExist: delivered before a restart
			failed[rcpts[i]] = fmt.Errorf("mda: deliver to %s in %s: %w", rcpts[i], items[i].Folder, res.Err)
		}
	}
	if len(failed) > 0 {
		return &RcptError{Errs: failed}
	}
	return nil
}

// item reads the copy of one recipient, its trace fields first.
func (d *storeDelivery) item(rcpt string) (mailstore.AddItem, error) {
	folder := LocalInbox
	if d.t.Folder != nil {
		f, err := d.t.Folder(Login(rcpt))
		if err != nil {
			return mailstore.AddItem{}, err
		}
		folder = f
	}
	r, err := withTrace(d.body, d.env.MailFrom, rcpt)
	if err != nil {
		return mailstore.AddItem{}, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return mailstore.AddItem{}, err
	}
	now := time.Now
	if d.t.Now != nil {
		now = d.t.Now
	}
	opt := mailstore.AddOptions{
		Envelope: &mailstore.Envelope{MailFrom: d.env.MailFrom, RcptTo: []string{rcpt}},
		Arrived:  now(),
		Key:      DeliveryKey(d.env, rcpt),
	}
	return mailstore.AddItem{Folder: folder, Data: data, Options: opt}, nil
}
