package handoff

import (
	"context"
	"errors"

	"facteur/localmta"
	"facteur/localmta/control"
	"facteur/localmta/queue"
)

// Op is a change of a queued message (`facteur queue`, postsuper's -h,
// -H and -d).
type Op int

const (
	Hold    Op = iota // keep the message in the queue until Release
	Release           // let a held message go at once
	Delete            // remove the message without a bounce
)

// ErrNotRunning: only a running MTA can try its queue now (Flush).
var ErrNotRunning = errors.New("no MTA runs on this profile: its messages are tried when it starts")

// Change applies op to each queued message of ids, as Enqueue hands a
// message: through the running MTA's control socket, else in the queue
// directory under the MTA directory's lock. done is told the outcome of
// each id in turn (queue.ErrNotFound for a message that is not in the
// queue). The error is for a queue that could not be reached at all.
func (c *Client) Change(ctx context.Context, op Op, ids []string, done func(id string, err error)) (Where, error) {
	where := Where{QueueDir: localmta.QueueDir(c.Dir)}
	cl, lock, err := control.Connect(ctx, c.Dir)
	if err != nil {
		return where, err
	}
	if cl != nil {
		where.PID = cl.Info().PID
		remote := [...]func(*control.Client, context.Context, string) error{Hold: (*control.Client).Hold,
			Release: (*control.Client).Release, Delete: (*control.Client).Delete}[op]
		for _, id := range ids {
			done(id, remote(cl, ctx, id))
		}
		return where, nil
	}
	defer lock.Unlock()
	q, err := queue.Open(ctx, where.QueueDir, queue.Options{Logger: c.logger()})
	if err != nil {
		return where, err
	}
	local := [...]func(*queue.Queue, string) error{Hold: (*queue.Queue).Hold,
		Release: (*queue.Queue).Release, Delete: (*queue.Queue).Delete}[op]
	for _, id := range ids {
		done(id, local(q, id))
	}
	return where, nil
}

// Flush makes every message of the running MTA's queue that is not held
// due now; ErrNotRunning when no MTA runs.
func (c *Client) Flush(ctx context.Context) (Where, error) {
	where := Where{QueueDir: localmta.QueueDir(c.Dir)}
	cl, lock, err := control.Connect(ctx, c.Dir)
	if err != nil {
		return where, err
	}
	if cl == nil {
		lock.Unlock()
		return where, ErrNotRunning
	}
	where.PID = cl.Info().PID
	return where, cl.Flush(ctx)
}
