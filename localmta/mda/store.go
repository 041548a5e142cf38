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

// Commit adds one copy per recipient (or the copies its filter asked
// for, Envelope.Copies), in the group commit of the target. The mailstore
// makes each copy atomic. A filtered copy that cannot be written where
// the filter said (a folder name the store refuses) goes to the
// recipient's INBOX instead: a filter never loses mail.
func (d *storeDelivery) Commit(ctx context.Context) error {
	if d.body == nil {
		return ErrNoBody
	}
	failed := map[string]error{}
	var items []mailstore.AddItem
	var rcpts []string
	for _, rcpt := range d.rcpts {
		its, err := d.items(rcpt)
		if err != nil {
			failed[rcpt] = err
			continue
		}
		for range its {
			rcpts = append(rcpts, rcpt)
		}
		items = append(items, its...)
	}
	var retry []mailstore.AddItem
	var retryRcpts []string
	for i, res := range d.t.group.add(ctx, d.t.Store, items) {
		if res.Err == nil || errors.Is(res.Err, mailstore.ErrExist) { // ErrExist: delivered before a restart
			continue
		}
		if fb, ok := d.fallback(rcpts[i], items[i]); ok {
			retry, retryRcpts = append(retry, fb), append(retryRcpts, rcpts[i])
			continue
		}
		failed[rcpts[i]] = fmt.Errorf("mda: deliver to %s in %s: %w", rcpts[i], items[i].Folder, res.Err)
	}
	for i, res := range d.t.group.add(ctx, d.t.Store, retry) {
		if res.Err != nil && !errors.Is(res.Err, mailstore.ErrExist) {
			failed[retryRcpts[i]] = fmt.Errorf("mda: deliver to %s in %s: %w", retryRcpts[i], retry[i].Folder, res.Err)
		}
	}
	if len(failed) > 0 {
		return &RcptError{Errs: failed}
	}
	return nil
}

// fallback returns the INBOX copy of a filtered copy that failed.
func (d *storeDelivery) fallback(rcpt string, it mailstore.AddItem) (mailstore.AddItem, bool) {
	if _, filtered := d.env.Copies[rcpt]; !filtered {
		return it, false
	}
	inbox, err := d.folder(rcpt)
	if err != nil || it.Folder == inbox {
		return it, false
	}
	it.Folder = inbox
	return it, true
}

// folder returns the recipient's default folder.
func (d *storeDelivery) folder(rcpt string) (mailstore.FolderRef, error) {
	if d.t.Folder != nil {
		return d.t.Folder(Login(rcpt))
	}
	return LocalInbox, nil
}

// items reads the copies of one recipient, its trace fields first.
func (d *storeDelivery) items(rcpt string) ([]mailstore.AddItem, error) {
	copies, filtered := d.env.Copies[rcpt]
	if !filtered {
		folder, err := d.folder(rcpt)
		if err != nil {
			return nil, err
		}
		copies = []Copy{{Folder: folder}}
	}
	r, err := withTrace(d.body, d.env.MailFrom, rcpt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if d.t.Now != nil {
		now = d.t.Now
	}
	key := DeliveryKey(d.env, rcpt)
	items := make([]mailstore.AddItem, len(copies))
	for n, c := range copies {
		items[n] = mailstore.AddItem{Folder: c.Folder, Data: data, Options: mailstore.AddOptions{
			Envelope: &mailstore.Envelope{MailFrom: d.env.MailFrom, RcptTo: []string{rcpt}},
			Arrived:  now(),
			Key:      copyKey(key, n),
			Flags:    c.Flags,
		}}
	}
	return items, nil
}
