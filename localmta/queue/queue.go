// Package queue is the durable spool of Facteur's local MTA, after the
// model of Postfix's and mox's queues. A message is accepted (the SMTP
// "250" of RFC 5321 §4.2) only once it is on stable storage: one queue
// file, ID.msg, holds its bytes, then its envelope and state, then a
// trailer with both lengths and a CRC-32C (see spoolfile.go); it is
// created under its final name, fsync'd, and the directory fsync'd (one
// fsync for several concurrent messages: group commit). Nothing that got
// a 250 is lost: on Open every message is picked up again, and queue
// files that a crash left half-written (never acknowledged: no valid
// trailer) are removed. When a recipient's state changes after an
// attempt, the new state goes to ID.json (temporary name, fsync, rename),
// which overrides the one in the queue file; a delivered message's files
// are unlinked, the queue file first. A spool of the first version (raw
// ID.msg beside its ID.json) is migrated on Open.
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
// With Options.DelayWarning (Postfix's delay_warning_time, off by
// default), a message still queued after that time sends its sender one
// notice with Action: delayed.
package queue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Queue. Zero values mean the documented defaults.
type Options struct {
	MinBackoff  time.Duration // first retry delay; 0 means 5 min
	MaxBackoff  time.Duration // longest retry delay; 0 means 4 h
	MaxLifetime time.Duration // age after which a message bounces; 0 means 5 days
	// DelayWarning is the age after which the sender of a message still
	// queued gets one delay notice (Postfix's delay_warning_time); 0
	// means never, as in Postfix.
	DelayWarning time.Duration
	Workers      int          // concurrent deliveries; 0 means 32, a quarter of them while mail comes in
	Hostname     string       // for the bounces' From and Reporting-MTA; "" means "localhost"
	Logger       *slog.Logger // nil means slog.Default()
	Now          func() time.Time
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
		o.Workers = 32
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

	// receiving counts the Enqueues in progress (see workerLimit).
	receiving atomic.Int32

	mu     sync.Mutex
	msgs   map[string]*entry
	cache  bodyCache
	spares spares

	// stateMu serializes writeState: a Hold or Release may save a state
	// while the end of an attempt saves it too, through the same
	// temporary name.
	stateMu sync.Mutex
}

type entry struct {
	msg       Message
	busy      bool
	stateFile bool // ID.json holds a newer state than the queue file
	readers   int  // open OpenBody readers of the queue file
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

func (q *Queue) msgPath(id string) string   { return msgPath(q.dir, id) }
func (q *Queue) statePath(id string) string { return statePath(q.dir, id) }

func msgPath(dir, id string) string   { return filepath.Join(dir, id+".msg") }
func statePath(dir, id string) string { return filepath.Join(dir, id+".json") }

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
	q.receiving.Add(1)
	err := q.writeSpool(ctx, &m, body)
	q.receiving.Add(-1)
	if err != nil {
		return Message{}, err
	}
	// One directory fsync makes the new names of every message written
	// meanwhile durable (group commit).
	if err := q.sync.Sync(); err != nil {
		q.cache.drop(m.ID)
		os.Remove(q.msgPath(m.ID))
		return Message{}, fmt.Errorf("queue: sync %s: %w", q.dir, err)
	}
	q.mu.Lock()
	q.msgs[m.ID] = &entry{msg: m.clone()}
	q.mu.Unlock()
	q.Kick()
	return m, nil
}

