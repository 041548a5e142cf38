// Package queue is the durable spool of Facteur's local MTA, after the
// model of Postfix's and mox's queues. A message is accepted (the SMTP
// "250" of RFC 5321 §4.2) only once it is on stable storage: its bytes in
// ID.msg and its envelope and state in ID.json, each written to a
// temporary name, fsync'd, renamed, and the directory fsync'd (one fsync
// for several concurrent messages: group commit). Nothing that got a 250
// is lost: on Open every message is picked up again, and files that a
// crash left half-written (never acknowledged) are removed.
//
// Each recipient has its own state. Temporary failures (4xx replies,
// unreachable hosts, DNS failures) are retried with a backoff that doubles
// from Options.MinBackoff to Options.MaxBackoff, like Postfix's
// minimal_backoff_time and maximal_backoff_time, until
// Options.MaxLifetime (5 days, Postfix's maximal_queue_lifetime). Permanent
// failures and expiry send a bounce to the sender: a delivery status
// notification of RFC 3464 (multipart/report, message/delivery-status,
// with the DSN parameters of RFC 3461 when the client gave them), from the
// null reverse-path <> so that a bounce is never bounced (RFC 5321 §4.5.5).
package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options configure a Queue. Zero values mean the documented defaults.
type Options struct {
	MinBackoff  time.Duration // first retry delay; 0 means 5 min
	MaxBackoff  time.Duration // longest retry delay; 0 means 4 h
	MaxLifetime time.Duration // age after which a message bounces; 0 means 5 days
	Workers     int           // concurrent deliveries; 0 means 8
	Hostname    string        // for the bounces' From and Reporting-MTA; "" means "localhost"
	Logger      *slog.Logger  // nil means slog.Default()
	Now         func() time.Time
}