// writeSpool writes the queue file of m (its bytes, state and trailer)
// and fsyncs it: into a spare file renamed to ID.msg once written, or
// when there is none, into a new file under its final name. On error
// nothing is left.
func (q *Queue) writeSpool(ctx context.Context, m *Message, body io.Reader) error {
	path := q.msgPath(m.ID)
	f, spare, recycled := q.openSpare()
	if !recycled {
		var err error
		if f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return err
		}
	}
	w := newSpoolWriter(f)
	defer w.release()
	err := writeSpoolTo(w, m, ctxReader{ctx, body})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && recycled {
		err = renameFile(spare, path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	q.cache.put(m.ID, w.mem)
	return nil
}

// writeSpoolTo copies the message and appends its state and trailer;
// m.Size is set on the way.
func writeSpoolTo(w *spoolWriter, m *Message, body io.Reader) error {
	n, err := io.Copy(w, body)
	if err != nil {
		return err
	}
	m.Size = n
	state, err := m.marshalLine()
	if err != nil {
		return err
	}
	return w.finish(state)
}

// writeState saves a state that changed after Enqueue into ID.json,
// which overrides the state of the queue file: temporary name, fsync,
// rename. The caller syncs the directory when the change must be durable
// at once.
func (q *Queue) writeState(m *Message) error {
	q.stateMu.Lock()
	defer q.stateMu.Unlock()
	data, err := m.marshal()
	if err != nil {
		return err
	}
	tmp := q.statePath(m.ID) + ".tmp"
	if err := writeFileSync(tmp, data); err != nil {
		return err
	}
	if err := renameFile(tmp, q.statePath(m.ID)); err != nil {
		os.Remove(tmp)
		return err
	}
	q.mu.Lock()
	if e, ok := q.msgs[m.ID]; ok {
		e.stateFile = true
	}
	q.mu.Unlock()
	return nil
}

// writeFileSync writes data into the file path and fsyncs it; on error
// nothing is left.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// remove unlinks a message's files: the queue file first, so that a
// crash in between leaves a state file without message, which recovery
// removes. The directory is not synced: a removal that a crash undoes
// delivers the message again, which SMTP allows, and costs no fsync per
// delivered message (Postfix does not sync either).
func (q *Queue) remove(id string, stateFile bool) error {
	q.cache.drop(id)
	return q.removeFiles(id, stateFile, os.Remove(q.msgPath(id)))
}

// retireFiles removes a delivered message like remove, but keeps its
// queue file as a spare (see spare.go) when no reader has it open.
func (q *Queue) retireFiles(m *Message, e *entry) error {
	q.mu.Lock()
	stateFile, readers := e.stateFile, e.readers
	q.mu.Unlock()
	if readers > 0 {
		return q.remove(m.ID, stateFile)
	}
	q.cache.drop(m.ID)
	return q.removeFiles(m.ID, stateFile, q.retire(m.ID, m.Size))
}

// removeFiles removes the state file once the queue file is gone.
func (q *Queue) removeFiles(id string, stateFile bool, err error) error {
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !stateFile {
		return nil
	}
	if err := os.Remove(q.statePath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// OpenBody opens the message bytes of a queued message: from memory
// for a small message not yet tried, else from its queue file. While a
// reader is open, the queue file is not recycled as a spare.
func (q *Queue) OpenBody(id string) (io.ReadCloser, error) {
	if rc, ok := q.cache.open(id); ok {
		return rc, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.msgs[id]
	if !ok {
		return nil, ErrNotFound
	}
	f, err := os.Open(q.msgPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	e.readers++
	return &bodyReader{SectionReader: io.NewSectionReader(f, 0, e.msg.Size), f: f, q: q, e: e}, nil
}

// bodyReader reads the message bytes of a queue file.
type bodyReader struct {
	*io.SectionReader
	f    *os.File
	q    *Queue
	e    *entry
	once sync.Once
}

func (r *bodyReader) Close() error {
	r.once.Do(func() {
		r.q.mu.Lock()
		r.e.readers--
		r.q.mu.Unlock()
	})
	return r.f.Close()
}

// List returns the queued messages, oldest first.
func (q *Queue) List() []Message {
	q.mu.Lock()
	out := make([]Message, 0, len(q.msgs))
	for _, e := range q.msgs {
		out = append(out, e.msg.clone())
	}
	q.mu.Unlock()
	sortMessages(out)
	return out
}

// sortMessages orders messages by arrival, then ID.
func sortMessages(msgs []Message) {
	slices.SortFunc(msgs, func(a, b Message) int {
		return cmp.Or(a.Arrived.Compare(b.Arrived), strings.Compare(a.ID, b.ID))
	})
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