func (o *Options) defaults() {
	if o.MinBackoff <= 0 {
		o.MinBackoff = 5 * time.Minute
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 4 * time.Hour
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = 5 * 24 * time.Hour
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Hostname == "" {
		o.Hostname = "localhost"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Errors of the queue, for errors.Is.
var (
	ErrNotFound = errors.New("queue: no such message")
	ErrBusy     = errors.New("queue: message is being delivered")
	ErrNoRcpt   = errors.New("queue: message without recipient")
	ErrClosed   = errors.New("queue: closed")
)

// Queue is a durable mail queue in one directory. It is safe for
// concurrent use.
type Queue struct {
	dir  string
	opt  Options
	sync *groupSync
	kick chan struct{}

	mu   sync.Mutex
	msgs map[string]*entry

	// stateMu serializes writeState: a Hold or Release may save a state
	// while the end of an attempt saves it too, through the same
	// temporary name.
	stateMu sync.Mutex
}

type entry struct {
	msg  Message
	busy bool
}

// Open opens (creating it) the queue in dir and recovers what a crash left:
// every complete message is loaded, temporary and orphan files removed,
// unreadable state files moved aside into dir/corrupt.
func Open(ctx context.Context, dir string, opt Options) (*Queue, error) {
	opt.defaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	q := &Queue{dir: dir, opt: opt, sync: newGroupSync(dir), kick: make(chan struct{}, 1), msgs: map[string]*entry{}}
	if err := q.recover(ctx); err != nil {
		return nil, err
	}
	return q, nil
}

// Dir returns the queue directory.
func (q *Queue) Dir() string { return q.dir }

func (q *Queue) msgPath(id string) string   { return filepath.Join(q.dir, id+".msg") }
func (q *Queue) statePath(id string) string { return filepath.Join(q.dir, id+".json") }

// recover loads the state files and removes the leftovers of a crash.
func (q *Queue) recover(ctx context.Context) error {
	names, err := os.ReadDir(q.dir)
	if err != nil {
		return err
	}
	states := map[string]bool{}
	for _, de := range names {
		if id, ok := strings.CutSuffix(de.Name(), ".json"); ok && ValidID(id) {
			states[id] = true
		}
	}
	for _, de := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		q.recoverFile(de.Name(), states)
	}
	return syncDir(q.dir)
}

func (q *Queue) recoverFile(name string, states map[string]bool) {
	path := filepath.Join(q.dir, name)
	switch {
	case strings.HasSuffix(name, ".tmp"):
		os.Remove(path) // never renamed: never acknowledged
	case strings.HasSuffix(name, ".msg"):
		if id := strings.TrimSuffix(name, ".msg"); !states[id] {
			q.opt.Logger.Warn("queue: removing message file without state (never acknowledged)", "id", id)
			os.Remove(path)
		}
	case strings.HasSuffix(name, ".json"):
		q.load(strings.TrimSuffix(name, ".json"))
	}
}

func (q *Queue) load(id string) {
	data, err := os.ReadFile(q.statePath(id))
	var m *Message
	if err == nil {
		m, err = ParseState(data)
	}
	if err == nil && m.ID != id {
		err = fmt.Errorf("%w: id %q in %s.json", ErrBadState, m.ID, id)
	}
	if err == nil {
		_, err = os.Stat(q.msgPath(id))
	}
	if err != nil {
		q.opt.Logger.Error("queue: moving unreadable message aside", "id", id, "err", err)
		q.quarantine(id)
		return
	}
	q.msgs[id] = &entry{msg: *m}
}

// quarantine moves a broken message to dir/corrupt for a human to look at.
func (q *Queue) quarantine(id string) {
	bad := filepath.Join(q.dir, "corrupt")
	os.MkdirAll(bad, 0o700)
	os.Rename(q.statePath(id), filepath.Join(bad, id+".json"))
	os.Rename(q.msgPath(id), filepath.Join(bad, id+".msg"))
}

// Enqueue writes a message durably and returns its state. m gives the
// envelope: From, Rcpts (Addr, and ORcpt/Notify when known), DSN fields;
// an empty ID is generated. When Enqueue returns nil, the message is on
// stable storage and the caller may answer 250. body is read to its end;
// if reading fails (a client that sent bare LF, say) nothing is kept.
func (q *Queue) Enqueue(ctx context.Context, m Message, body io.Reader) (Message, error) {
	if len(m.Rcpts) == 0 {
		return Message{}, ErrNoRcpt
	}
	if m.ID == "" {
		m.ID = NewID()
	}
	if !ValidID(m.ID) {
		return Message{}, fmt.Errorf("%w: id %q", ErrBadState, m.ID)
	}
	now := q.opt.Now()
	m.Arrived, m.NextTry = now, now
	for i := range m.Rcpts {
		m.Rcpts[i].Status = StatusPending
	}
	f, size, err := q.writeMsg(ctx, m.ID, body)
	if err != nil {
		return Message{}, err
	}
	m.Size = size
	// The message file's fsync runs while the state file is written and
	// fsynced (the file system commits both in one journal transaction
	// more often than not); the state gets its name only once both are
	// on disk, so that a state file always has a complete message. The
	// message is new, no Hold or Release can write its state: stateMu is
	// not needed, and concurrent Enqueues fsync in parallel.
	synced := make(chan error, 1)
	go func() { synced <- f.Sync() }()
	tmp := q.statePath(m.ID) + ".new.tmp"
	err = errors.Join(writeStateFile(&m, tmp), <-synced, f.Close())
	if err == nil {
		err = os.Rename(tmp, q.statePath(m.ID))
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(q.msgPath(m.ID))
		return Message{}, err
	}
	if err := q.sync.Sync(); err != nil {
		q.remove(m.ID)
		return Message{}, fmt.Errorf("queue: sync %s: %w", q.dir, err)
	}
	q.mu.Lock()
	q.msgs[m.ID] = &entry{msg: m.clone()}
	q.mu.Unlock()
	q.Kick()
	return m, nil
}

// writeMsg writes the message file and returns it open, for the caller
// to fsync and close; on error nothing is left.
func (q *Queue) writeMsg(ctx context.Context, id string, body io.Reader) (*os.File, int64, error) {
	path := q.msgPath(id)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, 0, err
	}
	n, err := io.Copy(f, ctxReader{ctx, body})
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, n, err
	}
	return f, n, nil
}

// writeState replaces the state file: temporary name, fsync, rename. The
// caller syncs the directory when the change must be durable at once.
func (q *Queue) writeState(m *Message) error {
	q.stateMu.Lock()
	defer q.stateMu.Unlock()
	tmp := q.statePath(m.ID) + ".tmp"
	if err := writeStateFile(m, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, q.statePath(m.ID)); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeStateFile writes the state into the file tmp and fsyncs it; on
// error nothing is left.
func writeStateFile(m *Message, tmp string) error {
	data, err := m.marshal()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// remove deletes a message's files, state first so that a crash in
// between leaves an orphan message file that recovery removes.
func (q *Queue) remove(id string) error {
	err := os.Remove(q.statePath(id))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	os.Remove(q.msgPath(id))
	return q.sync.Sync()
}

// OpenBody opens the message file of a queued message.
func (q *Queue) OpenBody(id string) (io.ReadCloser, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	f, err := os.Open(q.msgPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// List returns the queued messages, oldest first.
func (q *Queue) List() []Message {
	q.mu.Lock()
	out := make([]Message, 0, len(q.msgs))
	for _, e := range q.msgs {
		out = append(out, e.msg.clone())
	}
	q.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Arrived.Equal(out[j].Arrived) {
			return out[i].Arrived.Before(out[j].Arrived)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Get returns the state of one message.
func (q *Queue) Get(id string) (Message, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.msgs[id]
	if !ok {
		return Message{}, ErrNotFound
	}
	return e.msg.clone(), nil
}

// Kick wakes the scheduler up.
func (q *Queue) Kick() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
